/** Key and value deserializers (Kafka's Deserializer<T>): bytes (or null) to application values. */
import { FloeError, type RecordHeader } from '@floe/protocol';

export interface DeserializerContext {
  topic: string;
  headers: RecordHeader[];
}

export type Deserializer<T> = (data: Buffer | null, context: DeserializerContext) => T;

/** A deserializer function, or a built-in by name: the names the Producer takes for its serializers. */
export type DeserializerOption<T> = Deserializer<T> | 'bytes' | 'string' | 'json';

export const Deserializers = {
  /** the stored bytes as they are */
  buffer: ((data: Buffer | null) => data) as Deserializer<Buffer | null>,
  /** UTF-8 text (Kafka's StringDeserializer) */
  string: ((data: Buffer | null) => (data === null ? null : data.toString('utf8'))) as Deserializer<string | null>,
  /** JSON text */
  json: <T = unknown>(): Deserializer<T | null> => (data) => (data === null ? null : (JSON.parse(data.toString('utf8')) as T)),
} as const;

const BY_NAME: Record<string, Deserializer<unknown>> = { bytes: Deserializers.buffer, string: Deserializers.string, json: Deserializers.json() };

/** Kafka's deserializer classes that have a built-in counterpart (key.deserializer / value.deserializer properties). */
export const DESERIALIZER_CLASSES: Record<string, 'bytes' | 'string'> = {
  'org.apache.kafka.common.serialization.ByteArrayDeserializer': 'bytes',
  'org.apache.kafka.common.serialization.StringDeserializer': 'string',
};

export function toDeserializer<T>(option: DeserializerOption<T> | undefined, what: string): Deserializer<T> {
  if (option === undefined) return Deserializers.buffer as Deserializer<T>;
  if (typeof option === 'function') return option;
  const found = Object.hasOwn(BY_NAME, option) ? BY_NAME[option] : undefined;
  if (!found) throw new FloeError('INVALID_CONFIG', `unknown ${what} "${String(option)}": use bytes, string, json or a function`);
  return found as Deserializer<T>;
}
