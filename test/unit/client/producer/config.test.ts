/** Producer configuration: Kafka's defaults and Kafka's cross-checks. */
import { describe, expect, it } from 'vitest';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import { resolveProducerConfig, type ProducerConfig } from '../../../../packages/client/src/producer/config.js';
import { producerConfigFromProperties } from '../../../../packages/client/src/producer/properties.js';

const bootstrap = 'http://127.0.0.1:9092';
const resolve = (config: Partial<ProducerConfig<unknown, unknown>> = {}) => resolveProducerConfig({ bootstrap, ...config });
const rejection = (config: Partial<ProducerConfig<unknown, unknown>>): FloeError => {
  try {
    resolve(config);
  } catch (error) {
    return error as FloeError;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('producer configuration', () => {
  it("uses Kafka's producer defaults", () => {
    // Act
    const config = resolve();
    // Assess: the values of Kafka 4.0's ProducerConfig
    expect(config).toMatchObject({
      acks: -1,
      batchSize: 16384,
      lingerMs: 5,
      bufferMemory: 33554432,
      maxBlockMs: 60000,
      maxRequestSize: 1048576,
      compressionType: 'none',
      retries: 2147483647,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
      requestTimeoutMs: 30000,
      deliveryTimeoutMs: 120000,
      enableIdempotence: true,
      maxInFlightRequestsPerConnection: 5,
      metadataMaxAgeMs: 300000,
    });
  });

  it('maps acks to their wire values', () => {
    // Act
    const values = (['all', -1, 1, 0] as const).map((acks) => resolve({ acks }).acks);
    // Assess
    expect(values).toEqual([-1, -1, 1, 0]);
  });

  it('turns idempotence off silently when it was not asked for and the settings forbid it', () => {
    // Act
    const acksOne = resolve({ acks: 1 });
    const noRetries = resolve({ retries: 0 });
    const manyInFlight = resolve({ maxInFlightRequestsPerConnection: 6 });
    // Assess
    expect([acksOne, noRetries, manyInFlight].map((c) => c.enableIdempotence)).toEqual([false, false, false]);
  });

  it('rejects explicit idempotence with conflicting settings, naming each conflict', () => {
    // Act
    const error = rejection({ enableIdempotence: true, acks: 1, maxInFlightRequestsPerConnection: 10 });
    // Assess
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/acks must be 'all'/);
    expect(error.message).toMatch(/maxInFlightRequestsPerConnection must be <= 5/);
  });

  it('raises the default delivery timeout to linger + request timeout but rejects an explicit smaller one', () => {
    // Act
    const raised = resolve({ lingerMs: 1000, requestTimeoutMs: 150_000 });
    const error = rejection({ lingerMs: 1000, requestTimeoutMs: 5000, deliveryTimeoutMs: 5999 });
    // Assess
    expect(raised.deliveryTimeoutMs).toBe(151_000);
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('rejects values Kafka would reject and requests larger than a Lambda invocation carries', () => {
    // Act
    const errors = [
      rejection({ batchSize: -1 }),
      rejection({ lingerMs: 1.5 }),
      rejection({ acks: 2 as 1 }),
      rejection({ compressionType: 'brotli' as 'gzip' }),
      rejection({ maxRequestSize: 5 * 1024 * 1024 }),
      rejection({ bootstrap: 'localhost' }),
    ];
    // Assess
    expect(errors.map((e) => e.code)).toEqual(Array(6).fill('INVALID_CONFIG'));
  });

  it.each(['lingerMs', 'requestTimeoutMs', 'deliveryTimeoutMs', 'maxBlockMs', 'retryBackoffMs', 'retryBackoffMaxMs', 'metadataMaxAgeMs'])(
    "rejects %s past a timer's longest delay (2^31 - 1 ms; a longer one fires after 1 ms)",
    (option) => {
      // Act
      const error = rejection({ [option]: 2 ** 31 });

      // Assess
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.message).toContain(`${option} must be an integer in`);
    },
  );

  it('rejects a lingerMs whose raised delivery timeout (linger + request timeout) would pass 2^31 - 1 ms', () => {
    // Act
    const error = rejection({ lingerMs: 2 ** 31 - 1 });

    // Assess
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('takes a time option at the bound itself', () => {
    // Act
    const config = resolve({ deliveryTimeoutMs: 2 ** 31 - 1, maxBlockMs: 2 ** 31 - 1 });

    // Assess
    expect([config.deliveryTimeoutMs, config.maxBlockMs]).toEqual([2 ** 31 - 1, 2 ** 31 - 1]);
  });

  it('reads Kafka property names and values', () => {
    // Act
    const config = resolveProducerConfig({
      bootstrap,
      ...producerConfigFromProperties({
        acks: '1',
        'linger.ms': '20',
        'batch.size': '65536',
        'compression.type': 'zstd',
        'enable.idempotence': 'false',
        'value.serializer': 'org.apache.kafka.common.serialization.StringSerializer',
      }),
    });
    const unknown = (() => {
      try {
        producerConfigFromProperties({ 'transactional.id': 'tx' });
      } catch (error) {
        return (error as FloeError).code;
      }
      return undefined;
    })();
    // Assess
    expect(config).toMatchObject({ acks: 1, lingerMs: 20, batchSize: 65536, compressionType: 'zstd', enableIdempotence: false });
    expect(producerConfigFromProperties({ 'value.serializer': 'org.apache.kafka.common.serialization.StringSerializer' }).valueSerializer).toBe('string');
    expect(unknown).toBe('INVALID_CONFIG');
  });

  it.each(['constructor', 'toString', '__proto__'])('refuses the property name %s as unknown (not an Object.prototype member)', (name) => {
    // Act
    const act = () => producerConfigFromProperties(JSON.parse(`{${JSON.stringify(name)}: "x"}`) as Record<string, string>);

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: `unknown or unsupported producer property "${name}"` }));
  });

  it('keeps a serializer class named after an Object.prototype member as given (no built-in)', () => {
    // Act
    const config = producerConfigFromProperties({ 'value.serializer': 'constructor' });

    // Assess
    expect(config.valueSerializer).toBe('constructor');
  });
});
