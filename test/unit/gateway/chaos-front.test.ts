/** The chaos harness's TCP front (the NLB of the Kafka chaos mode): round robin, dead backends skipped, resets passed on. */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpFront, type TcpFront } from '../../../src/chaos/kafka/tcp-front.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A backend that answers every chunk with its name, and can be killed with its connections. */
async function backend(name: string): Promise<{ port: number; kill(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('data', () => s.write(name));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kill = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.resetAndDestroy();
      server.close(() => resolve());
    });
  cleanup.push(kill);
  return { port: (server.address() as AddressInfo).port, kill };
}

async function front(): Promise<TcpFront> {
  const f = await startTcpFront();
  cleanup.push(() => f.close());
  return f;
}

/** Connects through the front, sends one byte, returns the first answer (or how it ended). */
function ask(f: TcpFront): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(f.port, f.host, () => socket.write('?'));
    socket.once('data', (d) => {
      resolve(d.toString());
      socket.destroy();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    socket.once('close', () => resolve('closed'));
  });
}

describe('the chaos TCP front', () => {
  it('spreads connections over the backends in turn', async () => {
    // Prepare
    const [a, b] = [await backend('a'), await backend('b')];
    const f = await front();
    f.setBackends([a.port, b.port]);

    // Act
    const answers = [await ask(f), await ask(f), await ask(f), await ask(f)];

    // Assess
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('skips a backend that refuses connections (a killed process)', async () => {
    // Prepare
    const [a, b] = [await backend('a'), await backend('b')];
    const f = await front();
    f.setBackends([a.port, b.port]);
    await a.kill();

    // Act
    const answers = [await ask(f), await ask(f), await ask(f)];

    // Assess
    expect(answers).toEqual(['b', 'b', 'b']);
  });

  it('resets the client when its backend dies mid-connection', async () => {
    // Prepare
    const a = await backend('a');
    const f = await front();
    f.setBackends([a.port]);
    const socket = connect(f.port, f.host);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('?');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));

    // Act
    const ended = new Promise<string>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      socket.once('close', () => resolve('closed'));
    });
    await a.kill();

    // Assess
    expect(['ECONNRESET', 'closed']).toContain(await ended);
  });

  it('refuses (resets) clients when no backend is alive', async () => {
    // Prepare
    const f = await front();
    f.setBackends([]);

    // Act
    const answer = await ask(f);

    // Assess
    expect(['ECONNRESET', 'closed']).toContain(answer);
  });
});
