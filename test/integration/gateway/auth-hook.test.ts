/**
 * The hook SASL plugs into: with an authenticator, the listener advertises SaslHandshake and
 * SaslAuthenticate, closes a connection that asks for anything else first, and serves it once
 * the exchange yields a principal. (The mechanisms themselves - PLAIN, SCRAM - come later.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../src/gateway/auth.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire } from '../../helpers/kafka-wire.js';

/** PLAIN's message is "\0user\0password"; this test double accepts one pair. */
const fakePlain: Authenticator = {
  mechanisms: ['PLAIN'],
  start: () => ({
    async step(bytes) {
      const [, user, password] = bytes.toString('utf8').split('\u0000');
      if (user !== 'alice' || password !== 'secret') throw new Error('bad credentials');
      return { done: true, principal: { type: 'User', name: user } };
    },
  }),
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({}, fakePlain);
});
afterAll(async () => {
  await gw?.close();
});

describe('the authenticator hook', () => {
  it('advertises SASL and serves nothing but ApiVersions and SASL before authentication', async () => {
    // Prepare
    const conn = await KafkaWire.connect(gw.port);

    // Act
    const versions = await conn.request(18, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
    conn.send(3, 1, { topics: [] });
    await conn.whenClosed;

    // Assess
    expect(versions.apiKeys.map((k: { apiKey: number }) => k.apiKey)).toEqual(expect.arrayContaining([17, 36]));
    expect(conn.closed).toBe(true);
  });

  it('serves the connection once the exchange succeeds, and refuses bad credentials', async () => {
    // Prepare
    const good = await KafkaWire.connect(gw.port);
    const bad = await KafkaWire.connect(gw.port);

    // Act
    const handshake = await good.request(17, 1, { mechanism: 'PLAIN' });
    const unknownMechanism = await bad.request(17, 1, { mechanism: 'GSSAPI' });
    await bad.request(17, 1, { mechanism: 'PLAIN' });
    const refused = await bad.request(36, 2, { authBytes: Buffer.from('\u0000alice\u0000wrong') });
    const accepted = await good.request(36, 2, { authBytes: Buffer.from('\u0000alice\u0000secret') });
    const meta = await good.request(3, 1, { topics: [] });
    good.close();
    bad.close();

    // Assess
    expect(handshake).toMatchObject({ errorCode: 0, mechanisms: ['PLAIN'] });
    expect(unknownMechanism.errorCode).toBe(33);
    expect(refused.errorCode).toBe(58);
    expect(accepted.errorCode).toBe(0);
    expect(meta.brokers).toHaveLength(1);
  });
});
