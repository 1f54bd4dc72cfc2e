/**
 * Counts the requests an AWS SDK client sends, by command name, through the
 * SDK's middleware stack (so every retry counts too: that is what AWS bills).
 */
interface MiddlewareClient {
  middlewareStack: {
    add: (
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'finalizeRequest'; name: string },
    ) => void;
  };
}

export class RequestCounter {
  readonly counts = new Map<string, number>();

  attach(client: unknown, name = 'floeRequestCounter'): this {
    (client as MiddlewareClient).middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        this.counts.set(command, (this.counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
    return this;
  }

  total(filter: (command: string) => boolean = () => true): number {
    let sum = 0;
    for (const [command, n] of this.counts) if (filter(command)) sum += n;
    return sum;
  }

  reset(): void {
    this.counts.clear();
  }
}

const WRITE_COMMANDS = /^(Put|Update|Delete|BatchWrite)/;
export const isDynamoWrite = (command: string): boolean => WRITE_COMMANDS.test(command);
export const isDynamoRead = (command: string): boolean => /^(Get|Query|Scan|BatchGet)/.test(command);
