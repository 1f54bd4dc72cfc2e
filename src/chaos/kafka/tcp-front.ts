/**
 * A round-robin TCP front for gateway processes: what the Network Load Balancer is to the
 * Fargate tasks. Each client connection is piped to the next live backend; a refused backend
 * (a dead process) is skipped; when a backend dies mid-connection the client's socket is reset,
 * as an NLB does, and the Kafka client reconnects through the front to another backend.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpFront {
  host: string;
  port: number;
  setBackends(ports: number[]): void;
  /** Client connections open now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpFront(host = '127.0.0.1'): Promise<TcpFront> {
  let backends: number[] = [];
  let next = 0;
  const open = new Set<Socket>();

  function dial(client: Socket, tries: number): void {
    const list = backends;
    if (list.length === 0 || tries >= list.length) {
      client.resetAndDestroy();
      return;
    }
    const port = list[next++ % list.length] as number;
    const upstream = connect({ host, port, noDelay: true });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (!connected && error.code === 'ECONNREFUSED' && !client.destroyed) dial(client, tries + 1);
      else if (!client.destroyed) client.resetAndDestroy();
    });
    // A backend that closes cleanly ends the client's connection through the pipe; one that dies resets it.
    upstream.once('close', (hadError) => {
      if (connected && hadError && !client.destroyed) client.resetAndDestroy();
    });
    client.once('close', () => upstream.destroy());
  }

  const server = createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    dial(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    host,
    port: (server.address() as AddressInfo).port,
    setBackends(ports) {
      backends = [...ports];
    },
    get connections() {
      return open.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
