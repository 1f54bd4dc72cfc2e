/**
 * Topic configs: which ones exist, their types and ranges (Kafka's), and validation of what a
 * client sends (numbers, or strings as `floe topics alter --config` and Kafka clients send them).
 * docs/configuration.md lists them.
 */
import { FloeError } from '@floe/protocol';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type CleanupPolicy, type TimestampType, type TopicConfig, type TopicConfigName, type TopicWordConfigName } from './limits.js';

/** Kafka's config types, as DescribeConfigs names them. */
export type ConfigKind = 'string' | 'int' | 'long' | 'double' | 'list';

interface NumberRange {
  kind: 'int' | 'long' | 'double';
  min: number;
  max: number;
}

export const TOPIC_CONFIG_KINDS: Record<TopicConfigName, ConfigKind> = {
  'retention.ms': 'long',
  'retention.bytes': 'long',
  'max.message.bytes': 'int',
  'cleanup.policy': 'list',
  'min.cleanable.dirty.ratio': 'double',
  'min.compaction.lag.ms': 'long',
  'max.compaction.lag.ms': 'long',
  'delete.retention.ms': 'long',
  'segment.ms': 'long',
  'segment.bytes': 'int',
  'message.timestamp.type': 'string',
  'message.timestamp.before.max.ms': 'long',
  'message.timestamp.after.max.ms': 'long',
  'min.insync.replicas': 'int',
};

const RANGES: Record<Exclude<TopicConfigName, TopicWordConfigName>, NumberRange> = {
  // Kafka: retention.ms is at least -1 (0 expires every batch, the usual way to purge a topic);
  // retention.bytes has no bound (0 keeps nothing, any negative is unlimited).
  'retention.ms': { kind: 'long', min: -1, max: Number.MAX_SAFE_INTEGER },
  'retention.bytes': { kind: 'long', min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  'max.message.bytes': { kind: 'int', min: 128, max: LIMITS.maxMessageBytesCeiling },
  'min.cleanable.dirty.ratio': { kind: 'double', min: 0, max: 1 },
  'min.compaction.lag.ms': { kind: 'long', min: 0, max: Number.MAX_SAFE_INTEGER },
  'max.compaction.lag.ms': { kind: 'long', min: 1, max: Number.MAX_SAFE_INTEGER },
  'delete.retention.ms': { kind: 'long', min: 0, max: Number.MAX_SAFE_INTEGER },
  'segment.ms': { kind: 'long', min: 1, max: Number.MAX_SAFE_INTEGER },
  // Kafka's smallest segment holds one record batch header (14 bytes in its legacy format).
  'segment.bytes': { kind: 'int', min: 14, max: 0x7fffffff },
  // Kafka: atLeast(0); Long.MAX_VALUE (no bound) is taken and kept as MAX_SAFE_INTEGER, read as no bound (timestamp-bounds.ts).
  'message.timestamp.before.max.ms': { kind: 'long', min: 0, max: Number.MAX_SAFE_INTEGER },
  'message.timestamp.after.max.ms': { kind: 'long', min: 0, max: Number.MAX_SAFE_INTEGER },
  // Kafka: atLeast(1), an int.
  'min.insync.replicas': { kind: 'int', min: 1, max: 0x7fffffff },
};

export const TOPIC_CONFIG_NAMES = Object.keys(TOPIC_CONFIG_KINDS) as TopicConfigName[];

export const isTopicConfigName = (name: string): name is TopicConfigName => Object.hasOwn(TOPIC_CONFIG_KINDS, name);

/**
 * Kafka topic configs Floe has at one value only, Kafka's default: batches keep the producer's
 * compression, as stored. Tools set it explicitly, so that value is taken, and stored as nothing;
 * any other is INVALID_CONFIG, saying why.
 */
export const FIXED_TOPIC_CONFIGS: Readonly<Record<string, { value: string; why: string }>> = {
  'compression.type': { value: 'producer', why: 'Floe stores batches as producers compressed them' },
};

export const isFixedTopicConfig = (name: string): boolean => Object.hasOwn(FIXED_TOPIC_CONFIGS, name);

/** Checks a value given for a fixed config: its one value passes (changing nothing), anything else is INVALID_CONFIG. */
export function checkFixedTopicConfig(name: string, raw: unknown): void {
  const fixed = FIXED_TOPIC_CONFIGS[name];
  if (fixed && raw !== fixed.value) throw new FloeError('INVALID_CONFIG', `${name} can only be ${fixed.value}: ${fixed.why}; got ${JSON.stringify(raw)}`);
}

/** A config value as Kafka prints it: "never", kept here as MAX_SAFE_INTEGER (the largest exact integer), is Kafka's Long.MAX_VALUE. */
export const kafkaConfigText = (value: unknown): string => (value === Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(value));

/** Topic configs Kafka removed, refused with what took their place (a client still sending one learns what to send instead). */
const REMOVED_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'message.timestamp.difference.max.ms':
    'removed in Kafka 4.0 (KIP-937): use message.timestamp.before.max.ms and message.timestamp.after.max.ms (both served)',
};

