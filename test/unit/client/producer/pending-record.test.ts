/** The handle send() returns: a thenable whose promise is made on first use, and the send callback. */
import { describe, expect, it, vi } from 'vitest';
import { PendingRecord, type RecordMetadata } from '../../../../packages/client/src/producer/pending-record.js';
import { FloeError } from '../../../../packages/protocol/src/errors.js';

function record(): PendingRecord {
  const r = new PendingRecord('orders');
  r.key = Buffer.from('k1');
  r.value = Buffer.alloc(10);
  r.timestamp = 1_700_000_000_000;
  return r;
}

const expected: RecordMetadata = { topic: 'orders', partition: 3, offset: 42, timestamp: 1_700_000_000_000, serializedKeySize: 2, serializedValueSize: 10 };

describe('pending record', () => {
  it('resolves an await made before the outcome with the record metadata', async () => {
    // Prepare
    const r = record();
    const awaited = (async () => await r)();
    // Act
    r.succeed(3, 42);
    // Assess
    await expect(awaited).resolves.toEqual(expected);
  });

  it('resolves an await made after the outcome, and works with Promise.all', async () => {
    // Prepare
    const a = record();
    const b = record();
    // Act
    a.succeed(3, 42);
    b.succeed(3, 43);
    // Assess
    const [ma, mb] = await Promise.all([a, b]);
    expect(ma).toEqual(expected);
    expect(mb?.offset).toBe(43);
  });

  it('rejects with the failure, before or after it happened, and ignores a second outcome', async () => {
    // Prepare
    const early = record();
    const late = record();
    const pending = early.catch((e: unknown) => e);
    const error = new FloeError('UNKNOWN_SERVER_ERROR', 'boom');
    // Act
    early.fail(error);
    late.fail(error);
    late.succeed(0, 1);
    // Assess
    expect(await pending).toBe(error);
    await expect(late).rejects.toBe(error);
    await expect(late.finally(() => undefined)).rejects.toBe(error);
  });

  it('drops a failure nobody awaits without an unhandled rejection', async () => {
    // Prepare
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      // Act
      record().fail(new FloeError('UNKNOWN_SERVER_ERROR', 'ignored'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Assess
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('tells the callback once, in a later microtask, with metadata or the error', async () => {
    // Prepare
    const ok = record();
    const bad = record();
    const seen: Array<[RecordMetadata | undefined, Error | undefined]> = [];
    ok.callback = (m, e) => seen.push([m, e]);
    bad.callback = (m, e) => seen.push([m, e]);
    const error = new FloeError('UNKNOWN_SERVER_ERROR', 'nope');
    // Act
    ok.succeed(3, 42);
    ok.succeed(3, 99);
    bad.fail(error);
    const synchronously = seen.length;
    await Promise.resolve();
    // Assess
    expect(synchronously).toBe(0);
    expect(seen).toEqual([
      [expected, undefined],
      [undefined, error],
    ]);
  });

  it('gives the callback and the awaiting caller the same outcome', async () => {
    // Prepare
    const r = record();
    const callback = vi.fn();
    r.callback = callback;
    const awaited = r.then((m) => m);
    // Act
    r.succeed(3, 42);
    const metadata = await awaited;
    // Assess
    expect(metadata).toEqual(expected);
    expect(callback).toHaveBeenCalledWith(metadata, undefined);
  });

  it('tells a callback set before the promise was made, once, when both ask for a failure', async () => {
    // Prepare
    const r = record();
    const callback = vi.fn();
    r.callback = callback;
    const caught = r.catch((e: unknown) => e);
    const error = new FloeError('UNKNOWN_SERVER_ERROR', 'late');
    // Act
    r.fail(error);
    // Assess
    expect(await caught).toBe(error);
    await Promise.resolve();
    expect(callback).toHaveBeenCalledTimes(1);
    expect(callback).toHaveBeenCalledWith(undefined, error);
  });
});
