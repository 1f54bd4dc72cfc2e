// Minimal typings for the pure-JS codecs used where native addons are absent (Lambda).
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

declare module 'lz4js' {
  export function compress(input: Uint8Array): Uint8Array;
  export function decompress(input: Uint8Array, maxSize?: number): Uint8Array;
}
