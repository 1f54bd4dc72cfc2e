import { encodeRecordBatch, decodeRecordBatch } from './src/log/record-batch.ts';
const records = Array.from({length: 1000}, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(Number(process.env.VS ?? 100), i), timestamp: 1_700_000_000_000 + (i>>4), headers: process.env.H ? [{key:'trace-id', value: Buffer.from('trace-0000000001')},{key:'content-type', value: Buffer.from('application/json')},{key:'source', value: Buffer.from('bench')}] : undefined }));
const batch = encodeRecordBatch({ records });
const fn = process.env.ENC ? () => encodeRecordBatch({ records }) : () => decodeRecordBatch(batch);
const s = Date.now(); while (Date.now() - s < 4000) fn();
