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

/**
 * An item's size as DynamoDB bills it (attribute names + values; numbers about one byte per two
 * significant digits plus one; lists and maps 3 bytes plus 1 per element): writes cost 1 unit per KB.
 */
export function dynamoItemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value).replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
    return 1 + Math.ceil(digits / 2) + (String(value).startsWith('-') ? 1 : 0);
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') return 3 + Object.keys(value as object).length + dynamoItemBytes(value as Record<string, unknown>);
  return 0;
}
