/**
 * Lines of a byte stream as bytes: readline decodes UTF-8 and replaces what is not, so
 * `floe produce` splits the raw input itself. A line ends at "\n" ("\r\n" too); a last line
 * without one still counts. An aborted read stops at once and drops the unfinished line, as
 * Ctrl-C in kafka-console-producer does.
 */
import { addAbortSignal, type Readable } from 'node:stream';

const NEWLINE = 0x0a;
const CR = 0x0d;

const trimCr = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line);

export async function* byteLines(input: Readable, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (signal?.aborted) return;
  const source = signal ? addAbortSignal(signal, input) : input;
  let pending = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE)) {
        yield trimCr(data.subarray(0, at));
        data = data.subarray(at + 1);
      }
      pending = Buffer.from(data);
    }
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    throw error;
  }
  if (pending.length > 0) yield trimCr(pending);
}
