/**
 * kafkajs 2.2.4 as an independent implementation of the non-flexible versions: its request
 * encoders and response decoders, loaded from its sources (it has no typings for them).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}

export interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<KafkajsEncoder>;
}

export interface KafkajsResponse {
  decode(payload: Buffer): Promise<Record<string, unknown>>;
}

type Protocol = (args: unknown) => { request: KafkajsRequest; response: KafkajsResponse };

/** The request builder and response decoder of one kafkajs API version, e.g. ('metadata', 1). */
export function kafkajsApi(api: string, version: number, args: unknown = {}) {
  const module = require(`kafkajs/src/protocol/requests/${api}/index.js`) as { protocol: (v: { version: number }) => Protocol };
  return module.protocol({ version })(args);
}

const frameRequest = require('kafkajs/src/protocol/request.js') as (args: {
  correlationId: number;
  clientId: string;
  request: KafkajsRequest;
}) => Promise<KafkajsEncoder>;

/** A whole request frame as kafkajs puts it on the wire: size, header v1, body. */
export async function kafkajsRequestFrame(request: KafkajsRequest, correlationId: number, clientId: string): Promise<Buffer> {
  return (await frameRequest({ correlationId, clientId, request })).buffer;
}

const Long = require('kafkajs/src/utils/long.js') as { fromString(value: string): unknown };
const RecordBatch = (require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: Record<string, unknown>) => Promise<KafkajsEncoder> }).RecordBatch;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: Record<string, unknown>) => unknown;

/** A real RecordBatch v2 (uncompressed), as kafkajs writes it. */
export async function recordBatch(messages: Array<{ key: string; value: string }>, producerId = '-1', firstSequence = 0): Promise<Buffer> {
  const batch = await RecordBatch({
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000 + messages.length - 1,
    lastOffsetDelta: messages.length - 1,
    producerId: Long.fromString(producerId),
    producerEpoch: 0,
    firstSequence,
    records: messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: i })),
  });
  // base offset int64, then batch length int32 and the rest: kafkajs's writeBytes is that length.
  return batch.buffer;
}

export { Long };

/** The furthest offset any kafkajs Decoder reached in each buffer it read. */
const reached = new WeakMap<Buffer, number>();
const Decoder = require('kafkajs/src/protocol/decoder.js') as { prototype: Record<string, unknown> };
for (const name of Object.getOwnPropertyNames(Decoder.prototype)) {
  const original = Decoder.prototype[name];
  if (!name.startsWith('read') || typeof original !== 'function') continue;
  Decoder.prototype[name] = function (this: { buffer: Buffer; offset: number }, ...args: unknown[]) {
    const note = () => reached.set(this.buffer, Math.max(reached.get(this.buffer) ?? 0, this.offset));
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) return result.then((value) => (note(), value));
    note();
    return result;
  };
}

/** Decodes a response body with kafkajs and reports how many of its bytes kafkajs read. */
export async function kafkajsDecode(response: KafkajsResponse, payload: Buffer): Promise<{ decoded: Record<string, unknown>; consumed: number }> {
  const decoded = await response.decode(payload);
  return { decoded, consumed: reached.get(payload) ?? 0 };
}
