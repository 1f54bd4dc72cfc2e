/**
 * The sender's decisions, driven by scripted produce answers (the transport is the
 * seam; storage is never involved): retries keep sequence numbers, sequence numbers
 * are given back or the producer id replaced after failures, splitting, acks=0.
 */
import type { ProduceRequest, ProduceTopicResult } from '@floe/protocol';
import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../../../../packages/client/src/producer/accumulator.js';
import { PendingRecord, type RecordMetadata } from '../../../../packages/client/src/producer/pending-record.js';
import { BufferPool } from '../../../../packages/client/src/producer/buffer-pool.js';
import { resolveProducerConfig, type ProducerConfig } from '../../../../packages/client/src/producer/config.js';
import { IdempotenceManager } from '../../../../packages/client/src/producer/idempotence.js';
import { Sender } from '../../../../packages/client/src/producer/sender.js';
import { type ErrorCode, type FloeError, FloeError as Err } from '../../../../packages/protocol/src/errors.js';
import { readBatchHeader } from '../../../../packages/protocol/src/records/batch-header.js';
import { decodeRecordBatch, estimateRecordSize } from '../../../../packages/protocol/src/records/record-batch.js';
import { sleep } from '../../../../packages/protocol/src/async.js';

type Answer = (request: ProduceRequest) => Promise<ProduceTopicResult[]>;

/** Answers every partition of a request with `code`; NONE gets offsets from a per-partition counter. */
function answerAll(code: ErrorCode, logs = new Map<number, number>()): Answer {
  return async (request) =>
    request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        if (code !== 'NONE') return { partition: p.partition, errorCode: code, errorMessage: code, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
        const base = logs.get(p.partition) ?? 0;
        logs.set(p.partition, base + readBatchHeader(p.records).recordCount);
        return { partition: p.partition, errorCode: 'NONE', baseOffset: base, logAppendTime: Date.now(), logStartOffset: 0 };
      }),
    }));
}

const throwing = (code: ErrorCode): Answer => async () => {
  throw new Err(code, `scripted ${code}`);
};

function setup(overrides: Partial<ProducerConfig<unknown, unknown>>, script: Answer[], fallback: Answer = answerAll('NONE')) {
  const config = resolveProducerConfig({ bootstrap: 'http://127.0.0.1:1', lingerMs: 0, retryBackoffMs: 1, retryBackoffMaxMs: 2, ...overrides });
  const accumulator = new RecordAccumulator(config);
  const pool = new BufferPool(config.bufferMemory);
  let nextId = 100;
  const idempotence = config.enableIdempotence ? new IdempotenceManager(async () => ({ producerId: nextId++, producerEpoch: 0 })) : undefined;
  const requests: ProduceRequest[] = [];
  const sender = new Sender({
    config,
    accumulator,
    pool,
    metadata: { refresh: async () => 4 },
    idempotence,
    produce: (request) => {
      requests.push(request);
      return (script[requests.length - 1] ?? fallback)(request);
    },
  });
  const send = (partition: number, value: string): Promise<RecordMetadata> => {
    const record = new PendingRecord('t');
    record.value = Buffer.from(value);
    record.timestamp = 1;
    record.size = estimateRecordSize(record);
    pool.tryReserve(record.size);
    accumulator.append(record, partition, Date.now());
    sender.wakeup();
    return record.promise;
  };
  /** Every batch sent, in order: partition, producer id, base sequence, values. */
  const sent = () =>
    requests.flatMap((r) =>
      r.topics.flatMap((t) =>
        t.partitions.map((p) => {
          const { header, records } = decodeRecordBatch(p.records);
          return { partition: p.partition, producerId: header.producerId, sequence: header.baseSequence, values: records.map((x) => x.value?.toString()) };
        }),
      ),
    );
  return { send, sent, requests, sender, pool, config };
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: FloeError) => error);

