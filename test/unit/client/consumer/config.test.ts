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

  it('names the Kafka property beside the option when a value is out of range', () => {
    // Act
    const act = () => resolveConsumerConfig({ bootstrap: 'http://127.0.0.1:9092', ...consumerConfigFromProperties({ 'max.poll.records': '0' }) });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('maxPollRecords (max.poll.records) must be an integer >= 1') }));
  });
});
