/** Key and value deserializers (Kafka's Deserializer<T>): bytes (or null) to application values. */
import type { RecordHeader } from '@floe/protocol';

export interface DeserializerContext {
  topic: string;
  headers: RecordHeader[];
}

export type Deserializer<T> = (data: Buffer | null, context: DeserializerContext) => T;

export const Deserializers = {
  /** the stored bytes as they are */
  buffer: ((data: Buffer | null) => data) as Deserializer<Buffer | null>,
  /** UTF-8 text (Kafka's StringDeserializer) */
  string: ((data: Buffer | null) => (data === null ? null : data.toString('utf8'))) as Deserializer<string | null>,
  /** JSON text */
  json: <T = unknown>(): Deserializer<T | null> => (data) => (data === null ? null : (JSON.parse(data.toString('utf8')) as T)),
} as const;
