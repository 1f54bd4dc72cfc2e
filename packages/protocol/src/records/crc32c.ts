/** CRC-32C (Castagnoli): the SIMD native addon where it is installed, AWS's pure-JS implementation otherwise (Lambda). */
import { crc32c as portableCrc32c } from '@aws-crypto/crc32c';
import { optionalRequire } from './native.js';

const native = optionalRequire<{ crc32c: (input: Uint8Array, initial?: number) => number }>('@node-rs/crc32');

export const crc32cImplementation: 'native' | 'portable' = native ? 'native' : 'portable';

export const crc32c: (data: Uint8Array) => number = native ? (data) => native.crc32c(data) >>> 0 : (data) => portableCrc32c(data) >>> 0;
