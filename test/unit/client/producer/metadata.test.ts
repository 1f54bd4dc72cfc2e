/** The producer's topic metadata cache: shared refreshes, max age, waiting for a topic, backing off after failures. */
import { describe, expect, it } from 'vitest';
import type { Admin } from '../../../../packages/client/src/admin.js';
import { TopicMetadata } from '../../../../packages/client/src/producer/metadata.js';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import { sleep } from '../../../../packages/protocol/src/async.js';

type Answer = Awaited<ReturnType<Admin['metadata']>>;

/** A scripted metadata source: each call takes the next answer (the last one repeats). */
function source(answers: Array<Answer | FloeError>) {
  let calls = 0;
  return {
    calls: () => calls,
    admin: {
      metadata: async () => {
        const answer = answers[Math.min(calls++, answers.length - 1)]!;
        if (answer instanceof FloeError) throw answer;
        return answer;
      },
    },
  };
}

const topic = (partitions: number): Answer => [{ name: 't', topicId: 'id', partitions, configs: { 'max.message.bytes': 2000 }, errorCode: 'NONE' }];
const missing: Answer = [{ name: 't', topicId: '', partitions: 0, configs: {}, errorCode: 'UNKNOWN_TOPIC_OR_PARTITION' }];

describe('topic metadata', () => {
  it('shares one request between concurrent refreshes and caches the answer', async () => {
    // Prepare
    const s = source([topic(3)]);
    const metadata = new TopicMetadata(s.admin, 60_000, 1, 2);
    // Act
    const counts = await Promise.all([metadata.refresh('t'), metadata.refresh('t'), metadata.partitions('t', Date.now() + 100)]);
    // Assess
    expect(counts).toEqual([3, 3, 3]);
    expect(s.calls()).toBe(1);
    expect(metadata.cached('t')).toBe(3);
    expect(metadata.maxMessageBytes('t')).toBe(2000);
  });

  it('keeps serving a stale count while one background refresh fetches the new one', async () => {
    // Prepare
    const s = source([topic(1), topic(4)]);
    const metadata = new TopicMetadata(s.admin, 50, 1, 2);
    await metadata.refresh('t');
    await sleep(60);
    // Act
    const stale = [metadata.cached('t'), metadata.cached('t')];
    await sleep(5);
    const calls = s.calls();
    const fresh = metadata.cached('t');
    // Assess
    expect(stale).toEqual([1, 1]);
    expect(calls).toBe(2);
    expect(fresh).toBe(4);
  });

  it('does not retry a failed background refresh on every lookup', async () => {
    // Prepare
    const s = source([topic(2), new FloeError('NETWORK_ERROR', 'down')]);
    const metadata = new TopicMetadata(s.admin, 0, 1, 10_000);
    await metadata.refresh('t');
    // Act
    metadata.cached('t');
    await sleep(5);
    for (let i = 0; i < 20; i++) metadata.cached('t');
    await sleep(5);
    // Assess
    expect(metadata.cached('t')).toBe(2);
    expect(s.calls()).toBe(2);
  });

  it('waits for a topic that does not exist yet, and gives up at the deadline', async () => {
    // Prepare
    const appearing = source([missing, missing, topic(5)]);
    const never = source([missing]);
    // Act
    const count = await new TopicMetadata(appearing.admin, 60_000, 5, 10).partitions('t', Date.now() + 1000);
    const error = await new TopicMetadata(never.admin, 60_000, 5, 10).partitions('t', Date.now() + 60).catch((e: FloeError) => e);
    // Assess
    expect(count).toBe(5);
    expect((error as FloeError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((error as FloeError).retriable).toBe(false);
    expect(never.calls()).toBeGreaterThan(1);
  });
});
