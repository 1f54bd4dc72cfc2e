/**
 * The SCRAM message grammar (RFC 5802 section 7), server side: parse what a client sends,
 * format what the server answers. Pure: no keys, no users. Every function throws
 * ScramFormatError on input that breaks the grammar.
 */

export class ScramFormatError extends Error {
  override readonly name = 'ScramFormatError';
}

/** Bounds the work one message can cause (Kafka's clients send well under 1 KiB). */
export const SCRAM_MAX_MESSAGE_BYTES = 4096;

export interface ClientFirst {
  /** `n,,` or `y,,` (with `a=...` when an authorization id is given): echoed back base64 in `c=`. */
  gs2Header: string;
  authzid: string | undefined;
  username: string;
  clientNonce: string;
  /** client-first-message-bare: the part that enters the AuthMessage. */
  bare: string;
  /** Extensions after the nonce (Kafka's `tokenauth=true` for delegation tokens). */
  extensions: ReadonlyMap<string, string>;
}

export interface ClientFinal {
  /** The `c=` value: base64 of the gs2 header (no channel binding data, as no -PLUS mechanism is offered). */
  channelBinding: string;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof: the part that enters the AuthMessage. */
  withoutProof: string;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EXTENSION_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** Decodes the bytes as UTF-8, refusing anything that is not (a replacement character means it was not). */
export function scramText(bytes: Buffer): string {
  if (bytes.length > SCRAM_MAX_MESSAGE_BYTES) throw new ScramFormatError(`message of ${bytes.length} bytes is longer than ${SCRAM_MAX_MESSAGE_BYTES}`);
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') || text.includes('\0')) throw new ScramFormatError('message is not valid UTF-8 text');
  return text;
}

/** saslname: `=2C` stands for `,` and `=3D` for `=`; any other `=` is an error. */
export function decodeSaslName(value: string): string {
  if (/=(?!2C|3D)/.test(value)) throw new ScramFormatError('bad escape in user name');
  const name = value.replace(/=2C/g, ',').replace(/=3D/g, '=');
  if (name === '') throw new ScramFormatError('empty user name');
  return name;
}

export const encodeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

export function decodeBase64(value: string, what: string): Buffer {
  if (value === '' || !BASE64.test(value)) throw new ScramFormatError(`${what} is not base64`);
  return Buffer.from(value, 'base64');
}

function attribute(part: string | undefined, name: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) throw new ScramFormatError(`expected ${name}=`);
  return part.slice(name.length + 1);
}

function extensionsOf(parts: string[]): Map<string, string> {
  const extensions = new Map<string, string>();
  for (const part of parts) {
    const cut = part.indexOf('=');
    const key = part.slice(0, cut);
    if (cut <= 0 || !EXTENSION_KEY.test(key)) throw new ScramFormatError(`bad extension "${part.slice(0, 32)}"`);
    extensions.set(key, part.slice(cut + 1));
  }
  return extensions;
}

export function parseClientFirst(text: string): ClientFirst {
  const parts = text.split(',');
  const [flag, authz] = parts;
  if (flag === undefined || authz === undefined) throw new ScramFormatError('missing gs2 header');
  if (flag.startsWith('p=')) throw new ScramFormatError('channel binding is not supported (no -PLUS mechanism is offered)');
  if (flag !== 'n' && flag !== 'y') throw new ScramFormatError('bad gs2 channel binding flag');
  const authzid = authz === '' ? undefined : decodeSaslName(attribute(authz, 'a'));
  const bareParts = parts.slice(2);
  if (bareParts[0]?.startsWith('m=')) throw new ScramFormatError('mandatory extensions are not supported');
  const username = decodeSaslName(attribute(bareParts[0], 'n'));
  const clientNonce = attribute(bareParts[1], 'r');
  if (!PRINTABLE_NONCE.test(clientNonce)) throw new ScramFormatError('bad client nonce');
  return {
    gs2Header: `${flag},${authz},`,
    authzid,
    username,
    clientNonce,
    bare: bareParts.join(','),
    extensions: extensionsOf(bareParts.slice(2)),
  };
}

export function parseClientFinal(text: string): ClientFinal {
  const cut = text.lastIndexOf(',p=');
  if (cut < 0) throw new ScramFormatError('missing proof');
  const withoutProof = text.slice(0, cut);
  const parts = withoutProof.split(',');
  const channelBinding = attribute(parts[0], 'c');
  const nonce = attribute(parts[1], 'r');
  extensionsOf(parts.slice(2));
  return { channelBinding, nonce, proof: decodeBase64(text.slice(cut + 3), 'proof'), withoutProof };
}

export const formatServerFirst = (nonce: string, salt: Buffer, iterations: number): string =>
  `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;

export const formatServerFinal = (serverSignature: Buffer): string => `v=${serverSignature.toString('base64')}`;
