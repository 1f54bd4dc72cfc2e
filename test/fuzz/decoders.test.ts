/**
 * Every decoder against generated malformed input: it returns or throws a FloeError
 * (a documented 4xx code), never a RangeError/TypeError or anything else a handler
 * would turn into a 5xx. Mutated batches get their CRC recomputed so that the
 * record decoding behind the CRC check is reached too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FloeError } from '../../packages/protocol/src/errors.js';
import { batchCrc, COMPRESSION_CODECS, CRC_OFFSET, CRC_START } from '../../packages/protocol/src/records/batch-header.js';
import { decodeRecordBatch, decodeRecordBatches, encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { decodeFetchResponse, encodeFetchResponse } from '../../packages/protocol/src/http/fetch-response.js';
import { decodeProduceRequest, encodeProduceRequest } from '../../packages/protocol/src/http/produce-request.js';
import { validateBatch } from '../../packages/protocol/src/records/batch-header.js';
import { validateRecords } from '../../packages/protocol/src/records/validate-records.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';
import { craftedBatch, hostileBatch } from './hostile-batches.js';

/** Runs `decode`; a throw must be a FloeError whose documented status is a 4xx. */
function rejectsCleanly(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof FloeError)) throw new Error(`decoder crashed: ${String(error)}`, { cause: error });
    const status = ERROR_CODES[error.code].status;
    expect(status, `${error.code}: ${error.message}`).toBeGreaterThanOrEqual(400);
    expect(status, `${error.code}: ${error.message}`).toBeLessThan(500);
  }
}

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null }),
  headers: fc.option(fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)) }), { maxLength: 3 }), { nil: undefined }),
});
const validBatch = fc
  .record({ records: fc.array(record, { minLength: 1, maxLength: 5 }), compression: fc.constantFrom(...COMPRESSION_CODECS) })
  .map((o) => encodeRecordBatch(o));

/** Edits: overwrite, insert, delete bytes, or truncate/extend. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdits(input: Buffer, edits: Edit[]): Buffer {
  let buf = Buffer.from(input);
  for (const e of edits) {
    const at = buf.length === 0 ? 0 : e.at % (buf.length + 1);
    if (e.op === 'set' && at < buf.length) buf[at] = e.byte;
    if (e.op === 'insert') buf = Buffer.concat([buf.subarray(0, at), Buffer.from(e.bytes), buf.subarray(at)]);
    if (e.op === 'delete') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + e.n)]);
    if (e.op === 'truncate') buf = buf.subarray(0, at);
  }
  return buf;
}

/** Makes the CRC match the (mutated) bytes so the decoder goes past the CRC check. */
function fixCrc(batch: Buffer): Buffer {
  if (batch.length > CRC_START) batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
  return batch;
}

const mutatedBatch = fc.tuple(validBatch, fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([b, edits, fix]) => {
  const out = applyEdits(b, edits);
  return fix ? fixCrc(out) : out;
});
const randomBytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));

describe('decoder fuzzing', () => {
  it('decodeRecordBatch rejects malformed batches with a 4xx FloeError', { timeout: fuzzTimeout(2) }, () => {
    fc.assert(fc.property(fc.oneof(mutatedBatch, randomBytes), (b) => rejectsCleanly(() => decodeRecordBatch(b))), fuzzParams());
    // a header-only mutation keeps the CRC valid: still a clean answer
    fc.assert(fc.property(validBatch, fc.integer({ min: 0, max: CRC_START - 1 }), fc.integer({ min: 0, max: 255 }), (b, at, v) => {
      b[at] = v;
      rejectsCleanly(() => decodeRecordBatch(b));
    }), fuzzParams());
  });

  it('decodeRecordBatches rejects malformed concatenations with a 4xx FloeError', { timeout: fuzzTimeout(1) }, () => {
    const concatenated = fc.tuple(fc.array(validBatch, { minLength: 1, maxLength: 3 }), fc.array(edit, { maxLength: 4 }), fc.boolean()).map(([bs, edits, fix]) => {
      const out = applyEdits(Buffer.concat(bs), edits);
      return fix && bs[0] && out.length >= bs[0].length ? Buffer.concat([fixCrc(out.subarray(0, bs[0].length)), out.subarray(bs[0].length)]) : out;
    });
    fc.assert(fc.property(fc.oneof(concatenated, randomBytes), (b) => rejectsCleanly(() => decodeRecordBatches(b))), fuzzParams());
  });

  const produceRequest = fc.record({
    acks: fc.constantFrom(-1, 0, 1),
    timeoutMs: fc.nat(),
    topics: fc.array(
      fc.record({ topic: fc.string({ minLength: 1, maxLength: 12 }), partitions: fc.array(fc.record({ partition: fc.nat(100), records: validBatch }), { minLength: 1, maxLength: 3 }) }),
      { minLength: 1, maxLength: 3 },
    ),
  });

  it('decodeProduceRequest round-trips valid requests and rejects malformed ones with a 4xx', { timeout: fuzzTimeout(2) }, () => {
    fc.assert(fc.property(produceRequest, (req) => {
      expect(decodeProduceRequest(encodeProduceRequest(req))).toEqual(req);
    }), fuzzParams(Math.ceil(fuzzParams().numRuns / 5)));
    const mutated = fc.tuple(produceRequest, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([req, edits]) => applyEdits(encodeProduceRequest(req), edits));
    fc.assert(fc.property(fc.oneof(mutated, randomBytes), (b) => rejectsCleanly(() => decodeProduceRequest(b))), fuzzParams());
  });

  it('decodeFetchResponse rejects malformed responses with a FloeError', { timeout: fuzzTimeout(1) }, () => {
    const response = fc
      .array(
        fc.record({
          topic: fc.string({ minLength: 1, maxLength: 12 }),
          partitions: fc.array(
            fc.record({ partition: fc.nat(100), errorCode: fc.constant('NONE' as const), highWatermark: fc.nat(), logStartOffset: fc.nat(), records: validBatch }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 3 },
      )
      .map((topics) => encodeFetchResponse(topics));
    const mutated = fc.tuple(response, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([b, edits]) => applyEdits(b, edits));
    fc.assert(fc.property(fc.oneof(mutated, randomBytes), (b) => rejectsCleanly(() => decodeFetchResponse(b))), fuzzParams());
  });

  it('record validation (produce) refuses every hostile batch with a 4xx, and whatever it accepts decodes to exactly the records claimed', { timeout: fuzzTimeout(2) }, () => {
    const limit = 1024 * 1024;
    // a valid header and CRC around lying records: never accepted
    fc.assert(fc.property(hostileBatch, (b) => {
      let accepted = false;
      rejectsCleanly(() => {
        validateRecords(b, validateBatch(b), limit);
        accepted = true;
      });
      expect(accepted, b.toString('hex')).toBe(false);
      rejectsCleanly(() => decodeRecordBatch(b));
    }), fuzzParams());
    // records written field by field from hostile values: accepted only if every reader can read them
    fc.assert(fc.property(craftedBatch, (b) => {
      let header;
      try {
        header = validateBatch(b);
        validateRecords(b, header, limit);
      } catch (error) {
        rejectsCleanly(() => {
          throw error;
        });
        return;
      }
      const decoded = decodeRecordBatch(b);
      expect(decoded.records.map((r) => r.offset)).toEqual(Array.from({ length: header.recordCount }, (_, i) => i));
    }), fuzzParams());
  });
});
