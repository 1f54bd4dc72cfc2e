/**
 * kcat (librdkafka 2.0.2) against the Kafka gateway on the run's storage: metadata listing, keyed
 * idempotent produce with headers, consuming from the beginning with keys, offsets and headers,
 * two -G members sharing a topic's partitions, ListOffsets by time (-o s@<ms>), and librdkafka's
 * four compression codecs mixed in one partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ClientProcess, HAS_KCAT, kcat, MISSING, noteSkip } from '../helpers/kafka-clients.js';
import { KafkaWire } from '../helpers/kafka-wire.js';
import { LENGTH_FIELD_END, readBatchHeader } from '../../packages/protocol/src/records/batch-header.js';

noteSkip(HAS_KCAT, MISSING.kcat);

/** The compression of each record batch stored in partition 0, read back over the wire. */
async function storedCodecs(gw: TestGateway, topic: string): Promise<string[]> {
  const wire = await KafkaWire.connect(gw.port);
  try {
    const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 };
    const fetched = await wire.request(1, 12, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic, partitions: [partition] }], forgottenTopicsData: [], rackId: '' });
    const records = Buffer.from(fetched.responses[0].partitions[0].records);
    const codecs: string[] = [];
    for (let pos = 0; pos < records.length; pos += LENGTH_FIELD_END + records.readInt32BE(pos + 8)) codecs.push(readBatchHeader(records, pos).compression);
    return codecs;
  } finally {
    wire.close();
  }
}

