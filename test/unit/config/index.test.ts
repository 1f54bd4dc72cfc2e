/** The one configuration reader: defaults, and a bad value is INVALID_CONFIG naming the variable (never a NaN further down). */
import { describe, expect, it } from 'vitest';
import { configFromEnv, configToEnv, deploymentTopicDefaults, housekeepingSettingsFromEnv, logStripesOf, type Env } from '../../../src/config/index.js';
import { FloeError } from '../../../packages/protocol/src/errors.js';

const STORAGE: Env = { FLOE_BUCKET: 'b', FLOE_LOG_TABLE: 'log', FLOE_GROUPS_TABLE: 'groups' };

function errorOf(read: () => unknown): { code: string; message: string } | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    return error instanceof FloeError ? { code: error.code, message: error.message } : { code: 'not a FloeError', message: String(error) };
  }
}

describe('configFromEnv', () => {
  it('reads numbers and flags, with defaults for what is unset', () => {
    // Act
    const defaults = configFromEnv(STORAGE);
    const set = configFromEnv({ ...STORAGE, FLOE_CACHE_BYTES: '1024', FLOE_DEFAULT_RETENTION_MS: '-1', FLOE_S3_FORCE_PATH_STYLE: 'true' });

    // Assess
    expect(defaults).toMatchObject({ cacheBytes: 64 * 1024 * 1024, defaultRetentionMs: 604_800_000, s3ForcePathStyle: false });
    expect(set).toMatchObject({ cacheBytes: 1024, defaultRetentionMs: -1, s3ForcePathStyle: true });
  });

  it.each([
    ['FLOE_CACHE_BYTES', 'lots'],
    ['FLOE_CACHE_BYTES', '1.5'],
    ['FLOE_CACHE_BYTES', '-1'],
    ['FLOE_DEFAULT_RETENTION_MS', '7d'],
    ['FLOE_DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS', '-1'],
    ['FLOE_DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS', '1h'],
    ['FLOE_DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS', '1e3'],
    ['FLOE_DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS', '9223372036854775808'],
    ['FLOE_S3_FORCE_PATH_STYLE', 'yes'],
  ])('refuses %s=%s with INVALID_CONFIG naming the variable', (name, value) => {
    // Act
    const error = errorOf(() => configFromEnv({ ...STORAGE, [name]: value }));

    // Assess
    expect(error?.code).toBe('INVALID_CONFIG');
    expect(error?.message).toContain(name);
    expect(error?.message).toContain(value);
  });

  it('reads the timestamp bounds\' deployment defaults as the topic configs are read: Kafka 4.x\'s when unset, from 0, Long.MAX for no bound; configToEnv carries them', () => {
    // Act
    const defaults = configFromEnv(STORAGE);
    const set = configFromEnv({ ...STORAGE, FLOE_DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS: '0', FLOE_DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS: '9223372036854775807' });
    const again = configFromEnv({ ...STORAGE, ...configToEnv(set) });

    // Assess
    expect(defaults).toMatchObject({ defaultTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER, defaultTimestampAfterMaxMs: 3_600_000 });
    expect(set).toMatchObject({ defaultTimestampBeforeMaxMs: 0, defaultTimestampAfterMaxMs: Number.MAX_SAFE_INTEGER });
    expect(deploymentTopicDefaults(set)).toEqual({ 'retention.ms': 604_800_000, 'message.timestamp.before.max.ms': 0, 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER });
    expect(again).toMatchObject({ defaultTimestampBeforeMaxMs: 0, defaultTimestampAfterMaxMs: Number.MAX_SAFE_INTEGER });
  });

  it('reads FLOE_STRIPED_TOPICS_ABOVE (unset: no striped topics), refuses a count out of range, and configToEnv carries it', () => {
    // Act
    const off = configFromEnv(STORAGE);
    const on = configFromEnv({ ...STORAGE, FLOE_STRIPED_TOPICS_ABOVE: '128' });
    const again = configFromEnv({ ...STORAGE, ...configToEnv(on) });

    // Assess
    expect(off.stripedTopicsAbove).toBeUndefined();
    expect(logStripesOf(off)).toEqual({});
    expect(logStripesOf(again)).toEqual({ stripes: { width: 64, above: 128 } });
    for (const bad of ['0', '4097', 'many']) {
      expect(() => configFromEnv({ ...STORAGE, FLOE_STRIPED_TOPICS_ABOVE: bad })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('FLOE_STRIPED_TOPICS_ABOVE') }));
    }
  });

  it('names a missing required variable', () => {
    // Act
    const error = errorOf(() => configFromEnv({ FLOE_BUCKET: 'b', FLOE_GROUPS_TABLE: 'g' }));

    // Assess
    expect(error).toEqual({ code: 'INVALID_CONFIG', message: 'missing environment variable FLOE_LOG_TABLE' });
  });
});

describe('housekeepingSettingsFromEnv', () => {
  it('returns only the settings the environment gives', () => {
    // Act
    const settings = housekeepingSettingsFromEnv({ FLOE_LEASE_MS: '5000', FLOE_GC_GRACE_MS: '' });

    // Assess
    expect(settings).toEqual({ leaseMs: 5000 });
  });

  it('reads FLOE_COMPACT_MAX_BYTES_PER_PASS into the housekeeping settings', () => {
    // Act
    const settings = housekeepingSettingsFromEnv({ FLOE_COMPACT_MAX_BYTES_PER_PASS: '1048576' });

    // Assess
    expect(settings).toEqual({ compactMaxBytesPerPass: 1048576 });
  });

  it.each(['abc', '0', '1e3'])('refuses FLOE_MERGE_TARGET_BYTES=%s with INVALID_CONFIG naming the variable', (value) => {
    // Act
    const error = errorOf(() => housekeepingSettingsFromEnv({ FLOE_MERGE_TARGET_BYTES: value }));

    // Assess
    expect(error?.code).toBe('INVALID_CONFIG');
    expect(error?.message).toContain('FLOE_MERGE_TARGET_BYTES');
  });
});
