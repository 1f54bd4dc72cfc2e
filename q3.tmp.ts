const b = Buffer.alloc(200000, 7);
class View extends Uint8Array {}
Object.setPrototypeOf(View.prototype, Buffer.prototype);
Object.defineProperty(View.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
function t(name: string, fn: () => unknown, n = 3000) { for (let i=0;i<500;i++) fn(); let best = Infinity; for (let r=0;r<10;r++){ const s = process.hrtime.bigint(); for (let i=0;i<n;i++) fn(); best = Math.min(best, Number(process.hrtime.bigint()-s)/n);} console.log(name, (best/1000).toFixed(2)); }
const ab = b.buffer, bo = b.byteOffset;
t('subarray x1000', () => { let x; for (let i=0;i<1000;i++) x = b.subarray(i, i+100); return x; });
t('View x1000', () => { let x; for (let i=0;i<1000;i++) x = new View(ab, bo + i, 100); return x; });
t('u8 x1000', () => { let x; for (let i=0;i<1000;i++) x = new Uint8Array(ab, bo + i, 100); return x; });
const v = new View(ab, bo+5, 10);
console.log(Buffer.isBuffer(v), v.toString('hex'), v instanceof Buffer, v.subarray(1,3), v.constructor === Buffer, Buffer.from('0507070707070707070707', 'hex').equals(v));
t('Reflect.construct x1000', () => { let x; for (let i=0;i<1000;i++) x = Reflect.construct(Uint8Array, [ab, bo + i, 100], Buffer); return x; });
const w = Reflect.construct(Uint8Array, [ab, bo + 5, 10], Buffer) as Buffer;
console.log(Buffer.isBuffer(w), w.toString('hex'), w.subarray(1,3), w.constructor === Buffer, Object.getPrototypeOf(w) === Buffer.prototype);
class V2 extends Uint8Array { constructor(a: ArrayBuffer, o: number, l: number) { super(a, o, l); } }
t('V2 plain subclass x1000', () => { let x; for (let i=0;i<1000;i++) x = new V2(ab, bo + i, 100); return x; });
