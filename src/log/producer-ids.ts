/**
 * Producer ids for idempotent producers (Kafka's InitProducerId, without transactions), issued
 * so that nobody can guess or invent one (decision 26):
 * - an id is a random positive 63-bit integer (int64 on the wire, as Kafka's), carried as a
 *   bigint in the codec and the SDK, as a decimal string in JSON and in DynamoDB keys;
 * - every issued id has a registry item `{ e: current epoch, at: when that epoch was issued }`;
 *   a produce whose id the cluster never issued, or whose epoch is not the id's current one, is
 *   refused before it touches any partition state (UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_EPOCH);
 * - handler instances check the registry on first sight of an id and cache the answer
 *   (`producerRegistryCacheMs`), so a steady producer costs no extra read.
 * The registry item expires (TTL) `producerIdRegistryTtlMs` after its epoch was issued: a producer
 * idle that long gets UNKNOWN_PRODUCER_ID and the SDK takes a new id.
 */
import { randomBytes } from 'node:crypto';
import { FloeError } from '@floe/protocol';
import { nowOf, type LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { bumpProducerEpochItem, createProducerIdItem, getProducerIdItem } from './store.js';

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

/** Kafka's producer epochs are int16: past this one an id is exhausted and a new id is issued. */
export const MAX_PRODUCER_EPOCH = 32767;
const ID_MASK = (1n << 63n) - 1n;

/** A random positive int64 (63 random bits, never 0). */
export function randomProducerId(): bigint {
  const id = randomBytes(8).readBigUInt64BE() & ID_MASK;
  return id === 0n ? 1n : id;
}

const ttlOf = (issuedAt: number): number => Math.ceil((issuedAt + LIMITS.producerIdRegistryTtlMs) / 1000);

/**
 * Issues a new producer id, or — given the caller's current id and epoch (Kafka's KIP-360
 * InitProducerId with an existing producer) — the same id with the next epoch, which fences the
 * old epoch on every partition it next writes. An exhausted epoch (32767) gets a new id.
 */
export async function initProducerId(deps: LogDeps & { producerRegistry?: ProducerRegistry }, current?: ProducerIdentity): Promise<ProducerIdentity> {
  const now = nowOf(deps);
  if (current && current.producerEpoch < MAX_PRODUCER_EPOCH) {
    if (!(await bumpProducerEpochItem(deps, current.producerId.toString(), current.producerEpoch, now, ttlOf(now))) && !(await bumpedBy(deps, current, now))) {
      throw new FloeError('INVALID_PRODUCER_EPOCH', `producer ${current.producerId} epoch ${current.producerEpoch} is not the id's current epoch (or the id was not issued)`);
    }
    // This instance stops accepting the old epoch at once; others when their cache entry ages out, and
    // every partition as soon as the new epoch writes to it (as in Kafka).
    deps.producerRegistry?.learn(current.producerId, current.producerEpoch + 1, now);
    return { producerId: current.producerId, producerEpoch: current.producerEpoch + 1 };
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const producerId = randomProducerId();
    if (await createProducerIdItem(deps, producerId.toString(), 0, now, ttlOf(now))) return { producerId, producerEpoch: 0 };
  }
  throw new FloeError('UNKNOWN_SERVER_ERROR', 'could not issue a unique producer id');
}

/**
 * Whether the bump to `current.producerEpoch + 1` issued at `issuedAt` is the registry's: a retry of
 * the bump whose answer was lost (the SDK retries it) fails its condition against our own write.
 */
async function bumpedBy(deps: LogDeps, current: ProducerIdentity, issuedAt: number): Promise<boolean> {
  const item = await getProducerIdItem(deps, current.producerId.toString());
  return item?.e === current.producerEpoch + 1 && item.at === issuedAt;
}

export interface IssuedEpoch {
  /** when the producer's current epoch was issued (ms) */
  issuedAt: number;
}

/**
 * The registry as one handler instance sees it: `verify` accepts an id and epoch the cluster
 * issued (the id's current epoch) and refuses anything else, reading the registry item on first
 * sight and caching what it found for `producerRegistryCacheMs`.
 */
export class ProducerRegistry {
  private readonly cache = new Map<string, { epoch: number; issuedAt: number; until: number }>();

  constructor(private readonly deps: LogDeps) {}

  async verify(producerId: bigint, epoch: number): Promise<IssuedEpoch> {
    const id = producerId.toString();
    const now = nowOf(this.deps);
    const cached = this.cache.get(id);
    if (cached && cached.until > now && cached.epoch === epoch) return { issuedAt: cached.issuedAt };
    const item = await getProducerIdItem(this.deps, id);
    if (!item) {
      this.cache.delete(id);
      throw new FloeError('UNKNOWN_PRODUCER_ID', `producer id ${id} was not issued by this cluster (or expired); ask for one with InitProducerId (POST /v1/producer-ids)`);
    }
    const current = item.e as number;
    const issuedAt = item.at as number;
    this.remember(id, { epoch: current, issuedAt, until: now + LIMITS.producerRegistryCacheMs });
    if (epoch !== current) {
      throw new FloeError(
        'INVALID_PRODUCER_EPOCH',
        epoch < current ? `producer ${id} epoch ${epoch} is fenced by epoch ${current}` : `producer ${id} epoch ${epoch} was never issued (current ${current})`,
      );
    }
    return { issuedAt };
  }

  /** What this instance itself just issued. */
  learn(producerId: bigint, epoch: number, issuedAt: number): void {
    this.remember(producerId.toString(), { epoch, issuedAt, until: nowOf(this.deps) + LIMITS.producerRegistryCacheMs });
  }

  private remember(id: string, entry: { epoch: number; issuedAt: number; until: number }): void {
    this.cache.delete(id);
    this.cache.set(id, entry);
    if (this.cache.size > LIMITS.producerRegistryCacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