describe('sender', () => {
  it('retries a batch with the same producer id and sequence after a lost answer', async () => {
    // Prepare
    const { send, sent } = setup({}, [throwing('REQUEST_TIMED_OUT'), answerAll('UNKNOWN_SERVER_ERROR')]);
    // Act
    const metadata = await Promise.all([send(0, 'a'), send(0, 'b')]);
    // Assess
    const attempts = sent();
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => `${a.producerId}/${a.sequence}/${a.values.join()}`)).size).toBe(1);
    expect(metadata.map((m) => m.offset)).toEqual([0, 1]);
  });

  it('numbers consecutive batches of a partition by record count, and each partition from 0', async () => {
    // Prepare
    const { send, sent } = setup({}, []);
    // Act
    await Promise.all([send(0, 'a'), send(0, 'b'), send(1, 'x')]);
    await Promise.all([send(0, 'c'), send(1, 'y')]);
    // Assess
    expect(sent().map((a) => [a.partition, a.sequence])).toEqual([
      [0, 0],
      [1, 0],
      [0, 2],
      [1, 1],
    ]);
  });

  it('gives the sequence numbers of a batch rejected before any commit to the next batch', async () => {
    // Prepare
    const { send, sent } = setup({}, [answerAll('INVALID_RECORD')]);
    // Act
    const error = await failure(send(0, 'rejected'));
    await send(0, 'next');
    // Assess
    expect((error as FloeError).code).toBe('INVALID_RECORD');
    expect(sent().map((a) => [a.producerId, a.sequence])).toEqual([
      [100, 0],
      [100, 0],
    ]);
  });

  it('replaces the producer id when a batch fails with an unknown outcome', async () => {
    // Prepare: retries 1, two ambiguous answers in a row
    const { send, sent } = setup({ retries: 1 }, [answerAll('NONE'), answerAll('UNKNOWN_SERVER_ERROR'), throwing('NETWORK_ERROR')]);
    await send(1, 'committed');
    // Act
    const error = await failure(send(0, 'unknown outcome'));
    await Promise.all([send(0, 'after'), send(1, 'other partition')]);
    // Assess
    expect((error as FloeError).code).toBe('NETWORK_ERROR');
    const attempts = sent();
    expect(attempts.slice(-2).map((a) => [a.producerId, a.sequence])).toEqual([
      [101, 0],
      [101, 0],
    ]);
  });

  it('treats DUPLICATE_SEQUENCE_NUMBER as already written', async () => {
    // Prepare
    const { send } = setup({}, [answerAll('DUPLICATE_SEQUENCE_NUMBER')]);
    // Act
    const metadata = await send(0, 'a');
    // Assess
    expect(metadata.offset).toBe(-1);
  });

  it('splits a multi-record batch the server finds too large and delivers both halves in order', async () => {
    // Prepare
    const { send, sent } = setup({}, [answerAll('MESSAGE_TOO_LARGE')]);
    // Act
    const metadata = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((v) => send(0, v)));
    // Assess
    expect(sent().map((a) => [a.sequence, a.values.join('')])).toEqual([
      [0, 'abcde'],
      [0, 'abc'],
      [3, 'de'],
    ]);
    expect(metadata.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails a single record the server finds too large without retrying', async () => {
    // Prepare
    const { send, requests } = setup({}, [answerAll('MESSAGE_TOO_LARGE')]);
    // Act
    const error = await failure(send(0, 'huge'));
    // Assess
    expect((error as FloeError).code).toBe('MESSAGE_TOO_LARGE');
    expect(requests).toHaveLength(1);
  });

  it('gives up on retriable errors at delivery.timeout.ms, naming the last error', async () => {
    // Prepare
    const { send, requests } = setup({ requestTimeoutMs: 50, deliveryTimeoutMs: 150, retryBackoffMs: 20, retryBackoffMaxMs: 20 }, [], answerAll('THROTTLING_QUOTA_EXCEEDED'));
    // Act
    const error = await failure(send(0, 'a'));
    // Assess
    expect((error as FloeError).code).toBe('REQUEST_TIMED_OUT');
    expect((error as FloeError).message).toMatch(/THROTTLING_QUOTA_EXCEEDED/);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('with acks=0 resolves once the request is on its way, without waiting for an answer', async () => {
    // Prepare: the answer never comes
    const { send, sender } = setup({ acks: 0 }, [], () => new Promise(() => undefined));
    // Act
    const metadata = await send(0, 'a');
    // Assess
    expect(metadata.offset).toBe(-1);
    expect(sender.metrics.requests).toBe(1);
  });

  it('sends different partitions in parallel requests while one partition waits for its answer', async () => {
    // Prepare: the first request hangs until released
    let release!: () => void;
    const hanging: Answer = (request) => new Promise((resolve) => (release = () => resolve(answerAll('NONE')(request)))).then((x) => x as ProduceTopicResult[]);
    const { send, requests } = setup({ maxInFlightRequestsPerConnection: 2 }, [hanging]);
    const first = send(0, 'a');
    await sleep(20);
    // Act
    const sameWhileWaiting = send(0, 'b');
    const other = await send(1, 'x');
    const requestsWhileWaiting = requests.length;
    release();
    await Promise.all([first, sameWhileWaiting]);
    // Assess
    expect(other.partition).toBe(1);
    expect(requestsWhileWaiting).toBe(2); // partition 0's second batch was held back
    expect(requests.map((r) => r.topics[0]!.partitions.map((p) => p.partition))).toEqual([[0], [1], [0]]);
  });
});
