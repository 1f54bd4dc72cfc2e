/**
 * Objects keyed by user strings: topic names, member ids, group.instance.ids (decision 41).
 * Kafka allows names such as `constructor`, `toString` and `__proto__`, which a plain `{}` answers
 * with Object.prototype's members, or (`__proto__`) takes as its prototype instead of a key.
 *
 * In memory such objects are made by `dict`: no prototype, so every key is just a key.
 * Stored, the AWS SDK's (un)marshaller cannot carry a `__proto__` key (it assigns into `{}`: the
 * key is dropped on write, and would become the map's prototype on read), so `toStoredMap`
 * escapes it, and only it: any run of underscores followed by `__proto__` gains one more
 * underscore, `fromStoredMap` takes it off. Every other key is stored as it is, so items
 * written before keep their meaning. (A `constructor` key needs the document client's
 * convertClassInstanceToMap, set in src/aws/clients.ts.)
 */

/** A prototype-less object: reads see only its own entries, and `__proto__` is an ordinary key. */
export function dict<V>(entries: Iterable<readonly [string, V]> = []): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

const PROTO_KEY = /^_*__proto__$/;

/** The key as stored: `__proto__`, `___proto__`, ... gain one leading underscore. */
export const storedKey = (key: string): string => (PROTO_KEY.test(key) ? `_${key}` : key);

/** The key a stored key stands for (the inverse of storedKey). */
export const keyOfStored = (key: string): string => (PROTO_KEY.test(key) && key !== '__proto__' ? key.slice(1) : key);

/** A user-keyed map as it is written to DynamoDB. */
export function toStoredMap<V>(map: Readonly<Record<string, V>>): Record<string, V> {
  return dict(Object.entries(map).map(([key, value]) => [storedKey(key), value]));
}

/** A user-keyed map as read from DynamoDB (absent: empty); only own entries count, so no prototype a stored key set survives. */
export function fromStoredMap<V>(stored: unknown): Record<string, V> {
  if (stored === undefined || stored === null) return dict();
  return dict(Object.entries(stored as Record<string, V>).map(([key, value]) => [keyOfStored(key), value]));
}
