/** The progress line of `floe produce`: silent for short or non-terminal runs, rates once drawn. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { produceDisplay, ProgressLine } from '../../../src/cli/commands/produce-progress.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('produce progress line', () => {
  it('stays silent when disabled, however long the run', async () => {
    // Prepare
    vi.useFakeTimers();
    const out: string[] = [];
    const progress = new ProgressLine({ enabled: false, write: (t) => out.push(t) });
    // Act
    for (let i = 0; i < 1000; i++) progress.acknowledged(100);
    await vi.advanceTimersByTimeAsync(10_000);
    progress.finish();
    // Assess
    expect(out).toEqual([]);
  });

  it('stays silent for an input that finishes before the first draw', async () => {
    // Prepare
    vi.useFakeTimers();
    const out: string[] = [];
    const progress = new ProgressLine({ enabled: true, delayMs: 1000, write: (t) => out.push(t) });
    // Act
    progress.acknowledged(10);
    await vi.advanceTimersByTimeAsync(999);
    progress.finish();
    // Assess
    expect(out).toEqual([]);
  });

  it('redraws records/s and MiB/s in place and ends with a summary line', async () => {
    // Prepare
    vi.useFakeTimers();
    const out: string[] = [];
    const progress = new ProgressLine({ enabled: true, delayMs: 1000, intervalMs: 1000, write: (t) => out.push(t) });
    // Act: 2,000 records of 1 KiB in the first second, 2,000 more in the next
    for (let i = 0; i < 2000; i++) progress.acknowledged(1024);
    await vi.advanceTimersByTimeAsync(1000);
    for (let i = 0; i < 2000; i++) progress.acknowledged(1024);
    await vi.advanceTimersByTimeAsync(1000);
    progress.finish();
    // Assess
    expect(out[0]).toMatch(/^\r2000 records, 2000 records\/s, 1\.95 MiB\/s/);
    expect(out[1]).toMatch(/^\r4000 records, 2000 records\/s, 1\.95 MiB\/s/);
    expect(out[out.length - 1]).toMatch(/\n$/);
  });
});

describe('produceDisplay', () => {
  it.each([
    ['typing at a terminal', { stdin: true, stderr: true }, false, { prompt: true, progress: false }],
    ['piped input, stderr a terminal', { stdin: false, stderr: true }, false, { prompt: false, progress: true }],
    ['piped input, --quiet', { stdin: false, stderr: true }, true, { prompt: false, progress: false }],
    ['piped input, stderr redirected', { stdin: false, stderr: false }, false, { prompt: false, progress: false }],
  ])('%s', (_name, tty, quiet, expected) => {
    // Act and Assess
    expect(produceDisplay(tty, quiet)).toEqual(expected);
  });
});
