import { encodeRecordBatch, decodeRecordBatch } from './src/log/record-batch.ts';
import { crc32c } from '@node-rs/crc32';
const records = Array.from({length: 1000}, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(Number(process.env.VS ?? 1024), i), timestamp: 1_700_000_000_000 + (i>>4), headers: process.env.H ? [{key:'trace-id', value: Buffer.from('trace-0000000001')},{key:'content-type', value: Buffer.from('application/json')},{key:'source', value: Buffer.from('bench')}] : undefined }));
const batch = encodeRecordBatch({ records });
function t(name: string, fn: () => unknown, n = 300) { for (let i=0;i<500;i++) fn(); let best = Infinity; for (let r=0;r<15;r++){ const s = process.hrtime.bigint(); for (let i=0;i<n;i++) fn(); best = Math.min(best, Number(process.hrtime.bigint()-s)/n);} return best/1000; }
const out: string[] = [];
out.push('crc ' + t('crc', () => crc32c(batch.subarray(21))).toFixed(1));
out.push('decode ' + t('decode', () => decodeRecordBatch(batch)).toFixed(1));
out.push('encode ' + t('encode', () => encodeRecordBatch({ records })).toFixed(1));
console.log(`VS=${process.env.VS ?? 1024} H=${process.env.H ?? 0}`, out.join('  '));
