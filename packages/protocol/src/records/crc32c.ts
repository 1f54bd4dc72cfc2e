/**
 * CRC-32C (Castagnoli): the SIMD native addon where it is installed, AWS's pure-JS
 * implementation otherwise (Lambda). Chosen on first use, so importing the protocol
 * layer costs no addon load (CLI start-up).
 */
import { crc32c as portableCrc32c } from '@aws-crypto/crc32c';
import { optionalRequire } from './native.js';

type Crc32c = (data: Uint8Array) => number;

let chosen: { kind: 'native' | 'portable'; fn: Crc32c } | undefined;

function choose(): { kind: 'native' | 'portable'; fn: Crc32c } {
  const native = optionalRequire<{ crc32c: (input: Uint8Array, initial?: number) => number }>('@node-rs/crc32');
  return native ? { kind: 'native', fn: (data) => native.crc32c(data) >>> 0 } : { kind: 'portable', fn: (data) => portableCrc32c(data) >>> 0 };
}

export const crc32cImplementation = (): 'native' | 'portable' => (chosen ??= choose()).kind;

export const crc32c: Crc32c = (data) => (chosen ??= choose()).fn(data);
