/**
 * Topic config validation: Kafka's names, types and ranges, cleanup.policy as a list, and the
 * whole-set rule min.compaction.lag.ms <= max.compaction.lag.ms. A bad value throws INVALID_CONFIG.
 */
import { describe, expect, it } from 'vitest';
import { compacts, deletes, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '../../../src/log/limits.js';
import { parseCleanupPolicy, validateTopicConfigs } from '../../../src/log/topic-configs.js';

const codeOf = (act: () => unknown): string | undefined => {
  try {
    act();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('topic configs', () => {
  it('reads cleanup.policy as a list in any order and case, kept in one spelling', () => {
    // Prepare
    const inputs = ['compact', 'delete', 'delete,compact', ' Compact , delete ', ['compact', 'delete'], 'compact,compact'];

    // Act
    const parsed = inputs.map((i) => parseCleanupPolicy(i));

    // Assess
    expect(parsed).toEqual(['compact', 'delete', 'compact,delete', 'compact,delete', 'compact,delete', 'compact']);
  });

  it('takes compression.type at Kafka\'s default only, stored as nothing (batches are stored as producers compressed them)', () => {
    // Prepare
    const base = { ...TOPIC_CONFIG_DEFAULTS } as TopicConfig;

    // Act
    const taken = validateTopicConfigs({ 'compression.type': 'producer', 'retention.ms': 1 }, base);
    const code = codeOf(() => validateTopicConfigs({ 'compression.type': 'lz4' }, base));

    // Assess
    expect(taken).toEqual({ ...base, 'retention.ms': 1 });
    expect(code).toBe('INVALID_CONFIG');
  });

  it('takes message.timestamp.type as Kafka does: CreateTime (the default) or LogAppendTime, spelt exactly', () => {
    // Prepare
    const base = { ...TOPIC_CONFIG_DEFAULTS } as TopicConfig;
    const bad: unknown[] = ['createtime', 'LOGAPPENDTIME', 'NoTimestampType', '', 1, null];

    // Act
    const appendTime = validateTopicConfigs({ 'message.timestamp.type': 'LogAppendTime' }, base);
    const back = validateTopicConfigs({ 'message.timestamp.type': 'CreateTime' }, appendTime);
    const codes = bad.map((value) => codeOf(() => validateTopicConfigs({ 'message.timestamp.type': value }, base)));

    // Assess
    expect(base['message.timestamp.type']).toBe('CreateTime');
    expect(appendTime).toEqual({ ...base, 'message.timestamp.type': 'LogAppendTime' });
    expect(back['message.timestamp.type']).toBe('CreateTime');
    expect(codes).toEqual(bad.map(() => 'INVALID_CONFIG'));
  });

  it('takes message.timestamp.before.max.ms and after.max.ms as Kafka 4.x does: longs from 0, defaults Long.MAX and one hour, Long.MAX kept as the largest exact integer', () => {
    // Prepare
    const base = { ...TOPIC_CONFIG_DEFAULTS } as TopicConfig;
    const bad: unknown[] = [-1, '-1', '1.5', '1e3', '0x10', 'soon', null, '9223372036854775808000', '9223372036854775808', '9223372036854776000'];

    // Act
    const set = validateTopicConfigs({ 'message.timestamp.before.max.ms': '86400000', 'message.timestamp.after.max.ms': 0 }, base);
    const never = validateTopicConfigs({ 'message.timestamp.before.max.ms': 9223372036854775807, 'message.timestamp.after.max.ms': '9223372036854775807' }, base);
    const codes = bad.flatMap((value) => ['message.timestamp.before.max.ms', 'message.timestamp.after.max.ms'].map((name) => codeOf(() => validateTopicConfigs({ [name]: value }, base))));

    // Assess
    expect([base['message.timestamp.before.max.ms'], base['message.timestamp.after.max.ms']]).toEqual([Number.MAX_SAFE_INTEGER, 3_600_000]);
    expect(set).toEqual({ ...base, 'message.timestamp.before.max.ms': 86_400_000, 'message.timestamp.after.max.ms': 0 });
    expect([never['message.timestamp.before.max.ms'], never['message.timestamp.after.max.ms']]).toEqual([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    expect(codes).toEqual(codes.map(() => 'INVALID_CONFIG'));
  });

  it('takes min.insync.replicas as Kafka does: an int from 1, default 1 (kept as set; decision 51)', () => {
    // Prepare
    const base = { ...TOPIC_CONFIG_DEFAULTS } as TopicConfig;
    const bad: unknown[] = [0, '0', -1, '1.5', 2.5, '0x2', 'two', null, 2 ** 31];

    // Act
    const two = validateTopicConfigs({ 'min.insync.replicas': '2' }, base);
    const codes = bad.map((value) => codeOf(() => validateTopicConfigs({ 'min.insync.replicas': value }, base)));

    // Assess
    expect(base['min.insync.replicas']).toBe(1);
    expect(two).toEqual({ ...base, 'min.insync.replicas': 2 });
    expect(codes).toEqual(bad.map(() => 'INVALID_CONFIG'));
  });

  it('refuses message.timestamp.difference.max.ms (removed in Kafka 4.0) naming what replaced it', () => {
    // Prepare
    const input = { 'message.timestamp.difference.max.ms': 1000 };

    // Act
    let error: { code?: string; message?: string } = {};
    try {
      validateTopicConfigs(input);
    } catch (e) {
      error = e as typeof error;
    }

    // Assess
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/removed in Kafka 4\.0.*message\.timestamp\.before\.max\.ms and message\.timestamp\.after\.max\.ms/);
  });

  it('refuses unknown policies, empty lists and non-strings', () => {
    // Prepare
    const inputs: unknown[] = ['shred', '', ',', 'compact,shred', 3, null];

    // Act
    const codes = inputs.map((i) => codeOf(() => parseCleanupPolicy(i)));

    // Assess
    expect(codes).toEqual(inputs.map(() => 'INVALID_CONFIG'));
  });

  it('validates the compaction configs by Kafka ranges, strings as the CLI sends them', () => {
    // Prepare
    const good = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '.1', 'min.compaction.lag.ms': ' +0 ', 'max.compaction.lag.ms': '9223372036854775807', 'delete.retention.ms': 1000 };

    // Act
    const configs = validateTopicConfigs(good);

    // Assess
    expect(configs).toEqual({
      ...TOPIC_CONFIG_DEFAULTS,
      'cleanup.policy': 'compact',
      'min.cleanable.dirty.ratio': 0.1,
      'min.compaction.lag.ms': 0,
      'max.compaction.lag.ms': Number.MAX_SAFE_INTEGER,
      'delete.retention.ms': 1000,
    });
  });

  it('refuses values out of range, fractions of integers and contradictions, leaving the base untouched', () => {
    // Prepare
    const base = { ...TOPIC_CONFIG_DEFAULTS };
    const bad: Array<Record<string, unknown>> = [
      { 'min.cleanable.dirty.ratio': 1.5 },
      { 'min.cleanable.dirty.ratio': -0.1 },
      { 'min.compaction.lag.ms': -1 },
      { 'max.compaction.lag.ms': 0 },
      { 'delete.retention.ms': '1.5' },
      { 'delete.retention.ms': 'soon' },
      { 'max.message.bytes': '0x100' },
      { 'retention.ms': '1e3' },
      { 'retention.bytes': '0b101' },
      { 'min.cleanable.dirty.ratio': '0x1' },
      { 'min.cleanable.dirty.ratio': 'Infinity' },
      { 'min.compaction.lag.ms': 10, 'max.compaction.lag.ms': 5 },
      { 'compaction.everything': 1 },
    ];

    // Act
    const codes = bad.map((input) => codeOf(() => validateTopicConfigs(input, base)));

    // Assess
    expect(codes).toEqual(bad.map(() => 'INVALID_CONFIG'));
    expect(base).toEqual(TOPIC_CONFIG_DEFAULTS);
  });

  it('takes retention.ms and retention.bytes over Kafka\'s whole range: 0 purges, any negative bytes is unlimited', () => {
    // Prepare
    const good: Array<Record<string, unknown>> = [
      { 'retention.ms': 0 },
      { 'retention.ms': '-1' },
      { 'retention.bytes': '0' },
      { 'retention.bytes': -2 },
      { 'retention.bytes': '-9223372036854775808' },
    ];
    const bad: Array<Record<string, unknown>> = [{ 'retention.ms': -2 }, { 'retention.ms': '-9223372036854775808' }];

    // Act
    const parsed = good.map((input) => validateTopicConfigs(input));
    const codes = bad.map((input) => codeOf(() => validateTopicConfigs(input)));

    // Assess
    expect(parsed.map((c) => [c['retention.ms'], c['retention.bytes']])).toEqual([
      [0, -1],
      [-1, -1],
      [TOPIC_CONFIG_DEFAULTS['retention.ms'], 0],
      [TOPIC_CONFIG_DEFAULTS['retention.ms'], -2],
      [TOPIC_CONFIG_DEFAULTS['retention.ms'], -Number.MAX_SAFE_INTEGER],
    ]);
    expect(codes).toEqual(['INVALID_CONFIG', 'INVALID_CONFIG']);
  });

  it('compacts only topics that ask for it; a config set from before cleanup.policy existed deletes', () => {
    // Prepare
    const policies = ['delete', 'compact', 'compact,delete'] as const;
    const legacy = { 'retention.ms': 1000 } as unknown as Pick<TopicConfig, 'cleanup.policy'>;

    // Act
    const decided = policies.map((p) => [compacts({ 'cleanup.policy': p }), deletes({ 'cleanup.policy': p })]);

    // Assess
    expect(decided).toEqual([[false, true], [true, false], [true, true]]);
    expect([compacts(legacy), deletes(legacy)]).toEqual([false, true]);
  });
});
