/** Values of Kafka-style `name=value` properties, checked where they are read so an error names the property the user typed. */
import { FloeError } from '@floe/protocol';

/**
 * Largest value of a time option (`…Ms`): Kafka's int and the longest delay a JavaScript timer holds.
 * A longer one would fire after 1 ms (Node's TimeoutOverflowWarning): every request timing out at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function propertyInteger(name: string, raw: string): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new FloeError('INVALID_CONFIG', `property ${name} must be an integer, got "${raw}"`);
  return value;
}

export function propertyBoolean(name: string, raw: string): boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new FloeError('INVALID_CONFIG', `property ${name} must be true or false, got "${raw}"`);
}
