/**
 * Whole-number command-line arguments, read as Kafka's tools read them: decimal digits only
 * ("0x10", "1e1", " 2 " and "" are refused, where Number() would take them).
 */
import { InvalidArgumentError } from 'commander';

const DECIMAL_INTEGER = /^-?\d+$/;

/** An option parser for commander: an integer in [min, max], else an error naming the flag (printed on one line: floe-command.ts). */
export const integerArg =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: string): number => {
    const n = DECIMAL_INTEGER.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `not an integer of at least ${min}: "${value}"` : `not an integer from ${min} to ${max}: "${value}"`);
    }
    return n;
  };
