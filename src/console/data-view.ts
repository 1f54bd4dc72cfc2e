/**
 * How a key, value or header value is shown: UTF-8 text as is, JSON objects
 * and arrays pretty-printed, anything else as a hex dump. Large data is cut to
 * a preview so a page of records stays small in the browser.
 */
import type { DataView } from './shared/api-types.js';

/** Bytes of a datum shown at most (text and JSON are cut after this many characters). */
export const PREVIEW_BYTES = 8 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Control characters other than tab, newline and carriage return mark data as binary. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The text of valid UTF-8 without control characters, else undefined. */
export function textOf(bytes: Uint8Array): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return CONTROL.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

function prettyJson(text: string): string | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return undefined;
  }
}

/** xxd-style lines: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

const cut = (text: string): { display: string; truncated: boolean } =>
  text.length > PREVIEW_BYTES ? { display: text.slice(0, PREVIEW_BYTES), truncated: true } : { display: text, truncated: false };

export function toDataView(bytes: Buffer | null): DataView {
  if (bytes === null) return { kind: 'null', size: 0, display: '', truncated: false };
  const text = textOf(bytes);
  if (text !== undefined) {
    const json = prettyJson(text);
    return json === undefined ? { kind: 'text', size: bytes.length, ...cut(text) } : { kind: 'json', size: bytes.length, ...cut(json) };
  }
  return { kind: 'binary', size: bytes.length, display: hexDump(bytes.subarray(0, PREVIEW_BYTES)), truncated: bytes.length > PREVIEW_BYTES };
}

/** What a key filter compares with: the key's text, or its bytes in hex when it is binary. */
export function keyFilterText(key: Buffer | null): string | undefined {
  if (key === null) return undefined;
  return textOf(key) ?? key.toString('hex');
}
