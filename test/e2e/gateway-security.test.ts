/**
 * Real clients against real `floe gateway` processes with security on: kcat (librdkafka 2.0.2)
 * and kafkajs 2.2.4 over TLS (a self-signed certificate made here) with SCRAM-SHA-512 and PLAIN,
 * kcat with SCRAM-SHA-256 over SASL_PLAINTEXT, kafka-python 2.0.2 with SCRAM over plaintext (SaslHandshake v0, bare tokens); wrong passwords
 * refused; connect-and-close health checks log nothing. One process is configured by flags, the
 * other by FLOE_GATEWAY_* variables.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../src/config/gateway.js';
import { configFromEnv } from '../../src/config/index.js';
import { createGatewayDeps } from '../../src/gateway/deps.js';
import { hasOpenssl, makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { uniqueName } from '../helpers/cluster.js';
import { ClientProcess, HAS_KAFKA_PYTHON, HAS_KCAT, kcat, MISSING, noteSkip, PYTHON, run } from '../helpers/kafka-clients.js';
import { FLOE_BIN } from '../helpers/processes.js';
import { ALICE, documentText } from '../helpers/sasl-fixtures.js';

noteSkip(hasOpenssl, 'gateway-security.test.ts: the openssl CLI is not installed (Debian: apt-get install openssl); skipping');
noteSkip(HAS_KCAT, MISSING.kcat);
noteSkip(HAS_KAFKA_PYTHON, MISSING.kafkaPython);

interface GatewayProcess {
  proc: ClientProcess;
  port: number;
  bootstrap: string;
  security: string;
}

async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<GatewayProcess> {
  const proc = ClientProcess.start(process.execPath, [FLOE_BIN, 'gateway', '--port', '0', '--json', ...args], env);
  await proc.until(() => proc.stdout.length > 0, 30_000, 'the gateway to start');
  const ready = JSON.parse(proc.stdout[0] as string) as { kafka: string; security: string };
  const port = Number(ready.kafka.split(':').at(-1));
  return { proc, port, bootstrap: `127.0.0.1:${port}`, security: ready.security };
}

let certificates: TestCertificates | undefined;
let tls: GatewayProcess | undefined;
let scram: GatewayProcess | undefined;
let topic: string;

beforeAll(async () => {
  if (!hasOpenssl) return;
  // Prepare: a certificate, a credentials file, a topic; then the two gateways
  certificates = makeCertificates('gateway');
  const files = certificates.files('gateway');
  const credentialsFile = join(files.cert, '..', 'users.json');
  const credentials = await documentText();
  writeFileSync(credentialsFile, credentials, { mode: 0o600 });
  const deps = createGatewayDeps(configFromEnv());
  topic = uniqueName('secure');
  await deps.log.createTopic(topic, 2, {});
  deps.clients.dynamo.destroy();
  deps.clients.s3.destroy();
  [tls, scram] = await Promise.all([
    startGatewayProcess(['--sasl-mechanisms', 'SCRAM-SHA-512,PLAIN', '--credentials-file', credentialsFile, '--tls-cert-file', files.cert, '--tls-key-file', files.key]),
    startGatewayProcess([], { ...process.env, [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,SCRAM-SHA-256', [GATEWAY_ENV.credentials]: credentials }),
  ]);
});
afterAll(async () => {
  await Promise.all([tls?.proc.stop(), scram?.proc.stop()]);
  certificates?.remove();
});

const kcatTls = (mechanism: string, password: string) => [
  '-X', 'security.protocol=SASL_SSL',
  '-X', `sasl.mechanisms=${mechanism}`,
  '-X', `sasl.username=${ALICE.name}`,
  '-X', `sasl.password=${password}`,
  '-X', `ssl.ca.location=${certificates!.files('gateway').cert}`,
];

describe.skipIf(!hasOpenssl)('floe gateway with TLS and SASL', () => {
  it('says what security it runs with', () => {
    // Assess
    expect(tls!.security).toMatch(/^TLS \(files .*gateway\.crt\), SASL SCRAM-SHA-512,PLAIN \(file .*users\.json, 2 users\)$/);
    expect(scram!.security).toBe(`plaintext, SASL SCRAM-SHA-512,SCRAM-SHA-256 (${GATEWAY_ENV.credentials}, 2 users)`);
  });

  it.skipIf(!HAS_KCAT)('kcat produces idempotently and consumes over SASL_SSL with SCRAM-SHA-512, as User:alice', async () => {
    // Act
    const produced = await kcat(['-b', tls!.bootstrap, '-P', '-t', topic, '-K:', '-X', 'enable.idempotence=true', ...kcatTls('SCRAM-SHA-512', ALICE.password)], 'k1:v1\nk2:v2\n');
    const consumed = await kcat(['-b', tls!.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k=%s\n', ...kcatTls('SCRAM-SHA-512', ALICE.password)]);

    // Assess
    expect(produced.code, produced.stderr).toBe(0);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n').filter(Boolean).sort()).toEqual(expect.arrayContaining(['k1=v1', 'k2=v2']));
    expect(tls!.proc.stderr.some((l) => l.includes('"message":"authenticated"') && l.includes('"principal":"User:alice"'))).toBe(true);
  });

  it.skipIf(!HAS_KCAT)('kcat lists metadata over SASL_SSL with PLAIN', async () => {
    // Act
    const listed = await kcat(['-b', tls!.bootstrap, '-L', '-t', topic, ...kcatTls('PLAIN', ALICE.password)]);

    // Assess
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`broker 1 at 127.0.0.1:${tls!.port}`);
  });

  it.skipIf(!HAS_KCAT)('kcat is refused with a wrong password, and the gateway logs the failure', async () => {
    // Act
    const listed = await kcat(['-b', tls!.bootstrap, '-L', '-m', '4', ...kcatTls('SCRAM-SHA-512', 'wrong')]);

    // Assess
    expect(listed.code).not.toBe(0);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/Authentication failed/i);
    expect(tls!.proc.stderr.some((l) => l.includes('"message":"authentication failed"'))).toBe(true);
  });

  const kcatPlaintext = (password: string) => [
    '-X', 'security.protocol=SASL_PLAINTEXT',
    '-X', 'sasl.mechanisms=SCRAM-SHA-256',
    '-X', `sasl.username=${ALICE.name}`,
    '-X', `sasl.password=${password}`,
  ];

  it.skipIf(!HAS_KCAT)('kcat produces and consumes over SASL_PLAINTEXT with SCRAM-SHA-256', async () => {
    // Act
    const produced = await kcat(['-b', scram!.bootstrap, '-P', '-t', topic, '-p', '0', '-K:', ...kcatPlaintext(ALICE.password)], 'k256:v256\n');
    const consumed = await kcat(['-b', scram!.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-f', '%k=%s\n', ...kcatPlaintext(ALICE.password)]);

    // Assess
    expect(produced.code, produced.stderr).toBe(0);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n')).toContain('k256=v256');
  });

  it.skipIf(!HAS_KCAT)('kcat over SASL_PLAINTEXT with a wrong SCRAM-SHA-256 password gets SASL_AUTHENTICATION_FAILED', async () => {
    // Act
    const listed = await kcat(['-b', scram!.bootstrap, '-L', '-m', '4', ...kcatPlaintext('wrong')]);

    // Assess: the broker's own wording for error 58, relayed by librdkafka
    expect(listed.code).not.toBe(0);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/invalid credentials with SASL mechanism SCRAM-SHA-256/);
  });

  const kafka = (sasl: SASLOptions, retries = 2) =>
    new Kafka({ clientId: 'secure-test', brokers: [tls!.bootstrap], ssl: { ca: [certificates!.material('gateway').cert] }, sasl, logLevel: logLevel.NOTHING, retry: { retries } });

  it.each([
    ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: ALICE.name, password: ALICE.password }],
    ['PLAIN', { mechanism: 'plain', username: ALICE.name, password: ALICE.password }],
  ] as Array<[string, SASLOptions]>)('kafkajs produces and reads offsets over TLS with %s', async (_, sasl) => {
    // Prepare
    const client = kafka(sasl);
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    const admin = client.admin();

    // Act
    await producer.connect();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'kjs', value: 'v', partition: 1 }] });
    await producer.disconnect();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();

    // Assess
    expect(sent?.errorCode).toBe(0);
    expect(Number(offsets.find((o) => o.partition === 1)?.high)).toBe(Number(sent?.baseOffset) + 1);
  });

  it('kafkajs is refused with a wrong password', async () => {
    // Prepare
    const admin = kafka({ mechanism: 'scram-sha-512', username: ALICE.name, password: 'nope' }, 0).admin();

    // Act
    const error = await admin.connect().then(() => undefined, (e: Error) => e);
    await admin.disconnect();

    // Assess
    expect(error?.name).toMatch(/SASLAuthentication|Connection/);
    expect(error?.message).toMatch(/SASL SCRAM SHA512 authentication failed|Authentication failed/);
  });

  it.skipIf(!HAS_KAFKA_PYTHON)('kafka-python authenticates with SCRAM through SaslHandshake v0 and bare tokens', async () => {
    // Prepare
    const script = [
      'import sys',
      'from kafka import KafkaProducer',
      `p = KafkaProducer(bootstrap_servers='${scram!.bootstrap}', security_protocol='SASL_PLAINTEXT', sasl_mechanism='SCRAM-SHA-512',`,
      `                  sasl_plain_username='${ALICE.name}', sasl_plain_password='${ALICE.password}', request_timeout_ms=10000)`,
      `m = p.send('${topic}', key=b'py', value=b'v', partition=0).get(timeout=20)`,
      'p.close()',
      'print(m.offset)',
    ].join('\n');

    // Act
    const result = await run(PYTHON, ['-c', script], '', 60_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBeGreaterThanOrEqual(0);
  });

  it('logs nothing for connect-and-close health checks, TLS or not', async () => {
    // Prepare
    const before = [tls!.proc.stderr.length, scram!.proc.stderr.length];
    const probe = (open: () => import('node:net').Socket, connected = 'connect') =>
      new Promise<void>((resolve) => {
        const socket = open();
        socket.once(connected, () => socket.end());
        socket.once('error', () => resolve());
        socket.once('close', () => resolve());
      });

    // Act
    for (let i = 0; i < 5; i++) {
      await probe(() => tcpConnect(tls!.port, '127.0.0.1'));
      await probe(() => tcpConnect(scram!.port, '127.0.0.1'));
    }
    await probe(() => tlsConnect({ port: tls!.port, host: '127.0.0.1', rejectUnauthorized: false }), 'secureConnect');
    await new Promise((r) => setTimeout(r, 500));

    // Assess
    expect(tls!.proc.stderr.slice(before[0])).toEqual([]);
    expect(scram!.proc.stderr.slice(before[1])).toEqual([]);
  });
});
