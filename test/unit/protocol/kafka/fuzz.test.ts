/**
 * Hostile input: random bytes and mutated valid requests (bit flips, truncation, huge lengths and
 * counts, inserted and deleted bytes) must decode or fail with KafkaProtocolError, nothing else;
 * no Buffer allocation may exceed the frame's own size, and the heap must not grow.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allApis,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  KafkaProtocolError,
  type KafkaValue,
} from '../../../../packages/protocol/src/kafka/index.js';
import { FUZZ_PARAMS } from './fuzz-params.js';
import { sampleBody } from './schema-samples.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const versionsOf = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);
const API_VERSIONS = allApis().flatMap((api) => versionsOf(api.minVersion, api.maxVersion).map((version) => ({ api, version })));

/** Valid request frames (no size prefix) of every API and version: the mutation seeds. */
const SEEDS = API_VERSIONS.flatMap(({ api, version }) =>
  (['filled', 'nulls'] as const).map((variant) => encodeRequest(api.apiKey, version, 3, 'fuzz', sampleBody(api.request, version, variant)).subarray(4)),
);
const RESPONSE_SEEDS = API_VERSIONS.map(({ api, version }) => ({
  api,
  version,
  frame: encodeResponse(api.apiKey, version, 3, sampleBody(api.response, version, 'filled')).subarray(4),
}));

/** Largest Buffer allocation requested while `run` ran. */
let largestAllocation = 0;
const ALLOCATORS = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const;
const originals = new Map<string, unknown>();

beforeAll(() => {
  for (const name of ALLOCATORS) {
    const original = Buffer[name];
    originals.set(name, original);
    (Buffer as unknown as Record<string, unknown>)[name] = (size: number, ...rest: unknown[]) => {
      largestAllocation = Math.max(largestAllocation, size);
      return (original as (...a: unknown[]) => Buffer).call(Buffer, size, ...rest);
    };
  }
});

afterAll(() => {
  for (const name of ALLOCATORS) (Buffer as unknown as Record<string, unknown>)[name] = originals.get(name);
});

/** Number of values in a decoded body: each array element costs input bytes, so this stays bounded. */
function size(value: KafkaValue | undefined): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item: KafkaValue) => sum + size(item), 1);
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.values(value).reduce((sum: number, item) => sum + size(item as KafkaValue), 1);
  }
  return 1;
}

/** Decodes; returns the outcome; fails the test on anything but success or KafkaProtocolError. */
function attempt(decode: () => { body: KafkaValue }, frame: Buffer): string {
  largestAllocation = 0;
  const started = performance.now();
  let outcome: string;
  try {
    const { body } = decode();
    expect(size(body)).toBeLessThanOrEqual(16 * frame.length + 64);
    outcome = 'ok';
  } catch (error) {
    if (!(error instanceof KafkaProtocolError)) throw error;
    outcome = error.kind;
  }
  expect(largestAllocation).toBeLessThanOrEqual(Math.max(64, frame.length));
  expect(performance.now() - started).toBeLessThan(250);
  return outcome;
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'overwrite'; at: number; hex: string }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

/** Values that make lengths and counts hostile: huge, negative, varint-maximal. */
const HOSTILE = ['7fffffff', 'ffffffff', '80000000', '7ffffffe', 'ffffffff0f', 'ffffffff7f', '7fff', 'fffe', 'ff', '00', '01'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), hex: fc.constantFrom(...HOSTILE) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(frame: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(frame);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length > 0) out[at] = (out[at] as number) ^ (1 << m.bit);
    if (m.kind === 'truncate') out = out.subarray(0, at);
    if (m.kind === 'overwrite') {
      const value = Buffer.from(m.hex, 'hex');
      out = Buffer.concat([out.subarray(0, at), value, out.subarray(at + value.length)]);
    }
    if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    if (m.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
  }
  return out;
}

/** A request header (v1 or v2) for a supported API version, followed by the given body bytes. */
function withHeader(apiKey: number, version: number, flexible: boolean, body: Uint8Array): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(1, 4);
  header.writeInt16BE(-1, 8);
  return Buffer.concat([header, Buffer.from(flexible ? [0] : []), Buffer.from(body)]);
}

describe('decoding hostile requests', () => {
  let heapBefore = 0;
  beforeAll(() => {
    gc();
    heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  });

  it('every seed decodes (the mutations start from valid frames)', () => {
    for (const seed of SEEDS) expect(attempt(() => decodeRequest(seed), seed)).toBe('ok');
  });

  it('mutated valid requests of every API decode or fail with KafkaProtocolError', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const frame = mutate(seed, mutations);
        const outcome = attempt(() => decodeRequest(frame), frame);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      FUZZ_PARAMS(3000),
    );
    // The run reached the body decoder, not only the header checks.
    expect(outcomes.get('malformed') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
  });

  it('random bodies behind a valid header decode or fail with KafkaProtocolError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...API_VERSIONS), fc.uint8Array({ maxLength: 300 }), ({ api, version }, body) => {
        const frame = withHeader(api.apiKey, version, api.isFlexible(version), body);
        attempt(() => decodeRequest(frame), frame);
      }),
      FUZZ_PARAMS(3000),
    );
  });

  it('random bytes decode or fail with KafkaProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const frame = Buffer.from(bytes);
        attempt(() => decodeRequest(frame), frame);
      }),
      FUZZ_PARAMS(1000),
    );
  });

  it('mutated responses decode or fail with KafkaProtocolError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESPONSE_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ api, version, frame }, mutations) => {
        const mutated = mutate(frame, mutations);
        attempt(() => decodeResponse(api.apiKey, version, mutated), mutated);
      }),
      FUZZ_PARAMS(1500),
    );
  });

  it('leaves the heap where it found it', () => {
    gc();
    const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    expect(heapAfter - heapBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('hostile lengths fail fast, without allocating for them', () => {
  const header = (key: string, version: string, flexible: boolean) => `${key}${version}00000001ffff${flexible ? '00' : ''}`;
  const TEN = '00'.repeat(10);

  it.each<[string, string]>([
    ['Metadata v1: 2^31-1 topics, 10 bytes left', header('0003', '0001', false) + '7fffffff' + TEN],
    ['Metadata v9: compact count 2^32-2 topics', header('0003', '0009', true) + 'ffffffff0f' + TEN],
    ['Produce v3: records of 2^31-1 bytes', header('0000', '0003', false) + 'ffff' + 'ffff' + '00007530' + '00000001' + '0001' + '61' + '00000001' + '00000000' + '7fffffff' + TEN],
    ['Fetch v12: 2^32-1 tagged fields', header('0001', '000c', true) + 'ffffffff000001f40000000100100000000000000000ffffffff' + '01' + '01' + '01' + 'ffffffff0f' + TEN],
    ['Fetch v12: a tagged field of 2^31 bytes', header('0001', '000c', true) + 'ffffffff000001f40000000100100000000000000000ffffffff' + '01' + '01' + '01' + '01' + '00' + '8080808008' + TEN],
    ['JoinGroup v0: a string of 32767 bytes', header('000b', '0000', false) + '7fff' + '616263'],
    ['OffsetFetch v8: 2^31 partition indexes', header('0009', '0008', true) + '02' + '0267' + '02' + '0274' + '8080808008' + TEN],
  ])('%s', (_name, hex) => {
    // Prepare
    const frame = Buffer.from(hex, 'hex');

    // Act
    const outcome = attempt(() => decodeRequest(frame), frame);

    // Assess
    expect(outcome).toBe('malformed');
  });
});
