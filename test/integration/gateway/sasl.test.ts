/**
 * SASL in the real gateway (startGateway with a GatewaySecurity), on the wire: what is served
 * before authentication, SaslHandshake v1 with SaslAuthenticate, v0 with bare tokens (kafka-python),
 * bounded failures, the failure delay, the smaller frame cap, and the log lines. Real clients over
 * TLS are in test/e2e/gateway-security.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewaySecurity, securitySettingsFromEnv } from '../../../src/gateway/security/index.js';
import { GATEWAY_ENV } from '../../../src/config/gateway.js';
import type { GatewayLogger, LogFields } from '../../../src/gateway/logger.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire } from '../../helpers/kafka-wire.js';
import { ALICE, documentText } from '../../helpers/sasl-fixtures.js';
import { ScramTestClient } from '../../helpers/scram-client.js';

const FAILURE_DELAY_MS = 150;
const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`);
const sized = (payload: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};
const versions = { clientSoftwareName: 't', clientSoftwareVersion: '1' };

const lines: Array<{ message: string } & LogFields> = [];
const log: GatewayLogger = {
  info: (message, fields) => lines.push({ message, ...fields }),
  warn: (message, fields) => lines.push({ message, ...fields }),
  error: (message, fields) => lines.push({ message, ...fields }),
};

let secured: TestGateway;
let open: TestGateway;
beforeAll(async () => {
  const env = {
    [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,PLAIN',
    [GATEWAY_ENV.credentials]: await documentText(),
    // PLAIN needs TLS; here a load balancer "terminates" it, so the wire stays readable.
    [GATEWAY_ENV.tlsTerminatedUpstream]: 'true',
  };
  const security = await loadGatewaySecurity({ ...securitySettingsFromEnv(env), connection: { failureDelayMs: FAILURE_DELAY_MS } });
  [secured, open] = await Promise.all([startTestGateway({}, { security, log }), startTestGateway()]);
});
afterAll(async () => {
  await Promise.all([secured?.close(), open?.close()]);
});

describe('a gateway without SASL', () => {
  it('advertises SaslHandshake 0-1 and SaslAuthenticate 0-2, answers them ILLEGAL_SASL_STATE and keeps serving', async () => {
    // Prepare
    const wire = await KafkaWire.connect(open.port);

    // Act
    const advertised = await wire.request(18, 3, versions);
    const handshake = await wire.request(17, 1, { mechanism: 'PLAIN' });
    const authenticate = await wire.request(36, 2, { authBytes: plain(ALICE.name, ALICE.password) });
    const meta = await wire.request(3, 1, { topics: [] });
    wire.close();

    // Assess
    const table = Object.fromEntries(advertised.apiKeys.map((k: { apiKey: number; minVersion: number; maxVersion: number }) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
    expect(table).toMatchObject({ 17: '0-1', 36: '0-2' });
    expect(handshake.errorCode).toBe(34);
    expect(authenticate.errorCode).toBe(34);
    expect(meta.brokers).toHaveLength(1);
  });
});

describe('a gateway with SASL', () => {
  it('answers ApiVersions before authentication and closes the connection on anything else', async () => {
    // Prepare
    const wire = await KafkaWire.connect(secured.port);

    // Act
    const advertised = await wire.request(18, 3, versions);
    wire.send(3, 1, { topics: [] });
    await wire.whenClosed;

    // Assess
    expect(advertised.errorCode).toBe(0);
    expect(wire.buffered).toBe(0);
    expect(wire.closed).toBe(true);
  });

  it('authenticates PLAIN through SaslAuthenticate, then serves the connection and logs the principal', async () => {
    // Prepare
    const wire = await KafkaWire.connect(secured.port);

    // Act
    const handshake = await wire.request(17, 1, { mechanism: 'PLAIN' });
    const authenticated = await wire.request(36, 2, { authBytes: plain(ALICE.name, ALICE.password) });
    const meta = await wire.request(3, 1, { topics: [] });
    wire.close();

    // Assess
    expect(handshake).toMatchObject({ errorCode: 0, mechanisms: ['SCRAM-SHA-512', 'PLAIN'] });
    expect(authenticated.errorCode).toBe(0);
    expect(meta.brokers).toHaveLength(1);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'authenticated', principal: 'User:alice' }));
  });

  it('answers a wrong password after the failure delay, lets the client retry, and closes after the third failure', async () => {
    // Prepare
    const wire = await KafkaWire.connect(secured.port);
    const attempt = async () => {
      await wire.request(17, 1, { mechanism: 'PLAIN' });
      const started = performance.now();
      const answer = await wire.request(36, 1, { authBytes: plain(ALICE.name, 'wrong') });
      return { code: answer.errorCode as number, ms: performance.now() - started };
    };

    // Act
    const answers = [await attempt(), await attempt(), await attempt()];
    await wire.whenClosed;

    // Assess
    expect(answers.map((a) => a.code)).toEqual([58, 58, 58]);
    for (const a of answers) expect(a.ms).toBeGreaterThanOrEqual(FAILURE_DELAY_MS - 10);
    expect(wire.closed).toBe(true);
    expect(lines.filter((l) => l.message === 'authentication failed').length).toBeGreaterThanOrEqual(3);
  });

  it('runs SCRAM-SHA-512 as bare tokens after SaslHandshake v0, as kafka-python does', async () => {
    // Prepare
    const wire = await KafkaWire.connect(secured.port);
    const scram = new ScramTestClient('SCRAM-SHA-512', ALICE.name, ALICE.password);

    // Act
    const handshake = await wire.request(17, 0, { mechanism: 'SCRAM-SHA-512' });
    wire.sendRaw(sized(scram.first()));
    const serverFirst = (await wire.nextFrame()) as Buffer;
    wire.sendRaw(sized(scram.final(serverFirst)));
    const serverFinal = (await wire.nextFrame()) as Buffer;
    const meta = await wire.request(3, 1, { topics: [] });
    wire.close();

    // Assess
    expect(handshake.errorCode).toBe(0);
    expect(scram.verifies(serverFinal)).toBe(true);
    expect(meta.brokers).toHaveLength(1);
  });

  it('answers a bare PLAIN token with an empty one, and closes on a wrong one (v0 has no error field)', async () => {
    // Prepare
    const good = await KafkaWire.connect(secured.port);
    const bad = await KafkaWire.connect(secured.port);

    // Act
    await good.request(17, 0, { mechanism: 'PLAIN' });
    await bad.request(17, 0, { mechanism: 'PLAIN' });
    good.sendRaw(sized(plain(ALICE.name, ALICE.password)));
    bad.sendRaw(sized(plain(ALICE.name, 'wrong')));
    const reply = await good.nextFrame();
    const meta = await good.request(3, 1, { topics: [] });
    const refused = await bad.nextFrame();
    good.close();

    // Assess
    expect(reply).toEqual(Buffer.alloc(0));
    expect(meta.brokers).toHaveLength(1);
    expect(refused).toBeUndefined();
    expect(bad.closed).toBe(true);
  });

  it('closes a connection that sends a frame over 512 KiB before authenticating', async () => {
    // Prepare
    const wire = await KafkaWire.connect(secured.port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(600 * 1024);

    // Act
    wire.sendRaw(header);
    await wire.whenClosed;

    // Assess
    expect(wire.closed).toBe(true);
  });
});