/** INVALID_CONFIG for a name that is no topic config: why, when Kafka removed it, else what is supported. */
export function unknownTopicConfig(name: string): FloeError {
  const removed = Object.hasOwn(REMOVED_TOPIC_CONFIGS, name) ? REMOVED_TOPIC_CONFIGS[name] : undefined;
  return new FloeError('INVALID_CONFIG', removed ? `topic config "${name}" was ${removed}` : `unknown topic config "${name}"; supported: ${TOPIC_CONFIG_NAMES.join(', ')}`);
}

const invalid = (name: string, raw: unknown, why = ''): FloeError =>
  new FloeError('INVALID_CONFIG', `invalid value ${JSON.stringify(raw)} for ${name}${why ? `: ${why}` : ''}`);

/** "compact", "delete", or both in either order (Kafka's list), kept as one spelling. */
export function parseCleanupPolicy(raw: unknown): CleanupPolicy {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  const set = new Set(items?.map((i) => (typeof i === 'string' ? i.trim().toLowerCase() : i)));
  if (!items || set.size === 0 || [...set].some((i) => i !== 'compact' && i !== 'delete')) {
    throw invalid('cleanup.policy', raw, 'a list of "delete" and "compact"');
  }
  return set.size === 2 ? 'compact,delete' : (([...set][0] as 'compact' | 'delete'));
}

const TIMESTAMP_TYPES: readonly TimestampType[] = ['CreateTime', 'LogAppendTime'];

/** Kafka's ValidString: one of the two names, spelt exactly (case counts). */
export function parseTimestampType(raw: unknown): TimestampType {
  if (!TIMESTAMP_TYPES.includes(raw as TimestampType)) throw invalid('message.timestamp.type', raw, 'CreateTime or LogAppendTime');
  return raw as TimestampType;
}

/** Strings as Kafka's ConfigDef reads them (Long.parseLong, Double.parseDouble): decimal only, so "0x100" or "1e3" is no long. */
const DECIMAL_INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const withinLong = (n: bigint): boolean => n >= -(2n ** 63n) && n <= 2n ** 63n - 1n;

function parseNumber(name: TopicConfigName, raw: unknown, range: NumberRange): number {
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  if (text !== undefined && !(range.kind === 'double' ? DECIMAL : DECIMAL_INTEGER).test(text)) throw invalid(name, raw, range.kind === 'double' ? 'a number' : 'an integer');
  // Read exactly, as Long.parseLong reads it: a string past Kafka's long range (say 9223372036854775808)
  // rounds to 2^63 as a double, which the Long.MAX rule below would take as "never".
  if (text !== undefined && range.kind !== 'double' && !withinLong(BigInt(text))) throw invalid(name, raw, "beyond Kafka's long range");
  const value = text !== undefined ? Number(text) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name, raw);
  if (range.kind !== 'double' && !Number.isInteger(value)) throw invalid(name, raw, 'an integer');
  // Kafka's "never" is Long.MAX_VALUE (2^63 - 1, 2^63 as a double): as far as time and bytes here go.
  if (range.kind === 'long' && range.max === Number.MAX_SAFE_INTEGER && value > range.max && value <= 2 ** 63) return range.max;
  // Long.MIN_VALUE alike, where a config takes any long (retention.bytes: unlimited either way).
  if (range.kind === 'long' && range.min === -Number.MAX_SAFE_INTEGER && value < range.min && value >= -(2 ** 63)) return range.min;
  if (value < range.min || value > range.max) throw invalid(name, raw, `from ${range.min} to ${range.max}`);
  return value;
}

/** One config's value, validated; throws INVALID_CONFIG. */
export function parseTopicConfig<N extends TopicConfigName>(name: N, raw: unknown): TopicConfig[N] {
  if (name === 'cleanup.policy') return parseCleanupPolicy(raw) as TopicConfig[N];
  if (name === 'message.timestamp.type') return parseTimestampType(raw) as TopicConfig[N];
  return parseNumber(name, raw, RANGES[name as Exclude<TopicConfigName, TopicWordConfigName>]) as TopicConfig[N];
}

/** `input` (name -> value) applied over `base`, every value validated, and the result checked as a whole. */
export function validateTopicConfigs(input: unknown, base: TopicConfig = { ...TOPIC_CONFIG_DEFAULTS }): TopicConfig {
  if (input === undefined || input === null) return base;
  if (typeof input !== 'object' || Array.isArray(input)) throw new FloeError('INVALID_CONFIG', 'configs must be an object');
  const out: Record<string, unknown> = { ...base };
  for (const [name, raw] of Object.entries(input)) {
    if (isFixedTopicConfig(name)) {
      checkFixedTopicConfig(name, raw);
      continue;
    }
    if (!isTopicConfigName(name)) throw unknownTopicConfig(name);
    out[name] = parseTopicConfig(name, raw);
  }
  const configs = out as TopicConfig;
  // Kafka refuses the same contradiction (LogConfig.validateValues).
  if (configs['min.compaction.lag.ms'] > configs['max.compaction.lag.ms']) {
    throw new FloeError('INVALID_CONFIG', `min.compaction.lag.ms ${configs['min.compaction.lag.ms']} exceeds max.compaction.lag.ms ${configs['max.compaction.lag.ms']}`);
  }
  return configs;
}
