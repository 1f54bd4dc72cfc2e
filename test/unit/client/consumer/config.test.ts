/** Consumer settings by their Kafka names: a bad value names the property the user typed. */
import { describe, expect, it } from 'vitest';
import { consumerConfigFromProperties, resolveConsumerConfig } from '../../../../packages/client/src/consumer/config.js';

describe('consumerConfigFromProperties', () => {
  it('reads numbers and flags', () => {
    // Act
    const config = consumerConfigFromProperties({ 'session.timeout.ms': '10000', 'enable.auto.commit': 'false', 'group.id': 'g' });

    // Assess
    expect(config).toEqual({ sessionTimeoutMs: 10_000, enableAutoCommit: false, groupId: 'g' });
  });

  it.each([
    ['session.timeout.ms', 'abc', 'property session.timeout.ms must be an integer, got "abc"'],
    ['max.poll.records', '1.5', 'property max.poll.records must be an integer, got "1.5"'],
    ['enable.auto.commit', 'yes', 'property enable.auto.commit must be true or false, got "yes"'],
  ])('refuses %s=%s naming the property', (name, value, message) => {
    // Act
    const act = () => consumerConfigFromProperties({ [name]: value });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message }));
  });

  it.each(['constructor', 'toString', '__proto__'])('refuses the property name %s as unknown (not an Object.prototype member)', (name) => {
    // Act
    const act = () => consumerConfigFromProperties(JSON.parse(`{${JSON.stringify(name)}: "x"}`) as Record<string, string>);

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: `unknown consumer property "${name}"` }));
  });

  it('keeps a deserializer class named after an Object.prototype member as given (no built-in)', () => {
    // Act
    const config = consumerConfigFromProperties({ 'value.deserializer': 'toString' });

    // Assess
    expect(config.valueDeserializer).toBe('toString');
  });

  it('refuses a group id or instance id that is not a non-empty string', () => {
    // Act
    const refused = [{ groupId: 5 }, { groupId: '' }, { groupId: 'g', groupInstanceId: 7 }].map((bad) => {
      try {
        resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', ...(bad as object) });
        return 'accepted';
      } catch (error) {
        return (error as { code: string }).code;
      }
    });

    // Assess
    expect(refused).toEqual(['INVALID_CONFIG', 'INVALID_CONFIG', 'INVALID_CONFIG']);
  });

  it('names the Kafka property beside the option when a value is out of range', () => {
    // Act
    const act = () => resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', ...consumerConfigFromProperties({ 'max.poll.records': '0' }) });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('maxPollRecords (max.poll.records) must be an integer >= 1') }));
  });
});

describe("the server's group limits", () => {
  it.each([
    ['maxPollIntervalMs past int32', { maxPollIntervalMs: 2 ** 31 }],
    ['requestTimeoutMs past a timer\'s longest delay', { requestTimeoutMs: 2 ** 31 }],
    ['autoCommitIntervalMs past a timer\'s longest delay', { autoCommitIntervalMs: 2 ** 31 }],
    ['clientId past 255 characters', { clientId: 'c'.repeat(256) }],
    ['clientId not a string', { clientId: 42 }],
  ])('refuses %s at construction, not as a refused join', (_, bad) => {
    // Act
    const act = () => resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', ...(bad as object) });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('takes the bounds themselves and an empty clientId (Kafka\'s default)', () => {
    // Act
    const config = resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', maxPollIntervalMs: 2 ** 31 - 1, clientId: 'c'.repeat(255) });
    const empty = resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', clientId: '' });

    // Assess
    expect([config.maxPollIntervalMs, config.clientId.length, empty.clientId]).toEqual([2 ** 31 - 1, 255, '']);
  });
});

describe('deserializers by name', () => {
  const context = { topic: 't', headers: [] };

  it("takes 'bytes', 'string' and 'json' as the Producer takes its serializers, and Kafka's class names as properties", () => {
    // Act
    const byName = resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', keyDeserializer: 'string', valueDeserializer: 'json' });
    const byClass = resolveConsumerConfig({
      bootstrap: 'http://127.0.0.1:9092',
      ...consumerConfigFromProperties({ 'value.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer' }),
    });
    const raw = resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', valueDeserializer: 'bytes' });

    // Assess
    expect(byName.keyDeserializer(Buffer.from('k'), context)).toBe('k');
    expect(byName.valueDeserializer(Buffer.from('{"page":"/home"}'), context)).toEqual({ page: '/home' });
    expect(byClass.valueDeserializer(Buffer.from('v'), context)).toBe('v');
    expect(raw.valueDeserializer(Buffer.from([0xff]), context)).toEqual(Buffer.from([0xff]));
  });

  it('refuses an unknown name', () => {
    // Act
    const act = () => resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', valueDeserializer: 'avro' as 'json' });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('unknown valueDeserializer "avro"') }));
  });
});

describe('session timeout', () => {
  it.each([10, 999, 1_800_001])('refuses %i with the server\'s range, not the heartbeat interval\'s relation to it', (sessionTimeoutMs) => {
    // Act
    const act = () => resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:1', groupId: 'g', sessionTimeoutMs });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: `sessionTimeoutMs (session.timeout.ms) must be between 1000 and 1800000, got ${sessionTimeoutMs}` }));
  });

  it('takes the bounds themselves (with a heartbeat interval a third of the lower one)', () => {
    // Act / Assess
    expect(resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:1', sessionTimeoutMs: 1000, heartbeatIntervalMs: 333 }).sessionTimeoutMs).toBe(1000);
    expect(resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:1', sessionTimeoutMs: 1_800_000 }).sessionTimeoutMs).toBe(1_800_000);
  });
});
