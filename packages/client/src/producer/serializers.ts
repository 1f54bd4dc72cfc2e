/**
 * Serializers turn keys and values into bytes (Kafka's key.serializer / value.serializer).
 * null stays null (a null key, or a tombstone value) and never reaches a serializer.
 */
import { FloeError } from '@floe/protocol';

export interface Serializer<T> {
  serialize(topic: string, data: T): Buffer | null;
}

export type SerializerFunction<T> = (data: T, topic: string) => Buffer | Uint8Array | null;

/** A serializer object, a function, or a built-in by name. */
export type SerializerOption<T> = Serializer<T> | SerializerFunction<T> | 'bytes' | 'string' | 'json';

const failure = (topic: string, message: string, cause?: unknown) =>
  new FloeError('SERIALIZATION_ERROR', `cannot serialize a record for "${topic}": ${message}`, { cause });

/** Buffers and Uint8Arrays as they are (ByteArraySerializer). */
export const bytesSerializer: Serializer<Buffer | Uint8Array | null> = {
  serialize(topic, data) {
    if (data === null) return null;
    if (Buffer.isBuffer(data)) return data;
    if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw failure(topic, `the bytes serializer takes a Buffer or Uint8Array, got ${typeof data}`);
  },
};

/** Strings as UTF-8 (StringSerializer). */
export const stringSerializer: Serializer<string | null> = {
  serialize(topic, data) {
    if (data === null) return null;
    if (typeof data !== 'string') throw failure(topic, `the string serializer takes a string, got ${typeof data}`);
    return Buffer.from(data, 'utf8');
  },
};

/** Any JSON value as UTF-8 JSON text. */
export const jsonSerializer: Serializer<unknown> = {
  serialize(topic, data) {
    if (data === null) return null;
    const text = JSON.stringify(data);
    if (text === undefined) throw failure(topic, `${typeof data} has no JSON form`);
    return Buffer.from(text, 'utf8');
  },
};

export const Serializers = { bytes: bytesSerializer, string: stringSerializer, json: jsonSerializer } as const;

/** Resolves an option to a serializer that returns Buffer | null and reports failures as SERIALIZATION_ERROR. */
export function toSerializer<T>(option: SerializerOption<T> | undefined): (topic: string, data: T | null | undefined) => Buffer | null {
  const chosen = option ?? 'bytes';
  const serialize: (topic: string, data: T) => Buffer | Uint8Array | null =
    typeof chosen === 'string'
      ? (topic, data) => (Serializers[chosen] as Serializer<unknown>).serialize(topic, data)
      : typeof chosen === 'function'
        ? (topic, data) => chosen(data, topic)
        : (topic, data) => chosen.serialize(topic, data);
  if (typeof chosen === 'string' && !Object.hasOwn(Serializers, chosen)) {
    throw new FloeError('INVALID_CONFIG', `unknown serializer "${chosen}": use bytes, string, json or your own`);
  }
  return (topic, data) => {
    if (data === null || data === undefined) return null;
    let out: Buffer | Uint8Array | null;
    try {
      out = serialize(topic, data);
    } catch (error) {
      if (error instanceof FloeError && error.code === 'SERIALIZATION_ERROR') throw error;
      throw failure(topic, (error as Error)?.message ?? String(error), error);
    }
    if (out === null || Buffer.isBuffer(out)) return out;
    if (out instanceof Uint8Array) return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    throw failure(topic, `the serializer returned ${typeof out}, not a Buffer or null`);
  };
}
