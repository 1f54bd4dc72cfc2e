/**
 * A bare Kafka wire client for gateway tests: sends requests with the codec and reads responses
 * in order. Also sends raw bytes (hostile frames) and tells when the server closed the connection.
 */
import net from 'node:net';
import { batchCrc, encodeRecordBatch, type ProducedRecord } from '../../packages/protocol/src/index.js';
import { decodeResponse, encodeRequest, FrameSplitter, type KafkaStruct } from '../../packages/protocol/src/kafka/index.js';

/** Bodies as decoded: tests read them loosely. */
export type Body = Record<string, any>;

export class KafkaWire {
  private readonly splitter = new FrameSplitter();
  private readonly frames: Buffer[] = [];
  private readonly waiting: Array<(frame: Buffer | undefined) => void> = [];
  private correlation = 0;
  closed = false;
  readonly whenClosed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const frame of this.splitter.push(chunk)) {
        const waiter = this.waiting.shift();
        if (waiter) waiter(frame);
        else this.frames.push(frame);
      }
    });
    this.whenClosed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        for (const waiter of this.waiting.splice(0)) waiter(undefined);
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<KafkaWire> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new KafkaWire(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request without waiting; returns its correlation id. */
  send(apiKey: number, apiVersion: number, body: KafkaStruct, clientId: string | null = 'wire-test'): number {
    const id = ++this.correlation;
    this.socket.write(encodeRequest(apiKey, apiVersion, id, clientId, body));
    return id;
  }

  /** Response frames received and not read yet. */
  get buffered(): number {
    return this.frames.length;
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next response frame (undefined if the connection closed first). */
  nextFrame(timeoutMs = 20_000): Promise<Buffer | undefined> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response in time')), timeoutMs);
      this.waiting.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  async read(apiKey: number, apiVersion: number, timeoutMs?: number): Promise<{ correlationId: number; body: Body }> {
    const frame = await this.nextFrame(timeoutMs);
    if (!frame) throw new Error('connection closed');
    const decoded = decodeResponse(apiKey, apiVersion, frame);
    return { correlationId: decoded.correlationId, body: decoded.body as Body };
  }

  async request(apiKey: number, apiVersion: number, body: KafkaStruct, timeoutMs?: number): Promise<Body> {
    const id = this.send(apiKey, apiVersion, body);
    const response = await this.read(apiKey, apiVersion, timeoutMs);
    if (response.correlationId !== id) throw new Error(`correlation ${response.correlationId}, expected ${id}`);
    return response.body;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A RecordBatch v2 with an idempotent producer's id, epoch and sequence (the id may be a full 63-bit one). */
export function idempotentBatch(records: ProducedRecord[], producerId: bigint, producerEpoch: number, baseSequence: number): Buffer {
  const batch = encodeRecordBatch({ records, producerId: 1, producerEpoch, baseSequence });
  batch.writeBigInt64BE(producerId, 43);
  batch.writeUInt32BE(batchCrc(batch), 17);
  return batch;
}

export const textRecords = (...values: string[]): ProducedRecord[] => values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v) }));
