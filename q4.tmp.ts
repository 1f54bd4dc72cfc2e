import { encodeRecordBatch, decodeRecordBatch } from './src/log/record-batch.ts';
const mk = (h: boolean) => Array.from({length: 1000}, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.alloc(100, i), timestamp: 1_700_000_000_000 + (i>>4), headers: h ? [{ key: 'trace-id', value: Buffer.from(`trace-${i.toString(16).padStart(12, '0')}`) },{key:'content-type', value: Buffer.from('application/json')},{key:'source', value: Buffer.from('bench')}] : undefined }));
const b0 = encodeRecordBatch({ records: mk(false) });
const b1 = encodeRecordBatch({ records: mk(true) });
function t(name: string, fn: () => unknown, n = 300) { let best = Infinity; for (let r=0;r<15;r++){ const s = process.hrtime.bigint(); for (let i=0;i<n;i++) fn(); best = Math.min(best, Number(process.hrtime.bigint()-s)/n);} console.log(name, (best/1000).toFixed(1)); }
if (process.env.FIRST) t('dec H0', () => decodeRecordBatch(b0));
t('dec H1', () => decodeRecordBatch(b1));
t('dec H1', () => decodeRecordBatch(b1));
