/**
 * Request ordering per connection: responses leave in request order whatever order handlers
 * finish in; writes to one partition run in arrival order, writes to others run alongside;
 * a request with no response (acks=0) keeps its place without blocking the line.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStruct } from '../../../packages/protocol/src/kafka/index.js';
import { SERVED_APIS } from '../../../src/gateway/apis.js';
import { Connection, type Dispatch } from '../../../src/gateway/connection.js';
import { silentLogger } from '../../../src/gateway/logger.js';
import { PartitionOrder } from '../../../src/gateway/partition-order.js';
import { ResponseQueue } from '../../../src/gateway/response-queue.js';
import { SaslConnection } from '../../../src/gateway/security/index.js';
import { KafkaWire } from '../../helpers/kafka-wire.js';

const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('ResponseQueue', () => {
  it('writes responses in the order places were reserved, skipping those settled with none', () => {
    // Prepare
    const written: string[] = [];
    const queue = new ResponseQueue((bytes) => written.push(bytes.toString()));
    const [a, b, c, d] = [queue.reserve(), queue.reserve(), queue.reserve(), queue.reserve()];

    // Act
    d(Buffer.from('d'));
    b(Buffer.from('b'));
    const afterB = [...written];
    c(null);
    a(Buffer.from('a'));

    // Assess
    expect(afterB).toEqual([]);
    expect(written).toEqual(['a', 'b', 'd']);
    expect(queue.pending).toBe(0);
  });
});

describe('PartitionOrder', () => {
  it('runs a task after every earlier task sharing a partition, and tasks on other partitions at once', async () => {
    // Prepare
    const order = new PartitionOrder();
    const log: string[] = [];
    const first = deferred();
    const task = (name: string, gate?: Promise<void>) => async () => {
      log.push(`start ${name}`);
      await gate;
      log.push(`end ${name}`);
      return name;
    };

    // Act
    const p1 = order.run(['t:0'], task('p0-a', first.promise));
    const p2 = order.run(['t:0', 't:1'], task('p0p1-b'));
    const p3 = order.run(['t:2'], task('p2-c'));
    await p3;
    const beforeRelease = [...log];
    first.resolve();
    await Promise.all([p1, p2]);

    // Assess
    expect(beforeRelease).toEqual(['start p0-a', 'start p2-c', 'end p2-c']);
    expect(log.slice(3)).toEqual(['end p0-a', 'start p0p1-b', 'end p0p1-b']);
    expect(order.busyKeys).toBe(0);
  });

  it('keeps the order after a failed task', async () => {
    // Prepare
    const order = new PartitionOrder();
    const log: string[] = [];

    // Act
    const failed = order.run(['t:0'], async () => {
      throw new Error('boom');
    });
    const next = order.run(['t:0'], async () => log.push('next'));

    // Assess
    await expect(failed).rejects.toThrow('boom');
    await next;
    expect(log).toEqual(['next']);
  });
});

describe('a connection', () => {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function serve(dispatch: Dispatch): Promise<number> {
    server = net.createServer((socket) => {
      sockets.add(socket);
      new Connection(socket, {
        id: 1,
        dispatch,
        apis: SERVED_APIS,
        maxFrameBytes: 1024 * 1024,
        maxInFlight: 8,
        sasl: new SaslConnection(undefined),
        shutdown: new AbortController().signal,
        log: silentLogger,
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server!.address() as net.AddressInfo).port;
  }

  it('answers pipelined requests in request order when later ones finish first, and sends nothing for acks=0', async () => {
    // Prepare: Heartbeat requests finish when released; a Produce with acks=0 answers nothing
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    const port = await serve(async (request) => {
      if (request.apiKey === 0) return null;
      const member = String((request.body as KafkaStruct).memberId);
      const gate = deferred();
      gates.set(member, gate);
      await gate.promise;
      return { throttleTimeMs: 0, errorCode: Number(member.slice(1)) };
    });
    const wire = await KafkaWire.connect(port);

    // Act
    const ids = [
      wire.send(12, 3, { groupId: 'g', generationId: 1, memberId: 'm1', groupInstanceId: null }),
      wire.send(0, 7, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [] }),
      wire.send(12, 3, { groupId: 'g', generationId: 1, memberId: 'm2', groupInstanceId: null }),
      wire.send(12, 3, { groupId: 'g', generationId: 1, memberId: 'm3', groupInstanceId: null }),
    ];
    while (gates.size < 3) await new Promise((r) => setTimeout(r, 5));
    gates.get('m3')!.resolve();
    gates.get('m2')!.resolve();
    await new Promise((r) => setTimeout(r, 150));
    const early = wire.buffered;
    gates.get('m1')!.resolve();
    const answers = [await wire.read(12, 3), await wire.read(12, 3), await wire.read(12, 3)];
    wire.close();

    // Assess
    expect(early).toBe(0);
    expect(answers.map((a) => a.correlationId)).toEqual([ids[0], ids[2], ids[3]]);
    expect(answers.map((a) => a.body.errorCode)).toEqual([1, 2, 3]);
  });
});
