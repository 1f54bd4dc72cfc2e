/**
 * A throwaway single-node broker over the codec, just enough for a real client (kcat/librdkafka)
 * to list metadata, produce idempotently, consume, and join a one-member group. Not the gateway:
 * it keeps everything in memory and never waits on a fetch.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  decodeRequest,
  encodeApiVersionsFallback,
  encodeResponse,
  FrameSplitter,
  KafkaProtocolError,
  supportedApis,
  type KafkaStruct,
} from '../../../../packages/protocol/src/kafka/index.js';

/** Bodies as decoded: a test double reads them loosely. */
type Body = Record<string, any>;

export interface MockBroker {
  port: number;
  /** "apiKey vVersion" of every request seen. */
  seen: string[];
  close(): Promise<void>;
}

export async function startMockBroker(): Promise<MockBroker> {
  const seen: string[] = [];
  const log = new Map<string, Buffer[]>();
  const committed = new Map<string, bigint>();
  let port = 0;
  const end = (key: string) => (log.get(key) ?? []).reduce((n, batch) => n + BigInt(batch.readInt32BE(57)), 0n);

  const answer = (apiKey: number, v: number, c: number, b: Body): KafkaStruct | null => {
    const broker = { nodeId: 1, host: '127.0.0.1', port, rack: null };
    switch (apiKey) {
      case 18:
        return { errorCode: 0, apiKeys: supportedApis(), throttleTimeMs: 0 };
      case 3:
        return {
          brokers: [broker],
          clusterId: 'floe',
          controllerId: 1,
          topics: (b.topics ?? [...log.keys()].map((k) => ({ name: k.split('/')[0] }))).map((t: Body) => ({
            errorCode: 0,
            name: t.name,
            partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
          })),
        };
      case 22:
        return { errorCode: 0, producerId: 0x7edcba9876543211n, producerEpoch: 0 };
      case 0: {
        const responses = b.topicData.map((t: Body) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p: Body) => {
            const key = `${t.name}/${p.index}`;
            const batch = Buffer.from(p.records as Buffer);
            const baseOffset = end(key);
            batch.writeBigInt64BE(baseOffset, 0); // outside the CRC, as brokers do
            log.set(key, [...(log.get(key) ?? []), batch]);
            return { index: p.index, errorCode: 0, baseOffset };
          }),
        }));
        return b.acks === 0 ? null : { responses };
      }
      case 2:
        return {
          topics: b.topics.map((t: Body) => ({
            name: t.name,
            partitions: t.partitions.map((p: Body) => {
              const offset = p.timestamp === -2n ? 0n : end(`${t.name}/${p.partitionIndex}`);
              return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [offset], offset };
            }),
          })),
        };
      case 1:
        return {
          responses: b.topics.map((t: Body) => ({
            topic: t.topic,
            partitions: t.partitions.map((p: Body) => {
              const key = `${t.topic}/${p.partition}`;
              const batches = (log.get(key) ?? []).filter((x) => x.readBigInt64BE(0) + BigInt(x.readInt32BE(57)) > p.fetchOffset);
              return { partitionIndex: p.partition, errorCode: 0, highWatermark: end(key), lastStableOffset: end(key), logStartOffset: 0n, records: Buffer.concat(batches) };
            }),
          })),
        };
      case 10:
        return { errorCode: 0, nodeId: 1, host: '127.0.0.1', port, coordinators: (b.coordinatorKeys ?? []).map((key: string) => ({ key, nodeId: 1, host: '127.0.0.1', port, errorCode: 0 })) };
      case 11: {
        const memberId = b.memberId || 'member-1';
        const protocol = b.protocols[0];
        return { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: protocol.name, leader: memberId, memberId, members: [{ memberId, metadata: protocol.metadata }] };
      }
      case 14:
        return { errorCode: 0, protocolType: 'consumer', protocolName: b.protocolName, assignment: b.assignments.find((a: Body) => a.memberId === b.memberId)?.assignment };
      case 12:
        return { errorCode: 0 };
      case 13:
        return { errorCode: 0, members: (b.members ?? []).map((m: Body) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: 0 })) };
      case 8:
        for (const t of b.topics) for (const p of t.partitions) committed.set(`${t.name}/${p.partitionIndex}`, p.committedOffset);
        return { topics: b.topics.map((t: Body) => ({ name: t.name, partitions: t.partitions.map((p: Body) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })) };
      case 9: {
        const topics = (list: Body[] | null) =>
          (list ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((i: number) => ({ partitionIndex: i, committedOffset: committed.get(`${t.name}/${i}`) ?? -1n, metadata: '', errorCode: 0 })),
          }));
        return { topics: topics(b.topics), groups: (b.groups ?? []).map((g: Body) => ({ groupId: g.groupId, topics: topics(g.topics) })) };
      }
      default:
        throw new Error(`mock broker: api ${apiKey} not handled`);
    }
  };

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const splitter = new FrameSplitter();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const frame of splitter.push(chunk)) {
        try {
          const { apiKey, apiVersion, correlationId, body } = decodeRequest(frame);
          seen.push(`${apiKey} v${apiVersion}`);
          const response = answer(apiKey, apiVersion, correlationId, body as Body);
          if (response !== null) socket.write(encodeResponse(apiKey, apiVersion, correlationId, response));
        } catch (error) {
          if (error instanceof KafkaProtocolError && error.kind === 'unsupported_version' && error.header?.apiKey === 18) {
            socket.write(encodeApiVersionsFallback(error.header.correlationId));
          } else {
            seen.push(`error ${String(error)}`);
            socket.destroy();
          }
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
