/**
 * How `floe consume` prints a record. Keys and values print as text, base64 or hex and
 * are never changed: text values are written as their stored bytes; in JSON, bytes that
 * are not UTF-8 need base64 or hex (SERIALIZATION_ERROR says so).
 */
import type { ConsumerRecord } from '@floe/client';
import { encodeField, type RecordFormat } from '../record-format.js';

export interface OutputOptions {
  json?: boolean;
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
}

const NEWLINE = Buffer.from('\n');

/** One output line: the value alone (its bytes as stored, for text), or a JSON object. */
export function formatRecord(r: ConsumerRecord<Buffer | null, Buffer | null>, options: OutputOptions): Buffer {
  const where = `${r.topic}/${r.partition} offset ${r.offset}`;
  const field = (b: Buffer | null, format: RecordFormat, what: string) => (b === null ? null : encodeField(b, format, `the ${what} at ${where}`));
  if (!options.json) {
    const value = r.value === null ? Buffer.from('null') : options.valueFormat === 'text' ? r.value : Buffer.from(r.value.toString(options.valueFormat));
    return Buffer.concat([value, NEWLINE]);
  }
  // key, value, then headers: the first field that is not UTF-8 text is the one the error names
  const key = field(r.key, options.keyFormat, 'key');
  const value = field(r.value, options.valueFormat, 'value');
  // every header in order (a key may repeat); `headers` shows each key once, with its last value
  const headerList = r.headers.map((h) => ({ key: h.key, value: field(h.value, options.valueFormat, `header ${h.key}`) }));
  const line = JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key,
    value,
    timestamp: r.timestamp,
    headers: Object.fromEntries(headerList.map((h) => [h.key, h.value])),
    headerList,
  });
  return Buffer.from(`${line}\n`);
}
