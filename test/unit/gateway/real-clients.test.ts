/**
 * Clients no one here wrote (kcat/librdkafka 2.0 and kafkajs 2.2.4) authenticate through the
 * gateway's TLS listener and SASL state machine, driven as secure-broker.ts drives them:
 * SCRAM-SHA-512 and PLAIN over TLS, SCRAM-SHA-256 over plaintext, wrong passwords refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../../src/config/gateway.js';
import { loadGatewaySecurity, securitySettingsFromEnv } from '../../../src/gateway/security/config.js';
import { hasOpenssl, makeCertificates, type TestCertificates } from '../../helpers/certificates.js';
import { ALICE, documentText } from '../../helpers/sasl-fixtures.js';
import { startSecureBroker, type SecureBroker } from './secure-broker.js';

const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.warn('real-clients.test.ts: skipped, the openssl CLI is not installed');
if (!hasKcat) console.warn('real-clients.test.ts: kcat cases skipped, kcat is not installed');
const noSecrets = async (): Promise<string> => Promise.reject(new Error('no secrets here'));

let certificates: TestCertificates | undefined;
let tlsBroker: SecureBroker | undefined;
let plainBroker: SecureBroker | undefined;

beforeAll(async () => {
  if (!hasOpenssl) return;
  certificates = makeCertificates('gateway');
  const credentials = await documentText();
  const files = certificates.files('gateway');
  tlsBroker = await startSecureBroker(
    await loadGatewaySecurity({
      ...securitySettingsFromEnv(
        {
          [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
          [GATEWAY_ENV.credentials]: credentials,
          [GATEWAY_ENV.tlsCertFile]: files.cert,
          [GATEWAY_ENV.tlsKeyFile]: files.key,
        },
        noSecrets,
      ),
      connection: { failureDelayMs: 0 },
    }),
  );
  plainBroker = await startSecureBroker(
    await loadGatewaySecurity(securitySettingsFromEnv({ [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-256', [GATEWAY_ENV.credentials]: credentials }, noSecrets)),
  );
});
afterAll(async () => {
  await tlsBroker?.close();
  await plainBroker?.close();
  certificates?.remove();
});

/** Runs kcat -L asynchronously: the broker lives in this process's event loop. */
function kcatList(broker: SecureBroker, settings: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const args = ['-b', `127.0.0.1:${broker.port}`, '-L', '-m', '4', ...Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`])];
  return new Promise((resolve) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

describe.skipIf(!hasOpenssl || !hasKcat)('kcat (librdkafka)', () => {
  it('lists metadata over SASL_SSL with SCRAM-SHA-512, as User:alice', async () => {
    // Prepare
    const before = tlsBroker!.principals.length;

    // Act
    const result = await kcatList(tlsBroker!, {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': ALICE.name,
      'sasl.password': ALICE.password,
      'ssl.ca.location': certificates!.files('gateway').cert,
    });

    // Assess
    expect(result.status, result.out).toBe(0);
    expect(result.out).toMatch(/1 brokers:\s+broker 1 at 127\.0\.0\.1:\d+/);
    expect(tlsBroker!.principals.slice(before)).toContain('User:alice');
  });

  it('lists metadata over SASL_PLAINTEXT with SCRAM-SHA-256', async () => {
    // Act
    const result = await kcatList(plainBroker!, {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': ALICE.name,
      'sasl.password': ALICE.password,
    });

    // Assess
    expect(result.status, result.out).toBe(0);
    expect(result.out).toMatch(/broker 1 at 127\.0\.0\.1/);
  });

  it('fails with a wrong password and never gets metadata', async () => {
    // Prepare
    const before = tlsBroker!.principals.length;

    // Act
    const result = await kcatList(tlsBroker!, {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': ALICE.name,
      'sasl.password': 'wrong',
      'ssl.ca.location': certificates!.files('gateway').cert,
    });

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.out).toMatch(/Authentication failed/i);
    expect(tlsBroker!.principals.length).toBe(before);
  });
});

describe.skipIf(!hasOpenssl)('kafkajs', () => {
  const admin = (broker: SecureBroker, sasl: SASLOptions, tls: boolean) =>
    new Kafka({
      clientId: 'floe-test',
      brokers: [`127.0.0.1:${broker.port}`],
      ssl: tls ? { ca: [certificates!.material('gateway').cert] } : false,
      sasl,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();

  it.each([
    ['PLAIN over TLS', { mechanism: 'plain', username: ALICE.name, password: ALICE.password }, true],
    ['SCRAM-SHA-512 over TLS', { mechanism: 'scram-sha-512', username: ALICE.name, password: ALICE.password }, true],
    ['SCRAM-SHA-256 over plaintext', { mechanism: 'scram-sha-256', username: ALICE.name, password: ALICE.password }, false],
  ] as Array<[string, SASLOptions, boolean]>)('connects with %s and reads the cluster', async (_, sasl, tls) => {
    // Prepare
    const client = admin(tls ? tlsBroker! : plainBroker!, sasl, tls);

    // Act
    await client.connect();
    const cluster = await client.describeCluster();
    await client.disconnect();

    // Assess
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: (tls ? tlsBroker! : plainBroker!).port }]);
  });

  it('is refused with a wrong password', async () => {
    // Prepare
    const client = admin(tlsBroker!, { mechanism: 'scram-sha-512', username: ALICE.name, password: 'nope' }, true);

    // Act
    const error = await client.connect().then(() => undefined, (e: Error) => e);
    await client.disconnect();

    // Assess
    expect(error?.name).toMatch(/SASLAuthentication|Connection/);
    expect(error?.message).toMatch(/SASL SCRAM SHA512 authentication failed|Authentication failed/);
  });
});