describe.skipIf(!HAS_KCAT)('kcat against the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ initialRebalanceDelayMs: 500 });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const topic = async (partitions: number) => {
    const name = uniqueName('kcat');
    await gw.deps.log.createTopic(name, partitions, {});
    return name;
  };

  it('lists metadata: one broker, the advertised one, leading every partition', async () => {
    // Prepare
    const name = await topic(3);

    // Act
    const listed = await kcat(['-b', gw.bootstrap, '-L', '-t', name]);

    // Assess
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`broker 1 at 127.0.0.1:${gw.port} (controller)`);
    expect(listed.stdout).toContain(`topic "${name}" with 3 partitions:`);
    for (const p of [0, 1, 2]) expect(listed.stdout).toContain(`partition ${p}, leader 1, replicas: 1, isrs: 1`);
  });

  it('produces keyed records idempotently and consumes them from the beginning with keys, offsets and headers', async () => {
    // Prepare
    const name = await topic(2);
    const lines = Array.from({ length: 20 }, (_, i) => `key${i % 4}:value${i}`);

    // Act
    const produced = await kcat(['-b', gw.bootstrap, '-P', '-t', name, '-K:', '-H', 'source=kcat', '-H', 'n=1', '-X', 'enable.idempotence=true', '-X', 'partitioner=murmur2_random'], `${lines.join('\n')}\n`);
    const consumed = await kcat(['-b', gw.bootstrap, '-C', '-t', name, '-o', 'beginning', '-e', '-f', '%k|%s|%p|%o|%h\n']);

    // Assess
    expect(produced.code).toBe(0);
    expect(produced.stderr).not.toMatch(/error|fatal/i);
    expect(consumed.code).toBe(0);
    const records = consumed.stdout.trim().split('\n').map((l) => l.split('|'));
    expect(records).toHaveLength(20);
    expect(records.map(([k, v]) => `${k}:${v}`).sort()).toEqual([...lines].sort());
    expect(records.every(([, , , , h]) => h === 'source=kcat,n=1')).toBe(true);
    for (const p of ['0', '1']) {
      const inPartition = records.filter((r) => r[2] === p);
      expect(inPartition.map((r) => Number(r[3]))).toEqual(inPartition.map((_, i) => i)); // dense, from 0
      const keys = new Set(inPartition.map((r) => r[0]));
      for (const other of records.filter((r) => r[2] !== p)) expect(keys.has(other[0] as string)).toBe(false); // a key stays on one partition
    }
  });

  it("stores librdkafka's gzip, snappy, lz4 and zstd batches mixed in one partition and reads every record back", async () => {
    // Prepare: one partition; compressible values, so every batch really is compressed, even a record sent alone
    const name = await topic(1);
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
    const value = 'x'.repeat(2000);

    // Act: one kcat producer per codec (librdkafka frames snappy as raw blocks, lz4 as frames)
    const produced = [];
    for (const codec of codecs) produced.push(await kcat(['-b', gw.bootstrap, '-P', '-t', name, '-p', '0', '-K:', '-z', codec], `${codec}-1:${value}\n${codec}-2:${value}\n`));
    const consumed = await kcat(['-b', gw.bootstrap, '-C', '-t', name, '-o', 'beginning', '-e', '-f', '%o|%k|%S\n']);

    // Assess: stored compressed as asked (librdkafka sends gzip, snappy and lz4 only to a broker advertising Produce v0)
    expect(produced.map((r) => [r.code, r.stderr.trim()])).toEqual(codecs.map(() => [0, '']));
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(codecs.flatMap((codec, i) => [`${2 * i}|${codec}-1|${value.length}`, `${2 * i + 1}|${codec}-2|${value.length}`]));
    // Each producer's batches in a row (its two records may go in one batch or two, as linger and load fall).
    const stored = await storedCodecs(gw, name);
    expect(stored.filter((codec, i) => codec !== stored[i - 1])).toEqual(codecs);
  });

  it('shares a topic between two -G members, each partition read by one of them', async () => {
    // Prepare
    const name = await topic(4);
    const group = uniqueName('kcat-g');
    const member = (tag: string) => ClientProcess.start('kcat', ['-b', gw.bootstrap, '-G', group, '-u', '-f', `${tag} %p %o %s\\n`, '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', name]);
    const assigned = (m: ClientProcess): number[] => {
      const last = [...m.stderr].reverse().find((l) => /rebalanced .*: (assigned|revoked)/.test(l));
      if (!last || last.includes('revoked')) return [];
      return [...last.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    };
    const a = member('A');
    const b = member('B');

    try {
      // Act: wait until both hold partitions and together hold all four, then produce
      const stable = () => {
        const [x, y] = [assigned(a), assigned(b)];
        return x.length > 0 && y.length > 0 && [...x, ...y].sort().join() === '0,1,2,3';
      };
      await Promise.race([a.until(stable, 60_000, 'a shared assignment'), b.until(stable, 60_000, 'a shared assignment')]);
      const values = Array.from({ length: 40 }, (_, i) => `v${i}`);
      await kcat(['-b', gw.bootstrap, '-P', '-t', name], `${values.join('\n')}\n`);
      const seen = () => [...a.stdout, ...b.stdout].length >= 40;
      await Promise.race([a.until(seen, 30_000, '40 records'), b.until(seen, 30_000, '40 records')]);
      const [fromA, fromB] = [assigned(a), assigned(b)];
      await Promise.all([a.stop(), b.stop()]);

      // Assess
      expect(new Set([...fromA, ...fromB]).size).toBe(4);
      expect(fromA.filter((p) => fromB.includes(p))).toEqual([]);
      const lines = [...a.stdout, ...b.stdout].map((l) => l.split(' '));
      expect(lines.map((l) => l[3]).sort()).toEqual([...values].sort());
      for (const [tag, partition] of lines) expect((tag === 'A' ? fromA : fromB).includes(Number(partition))).toBe(true);
    } finally {
      await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    }
  });

  it('starts from a time with -o s@<ms> (ListOffsets by timestamp)', async () => {
    // Prepare: two records, then a moment, then two more
    const name = await topic(1);
    await kcat(['-b', gw.bootstrap, '-P', '-t', name], 'early1\nearly2\n');
    await new Promise((r) => setTimeout(r, 50));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await kcat(['-b', gw.bootstrap, '-P', '-t', name], 'late1\nlate2\n');

    // Act
    const fromCut = await kcat(['-b', gw.bootstrap, '-C', '-t', name, '-o', `s@${cut}`, '-e', '-f', '%o %s\n']);
    const fromFuture = await kcat(['-b', gw.bootstrap, '-Q', '-t', `${name}:0:${cut + 3_600_000}`]);

    // Assess
    expect(fromCut.stdout).toBe('2 late1\n3 late2\n');
    expect(fromFuture.stdout).toMatch(/offset -1/);
  });
});
