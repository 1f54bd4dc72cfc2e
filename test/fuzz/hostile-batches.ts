/**
 * Structure-aware hostile batches (issue 13's poison batches): a valid RecordBatch v2 header and
 * CRC around records that lie. `hostileBatch` edits one record field of a real batch the way an
 * attacker would (count, lengths, varints, offset deltas, attributes, trailing bytes, a codec flag
 * on data of another codec) and is always invalid; `craftedBatch` builds the records section field
 * by field from hostile values and may or may not be valid.
 */
import fc from 'fast-check';
import { batchCrc, BATCH_HEADER_SIZE, COMPRESSION_CODECS, CRC_OFFSET } from '../../packages/protocol/src/records/batch-header.js';
import { compress } from '../../packages/protocol/src/records/compression.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { writeVarint, writeVarlong } from '../../packages/protocol/src/records/varint.js';

/** Recomputes the CRC and the length field after an edit. */
export function reseal(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
  return batch;
}

const value = fc.uint8Array({ minLength: 0, maxLength: 12 }).map((a) => Buffer.from(a));
const records = fc.array(fc.record({ key: fc.option(value, { nil: null }), value: fc.option(value, { nil: null }) }), { minLength: 1, maxLength: 6 });

/** Offsets of each record's fields in an uncompressed batch built from `records` (all varints here are one byte). */
function fieldsOf(batch: Buffer): Array<{ start: number; attributes: number; offsetDelta: number; keyLength: number }> {
  const out = [];
  let pos = BATCH_HEADER_SIZE;
  while (pos < batch.length) {
    const length = (batch[pos] as number) >> 1; // zigzag of a small positive length
    out.push({ start: pos, attributes: pos + 1, offsetDelta: pos + 3, keyLength: pos + 4 });
    pos += 1 + length;
  }
  return out;
}

const EDITS = ['count-up', 'count-down', 'attributes', 'offset-delta', 'record-length', 'key-overrun', 'trailing', 'overlong-varint', 'codec-flag', 'truncate-records'] as const;

/** Always invalid: a real batch with one hostile edit and a valid CRC. */
export const hostileBatch = fc.tuple(records, fc.constantFrom(...EDITS), fc.nat(), fc.integer({ min: 1, max: 120 })).map(([rs, edit, pick, n]) => {
  let b = Buffer.from(encodeRecordBatch({ records: rs }));
  const fields = fieldsOf(b);
  const f = fields[pick % fields.length]!;
  const count = rs.length;
  switch (edit) {
    case 'count-up':
    case 'count-down': {
      const claimed = edit === 'count-up' ? count + n : Math.max(0, count - 1 - (n % count));
      if (claimed === 0) b.writeInt32BE(count + 1, 57);
      else b.writeInt32BE(claimed, 57);
      b.writeInt32BE(b.readInt32BE(57) - 1, 23);
      break;
    }
    case 'attributes':
      b[f.attributes] = 1 + (n % 255);
      break;
    case 'offset-delta':
      b[f.offsetDelta] = (fields.indexOf(f) + 1 + (n % 50)) << 1; // a delta other than the record's index
      break;
    case 'record-length':
      b[f.start] = ((((b[f.start] as number) >> 1) + (n % 2 ? 1 : -1)) << 1) & 0x7f;
      break;
    case 'key-overrun':
      b[f.keyLength] = 0x7e; // key of 63 bytes: past the record
      break;
    case 'trailing':
      b = Buffer.concat([b, Buffer.alloc(1 + (n % 7), n)]);
      break;
    case 'overlong-varint':
      b = Buffer.concat([b.subarray(0, f.start), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), b.subarray(f.start + 1)]);
      break;
    case 'codec-flag':
      b.writeInt16BE([1, 3, 4][n % 3]!, 21); // gzip, lz4, zstd: formats with a magic number uncompressed records never start with
      break;
    case 'truncate-records':
      b = b.subarray(0, Math.max(BATCH_HEADER_SIZE, b.length - 1 - (n % (b.length - BATCH_HEADER_SIZE))));
      b = Buffer.from(b);
      break;
  }
  return reseal(b);
});

/** A records section written field by field from hostile values; the header claims `count` records. */
export const craftedBatch = fc
  .tuple(
    fc.array(
      fc.record({
        length: fc.oneof(fc.constant(undefined), fc.integer({ min: -5, max: 300 })),
        attributes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
        timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(2 ** 40)),
        offsetDelta: fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 10 })),
        keyLength: fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 40 })),
        value: fc.option(value, { nil: null }),
        headers: fc.array(fc.record({ keyLength: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 20 })), value: fc.option(value, { nil: null }) }), { maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    fc.integer({ min: -1, max: 2 }),
    fc.constantFrom(...COMPRESSION_CODECS),
  )
  .map(([specs, countSkew, compression]) => {
    const parts: Buffer[] = [];
    specs.forEach((s, i) => {
      const body: number[] = [];
      const push = (write: (b: Buffer, pos: number) => number) => {
        const tmp = Buffer.alloc(10);
        body.push(...tmp.subarray(0, write(tmp, 0)));
      };
      body.push(s.attributes);
      push((b, p) => writeVarlong(b, p, s.timestampDelta));
      push((b, p) => writeVarint(b, p, s.offsetDelta ?? i));
      const key = Buffer.from('k');
      push((b, p) => writeVarint(b, p, s.keyLength ?? key.length));
      body.push(...key);
      push((b, p) => writeVarint(b, p, s.value === null ? -1 : s.value.length));
      if (s.value) body.push(...s.value);
      push((b, p) => writeVarint(b, p, s.headers.length));
      for (const h of s.headers) {
        push((b, p) => writeVarint(b, p, h.keyLength ?? 1));
        body.push(0x68);
        push((b, p) => writeVarint(b, p, h.value === null ? -1 : h.value.length));
        if (h.value) body.push(...h.value);
      }
      const len = Buffer.alloc(5);
      parts.push(len.subarray(0, writeVarint(len, 0, s.length ?? body.length)), Buffer.from(body));
    });
    const count = Math.max(1, specs.length + countSkew);
    const template = encodeRecordBatch({ records: Array.from({ length: count }, () => ({ key: null, value: null })), compression });
    const recordsSection = Buffer.concat(parts);
    // Keep the template's header (codec bits included); put the crafted records (compressed with the same codec) behind it.
    const packed = compression === 'none' ? recordsSection : compress(compression, recordsSection);
    return reseal(Buffer.concat([template.subarray(0, BATCH_HEADER_SIZE), packed]));
  });

