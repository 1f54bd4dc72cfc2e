/**
 * Measures DynamoDB request units as DynamoDB bills them: asks for
 * `ReturnConsumedCapacity: 'TOTAL'` on every item operation (dynalite computes
 * it as DynamoDB does: writes per 1 KB of the larger of the old and new item,
 * reads per 4 KB, strongly consistent reads count double eventually consistent
 * ones) and sums what comes back. Installed on a client's middleware stack, so
 * domain code is untouched. Request counts include retries (what AWS bills).
 */
const ITEM_COMMANDS = /^(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|BatchGetItem|BatchWriteItem|Get|Put|Update|Delete|BatchGet|BatchWrite)Command$/;
const READS = /^(Get|Query|Scan|BatchGet)/;

interface Stack {
  middlewareStack: {
    add: (
      mw: (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) => (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
      options: { step: 'initialize'; name: string },
    ) => void;
  };
}

export interface CapacityTotals {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

type Consumed = { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;

export class CapacityMeter implements CapacityTotals {
  readRequests = 0;
  writeRequests = 0;
  readUnits = 0;
  writeUnits = 0;

  attach(client: unknown, name = 'floeCapacityMeter'): this {
    (client as Stack).middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (!ITEM_COMMANDS.test(command)) return next(args);
        args.input.ReturnConsumedCapacity ??= 'TOTAL';
        const isRead = READS.test(command);
        if (isRead) this.readRequests++;
        else this.writeRequests++;
        const result = await next(args);
        const consumed = result.output.ConsumedCapacity as Consumed;
        const units = Array.isArray(consumed) ? consumed.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0) : (consumed?.CapacityUnits ?? 0);
        if (isRead) this.readUnits += units;
        else this.writeUnits += units;
        return result;
      },
      { step: 'initialize', name },
    );
    return this;
  }

  snapshot(): CapacityTotals {
    return { readRequests: this.readRequests, writeRequests: this.writeRequests, readUnits: this.readUnits, writeUnits: this.writeUnits };
  }

  reset(): void {
    this.readRequests = this.writeRequests = this.readUnits = this.writeUnits = 0;
  }
}

export const diffCapacity = (after: CapacityTotals, before: CapacityTotals): CapacityTotals => ({
  readRequests: after.readRequests - before.readRequests,
  writeRequests: after.writeRequests - before.writeRequests,
  readUnits: after.readUnits - before.readUnits,
  writeUnits: after.writeUnits - before.writeUnits,
});
