/** The shared Ctrl-C handling: first signal asks for a clean shutdown, a repeat from a wrapper is ignored, a second Ctrl-C forces the exit. */
import { afterEach, describe, expect, it } from 'vitest';
import { onShutdownSignals, REPEAT_WINDOW_MS, type Shutdown } from '../../../src/cli/signals.js';

let shutdown: Shutdown | undefined;
afterEach(() => shutdown?.dispose());

function harness() {
  const out = { written: [] as string[], exits: [] as number[], time: 1_000_000 };
  shutdown = onShutdownSignals({ write: (t) => out.written.push(t), exit: (code) => out.exits.push(code), now: () => out.time, message: 'leaving' });
  return out;
}

describe('onShutdownSignals', () => {
  it('asks for a clean shutdown on the first SIGINT and says so', async () => {
    // Prepare
    const out = harness();

    // Act
    process.emit('SIGINT', 'SIGINT');

    // Assess
    expect(shutdown?.requested).toBe(true);
    expect(shutdown?.signal.aborted).toBe(true);
    await expect(shutdown?.whenRequested).resolves.toBe('SIGINT');
    expect(out.written).toEqual(['leaving... (Ctrl-C again to force)\n']);
    expect(out.exits).toEqual([]);
  });

  it('takes the same Ctrl-C passed on by a wrapper for one signal, and a later one as "force"', () => {
    // Prepare
    const out = harness();

    // Act
    process.emit('SIGINT', 'SIGINT');
    out.time += 20;
    process.emit('SIGINT', 'SIGINT'); // npx or a shell forwarding the same keypress
    const afterRepeat = [...out.exits];
    out.time += REPEAT_WINDOW_MS;
    process.emit('SIGINT', 'SIGINT');

    // Assess
    expect(afterRepeat).toEqual([]);
    expect(out.exits).toEqual([130]);
  });

  it('shuts down cleanly on SIGTERM too', async () => {
    // Prepare
    harness();

    // Act
    process.emit('SIGTERM', 'SIGTERM');

    // Assess
    await expect(shutdown?.whenRequested).resolves.toBe('SIGTERM');
  });

  it('stops listening once disposed', () => {
    // Prepare
    const before = process.listenerCount('SIGINT');
    harness();
    const during = process.listenerCount('SIGINT');

    // Act
    shutdown?.dispose();

    // Assess
    expect(during).toBe(before + 1);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
