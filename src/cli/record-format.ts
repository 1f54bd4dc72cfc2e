/**
 * How keys and values travel between the command line and a record's bytes, and never
 * changed on the way: `text` is UTF-8 and refuses bytes that are not (instead of the
 * U+FFFD replacement that once stored `ff fe` as `ef bf bd`), `base64` and `hex` carry
 * any bytes.
 */
import { FloeError } from '@floe/protocol';

export const RECORD_FORMATS = ['text', 'base64', 'hex'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The bytes that `input` (as read, still undecoded) stands for; `what` names it in errors, e.g. "line 3's value". */
export function decodeField(input: Buffer, format: RecordFormat, what: string): Buffer {
  if (format === 'text') {
    if (!isUtf8(input)) throw new FloeError('INVALID_REQUEST', `${what} is not UTF-8 text: use --key-format/--value-format base64 or hex, or --value-file for raw bytes`);
    return input;
  }
  const text = input.toString('latin1').trim();
  if (!(format === 'base64' ? BASE64 : HEX).test(text)) throw new FloeError('INVALID_REQUEST', `${what} is not valid ${format}`);
  return Buffer.from(text, format);
}

/** Stored bytes as text in a format; `text` refuses bytes that are not UTF-8 (`what` names them). */
export function encodeField(bytes: Buffer, format: RecordFormat, what: string): string {
  if (format !== 'text') return bytes.toString(format);
  if (!isUtf8(bytes)) throw new FloeError('SERIALIZATION_ERROR', `${what} is not UTF-8 text: use --key-format/--value-format base64 or hex`);
  return bytes.toString('utf8');
}
