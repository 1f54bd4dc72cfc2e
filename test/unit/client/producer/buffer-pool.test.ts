/** buffer.memory accounting: immediate reservations, first-come-first-served waiting, max.block.ms. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../../packages/client/src/producer/buffer-pool.js';
import type { FloeError } from '../../../../packages/protocol/src/errors.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('buffer pool', () => {
  it('reserves while memory is free and refuses beyond it', () => {
    // Prepare
    const pool = new BufferPool(100);
    // Act
    const results = [pool.tryReserve(60), pool.tryReserve(40), pool.tryReserve(1)];
    // Assess
    expect(results).toEqual([true, true, false]);
    expect(pool.availableBytes).toBe(0);
  });

  it('grants waiting reservations in arrival order as memory is released', async () => {
    // Prepare
    const pool = new BufferPool(100);
    pool.tryReserve(100);
    const granted: string[] = [];
    const big = pool.reserve(80, 10_000).then(() => granted.push('big'));
    const small = pool.reserve(10, 10_000).then(() => granted.push('small'));
    // Act: 20 bytes free: the small one fits but must not overtake the big one
    pool.release(20);
    await Promise.resolve();
    const afterFirstRelease = [...granted];
    const barging = pool.tryReserve(5);
    pool.release(80);
    await Promise.all([big, small]);
    // Assess
    expect(afterFirstRelease).toEqual([]);
    expect(barging).toBe(false);
    expect(granted).toEqual(['big', 'small']);
    expect(pool.availableBytes).toBe(10);
  });

  it('fails a waiting reservation with BUFFER_EXHAUSTED after max.block.ms', async () => {
    // Prepare
    vi.useFakeTimers();
    const pool = new BufferPool(100);
    pool.tryReserve(100);
    const waiting = pool.reserve(10, 500).catch((error: FloeError) => error);
    // Act
    await vi.advanceTimersByTimeAsync(499);
    const stillWaiting = pool.waiting;
    await vi.advanceTimersByTimeAsync(1);
    const error = await waiting;
    // Assess
    expect(stillWaiting).toBe(1);
    expect((error as FloeError).code).toBe('BUFFER_EXHAUSTED');
    expect((error as FloeError).message).toMatch(/max\.block\.ms \(500 ms\)/);
    expect(pool.waiting).toBe(0);
  });

  it('lets the next waiter through when the one ahead of it times out', async () => {
    // Prepare
    vi.useFakeTimers();
    const pool = new BufferPool(100);
    pool.tryReserve(90);
    const big = pool.reserve(50, 100).catch(() => 'timed out');
    const small = pool.reserve(10, 10_000).then(() => 'granted');
    // Act
    await vi.advanceTimersByTimeAsync(100);
    // Assess
    expect(await big).toBe('timed out');
    expect(await small).toBe('granted');
  });
});
