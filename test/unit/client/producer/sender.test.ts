/**
 * The sender's decisions, driven by scripted produce answers (the transport is the
 * seam; storage is never involved): retries keep sequence numbers, sequence numbers
 * are given back or the producer id replaced after failures, splitting, acks=0, and
 * up to five batches of a partition in flight with idempotence (decision 28).
 */
import type { ProduceRequest, ProduceTopicResult } from '@floe/protocol';
import { describe, expect, it, vi } from 'vitest';
import { RecordAccumulator } from '../../../../packages/client/src/producer/accumulator.js';
import { PendingRecord, type RecordMetadata, type SendCallback } from '../../../../packages/client/src/producer/pending-record.js';
import { BufferPool } from '../../../../packages/client/src/producer/buffer-pool.js';
import { ProducerBatch } from '../../../../packages/client/src/producer/batch.js';
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
  let sender!: Sender;
  const accumulator = new RecordAccumulator(
    { ...config, maxInFlightPerPartition: config.enableIdempotence ? config.maxInFlightRequestsPerConnection : 1 },
    undefined,
    (batch, inFlight) => sender.mayFollow(batch, inFlight),
  );
  const pool = new BufferPool(config.bufferMemory);
  let nextId = 100;
  const idempotence = config.enableIdempotence ? new IdempotenceManager(async () => ({ producerId: BigInt(nextId++), producerEpoch: 0 })) : undefined;
  const requests: ProduceRequest[] = [];
  sender = new Sender({
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
  const send = (partition: number, value: string, callback?: SendCallback): Promise<RecordMetadata> => {
    const record = new PendingRecord('t');
    record.callback = callback;
    record.value = Buffer.from(value);
    record.timestamp = 1;
    record.size = estimateRecordSize(record);
    pool.tryReserve(record.size);
    accumulator.append(record, partition, Date.now());
    sender.wakeup();
    return record;
  };
  /** Every batch sent, in order: partition, producer id, base sequence, values. */
  const sent = () =>
    requests.flatMap((r) =>
      r.topics.flatMap((t) =>
        t.partitions.map((p) => {
          const { header, records } = decodeRecordBatch(p.records);
          return { partition: p.partition, producerId: Number(header.producerId), sequence: header.baseSequence, values: records.map((x) => x.value?.toString()) };
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

  it('fails both halves of a split it cannot encode, releasing their memory, instead of leaving their sends waiting', async () => {
    // Prepare: the batch encodes at its first drain; the split's first half then fails to encode
    const { send, sent, pool, config } = setup({}, [answerAll('MESSAGE_TOO_LARGE')]);
    const encode = ProducerBatch.prototype.encode;
    let calls = 0;
    const spy = vi.spyOn(ProducerBatch.prototype, 'encode').mockImplementation(function (this: ProducerBatch, ...args) {
      if (++calls === 2) throw new Err('UNKNOWN_SERVER_ERROR', 'scripted encoding failure');
      return encode.apply(this, args);
    });

    // Act
    const errors = await Promise.race([Promise.all(['a', 'b', 'c'].map((v) => failure(send(0, v)))), sleep(2_000).then(() => 'still waiting')]);
    spy.mockRestore();
    const after = await send(0, 'd');

    // Assess: every send answered with the failure, the memory given back, and the producer still sends
    expect(errors).toEqual([0, 1, 2].map(() => expect.objectContaining({ code: 'UNKNOWN_SERVER_ERROR' })));
    expect(pool.availableBytes).toBe(config.bufferMemory);
    expect(sent().map((a) => a.values.join(''))).toEqual(['abc', 'd']);
    expect(after.offset).toBe(0);
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

  it('without idempotence sends different partitions in parallel requests while one partition waits for its answer', async () => {
    // Prepare: the first request hangs until released
    let release!: () => void;
    const hanging: Answer = (request) => new Promise((resolve) => (release = () => resolve(answerAll('NONE')(request)))).then((x) => x as ProduceTopicResult[]);
    const { send, requests } = setup({ maxInFlightRequestsPerConnection: 2, enableIdempotence: false }, [hanging]);
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

describe('five in flight with idempotence', () => {
  /** Answers that wait until released, then answer as `answer` would. */
  function held(answer: Answer = answerAll('NONE')) {
    const waiting: Array<() => void> = [];
    const script: Answer = (request) => new Promise<void>((resolve) => waiting.push(resolve)).then(() => answer(request));
    return { script, releaseAll: () => waiting.splice(0).forEach((r) => r()), count: () => waiting.length };
  }

  it('sends up to max.in.flight batches of one partition at once, in sequence order', async () => {
    // Prepare
    const gate = held();
    const { send, sent } = setup({ batchSize: 0 }, [], gate.script);
    // Act: batch.size 0: one record per batch
    const all = Array.from({ length: 8 }, (_, i) => send(0, `v${i}`));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const inFlight = gate.count();
    while (gate.count() > 0 || sent().length < 8) {
      gate.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const metadata = await Promise.all(all);
    // Assess
    expect(inFlight).toBe(5);
    expect(sent().map((a) => a.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(metadata.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('retries an OUT_OF_ORDER answer as is while an earlier batch of the partition is unresolved, the earlier one first', async () => {
    // Prepare: batch 0 is lost (503 before the handler), batch 1 is refused as out of order
    const logs = new Map<number, number>();
    const { send, sent } = setup({ batchSize: 0 }, [answerAll('STORAGE_UNAVAILABLE'), answerAll('OUT_OF_ORDER_SEQUENCE_NUMBER')], answerAll('NONE', logs));
    // Act
    const metadata = await Promise.all([send(0, 'a'), send(0, 'b')]);
    // Assess: same producer id throughout, nothing renumbered, order kept
    const attempts = sent();
    expect(new Set(attempts.map((a) => a.producerId))).toEqual(new Set([100]));
    expect(attempts.slice(2).map((a) => [a.sequence, a.values.join()])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(metadata.map((m) => m.offset)).toEqual([0, 1]);
  });

  it('takes a new producer id and renumbers when the lowest unresolved batch is refused as out of order (the server lost its state)', async () => {
    // Prepare
    const { send, sent } = setup({}, [answerAll('OUT_OF_ORDER_SEQUENCE_NUMBER')]);
    // Act
    const metadata = await send(0, 'a');
    // Assess
    expect(sent().map((a) => [a.producerId, a.sequence])).toEqual([
      [100, 0],
      [101, 0],
    ]);
    expect(metadata.offset).toBe(0);
  });

  it('renumbers the batches sent after one that failed for good under a new producer id, keeping their order', async () => {
    // Prepare: batch 0 is invalid; batches 1 and 2, sent behind it, can never follow its sequence numbers
    const { send, sent } = setup(
      { batchSize: 0 },
      [answerAll('INVALID_RECORD'), answerAll('OUT_OF_ORDER_SEQUENCE_NUMBER'), answerAll('OUT_OF_ORDER_SEQUENCE_NUMBER')],
    );
    // Act
    const [bad, ...good] = await Promise.allSettled([send(0, 'bad'), send(0, 'b'), send(0, 'c')]);
    // Assess
    expect(bad.status).toBe('rejected');
    expect(good.map((g) => (g.status === 'fulfilled' ? g.value.offset : -99))).toEqual([0, 1]);
    expect(sent().slice(-2).map((a) => [a.producerId, a.sequence, a.values.join()])).toEqual([
      [101, 0, 'b'],
      [101, 1, 'c'],
    ]);
  });

  describe('answered out of order', () => {
    /** Holds every answer until its request is released by index; then answers it with `answers[index]`, or with the batch's sequence as offset. */
    function outOfOrder(answers: Answer[] = []) {
      const waiting: Array<() => void> = [];
      const bySequence: Answer = async (request) =>
        request.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 'NONE' as const, baseOffset: readBatchHeader(p.records).baseSequence, logAppendTime: -1, logStartOffset: 0 })),
        }));
      const script: Answer = (request) => {
        const index = waiting.length;
        return new Promise<void>((resolve) => waiting.push(resolve)).then(() => (answers[index] ?? bySequence)(request));
      };
      const release = (index: number) => waiting[index]?.();
      const sentAll = async (count: number) => {
        while (waiting.length < count) await sleep(2);
      };
      return { script, release, sentAll };
    }

    /** Sends one record per batch to partition 0, noting in `told` the order in which callbacks and promises complete. */
    function sendAll(send: (partition: number, value: string, callback?: SendCallback) => Promise<RecordMetadata>, values: string[]) {
      const told: string[] = [];
      const handles = values.map((v) => send(0, v, (metadata, error) => told.push(`callback ${v} ${error ? error.code : metadata?.offset}`)));
      const settled = handles.map((h, i) =>
        h.then(
          (metadata) => void told.push(`promise ${values[i]} ${metadata.offset}`),
          (error: FloeError) => void told.push(`promise ${values[i]} ${error.code}`),
        ),
      );
      return { told, done: Promise.all(settled) };
    }

    it('completes the batches of a partition in send order when the server answers the second one first', async () => {
      // Prepare: three batches of partition 0 in flight
      const gate = outOfOrder();
      const { send } = setup({ batchSize: 0 }, [], gate.script);
      const { told, done } = sendAll(send, ['a', 'b', 'c']);
      await gate.sentAll(3);
      // Act: the second batch is answered first, then the third, then the first
      gate.release(1);
      gate.release(2);
      await sleep(20);
      const beforeTheFirst = [...told];
      gate.release(0);
      await done;
      // Assess: nothing was told before the first batch's answer; then everything in send order
      expect(beforeTheFirst).toEqual([]);
      expect(told).toEqual(['callback a 0', 'promise a 0', 'callback b 1', 'promise b 1', 'callback c 2', 'promise c 2']);
    });

    it('delivers an earlier batch that failed for good before the later one already written, and does not hold that one back', async () => {
      // Prepare: the first batch will be refused
      const gate = outOfOrder([answerAll('INVALID_RECORD')]);
      const { send } = setup({ batchSize: 0 }, [], gate.script);
      const { told, done } = sendAll(send, ['a', 'b']);
      await gate.sentAll(2);
      // Act
      gate.release(1);
      await sleep(20);
      const beforeTheFirst = [...told];
      gate.release(0);
      await done;
      // Assess
      expect(beforeTheFirst).toEqual([]);
      expect(told).toEqual(['callback a INVALID_RECORD', 'promise a INVALID_RECORD', 'callback b 1', 'promise b 1']);
    });

    it('delivers a later batch written while an earlier one is retried only after the retry succeeds', async () => {
      // Prepare: the first attempt of the first batch is throttled; its retry (the third request) is answered at once
      const gate = outOfOrder([answerAll('THROTTLING_QUOTA_EXCEEDED')]);
      const { send, sent } = setup({ batchSize: 0 }, [], gate.script);
      const { told, done } = sendAll(send, ['a', 'b']);
      await gate.sentAll(2);
      // Act
      gate.release(1);
      await sleep(20);
      const beforeTheFirst = [...told];
      gate.release(0);
      await gate.sentAll(3);
      gate.release(2);
      await done;
      // Assess
      expect(sent().map((a) => a.values.join())).toEqual(['a', 'b', 'a']);
      expect(beforeTheFirst).toEqual([]);
      expect(told).toEqual(['callback a 0', 'promise a 0', 'callback b 1', 'promise b 1']);
    });

    it('without idempotence delivers a queued batch that expired only after the batch in flight before it', async () => {
      // Prepare: one batch in flight per partition; the second expires in the queue meanwhile
      const gate = outOfOrder([answerAll('NONE')]);
      const { send } = setup({ enableIdempotence: false, requestTimeoutMs: 50, deliveryTimeoutMs: 100, batchSize: 0 }, [], gate.script);
      const { told, done } = sendAll(send, ['a', 'b']);
      await gate.sentAll(1);
      // Act
      await sleep(200);
      const beforeTheFirst = [...told];
      gate.release(0);
      await done;
      // Assess
      expect(beforeTheFirst).toEqual([]);
      expect(told).toEqual(['callback a 0', 'promise a 0', 'callback b REQUEST_TIMED_OUT', 'promise b REQUEST_TIMED_OUT']);
    });
  });
});
