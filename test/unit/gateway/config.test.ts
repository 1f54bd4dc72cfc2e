/** The gateway's security from its environment: what is required, what is refused, and what loads. */
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV } from '../../../src/config/gateway.js';
import { loadGatewaySecurity, securitySettingsFromEnv } from '../../../src/gateway/security/config.js';
import { ALICE, documentText } from '../../helpers/sasl-fixtures.js';

const noSecrets = async (id: string): Promise<string> => {
  throw new Error(`unexpected secret read: ${id}`);
};

describe('gateway security from the environment', () => {
  it('is plaintext without SASL when nothing is set (the local cluster)', async () => {
    // Act
    const security = await loadGatewaySecurity(securitySettingsFromEnv({}, noSecrets));

    // Assess
    expect(security.tls).toBeUndefined();
    expect(security.authenticator).toBeUndefined();
    expect(security.newConnection().principal).toBe('User:ANONYMOUS');
    expect(security.description).toBe('plaintext, no SASL (User:ANONYMOUS)');
  });

  it('loads SCRAM credentials from a secret at start-up and authenticates with them', async () => {
    // Prepare
    const text = await documentText();
    const read: string[] = [];
    const env = { [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512, SCRAM-SHA-256', [GATEWAY_ENV.credentialsSecretId]: 'arn:secret:creds' };

    // Act
    const security = await loadGatewaySecurity(securitySettingsFromEnv(env, async (id) => (read.push(id), text)));
    const connection = security.newConnection();
    const admitted = connection.admits(3);

    // Assess
    expect(read).toEqual(['arn:secret:creds']);
    expect(security.authenticator?.mechanisms).toEqual(['SCRAM-SHA-512', 'SCRAM-SHA-256']);
    expect(admitted).toBe(false);
    expect(security.description).toBe('plaintext, SASL SCRAM-SHA-512,SCRAM-SHA-256 (secret arn:secret:creds, 2 users)');
  });

  it('allows PLAIN on a plaintext listener only behind a load balancer that terminates TLS', async () => {
    // Prepare
    const base = { [GATEWAY_ENV.saslMechanisms]: 'PLAIN', [GATEWAY_ENV.credentials]: await documentText() };

    // Act
    const refused = () => securitySettingsFromEnv(base, noSecrets);
    const security = await loadGatewaySecurity(securitySettingsFromEnv({ ...base, [GATEWAY_ENV.tlsTerminatedUpstream]: 'true' }, noSecrets));
    const sasl = security.newConnection();
    sasl.handshake(1, 'PLAIN');
    await sasl.authenticate(Buffer.from(`\0${ALICE.name}\0${ALICE.password}`));

    // Assess
    expect(refused).toThrow(/PLAIN sends passwords in clear/);
    expect(sasl.principal).toBe('User:alice');
  });

  it.each([
    ['an unknown mechanism', { [GATEWAY_ENV.saslMechanisms]: 'GSSAPI', [GATEWAY_ENV.credentials]: '{}' }, /unknown mechanism/],
    ['SASL without credentials', { [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-256' }, /exactly one of/],
    ['two credential sources', { [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-256', [GATEWAY_ENV.credentials]: '{}', [GATEWAY_ENV.credentialsFile]: '/x' }, /exactly one of/],
    ['a certificate without a key', { [GATEWAY_ENV.tlsCertFile]: '/c.pem' }, /go together/],
    ['TLS from files and a secret', { [GATEWAY_ENV.tlsCertFile]: '/c', [GATEWAY_ENV.tlsKeyFile]: '/k', [GATEWAY_ENV.tlsSecretId]: 's' }, /not both/],
    ['a bad refresh interval', { [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-256', [GATEWAY_ENV.credentials]: '{}', [GATEWAY_ENV.credentialsRefreshSeconds]: '-1' }, /positive/],
  ])('refuses %s', (_, env, message) => {
    // Act / Assess
    expect(() => securitySettingsFromEnv(env, noSecrets)).toThrow(message);
  });

  it('fails start-up when the credentials secret holds a bad document', async () => {
    // Prepare
    const settings = securitySettingsFromEnv({ [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-256', [GATEWAY_ENV.credentialsSecretId]: 's' }, async () => '{"users": {"a": {}}}');

    // Act / Assess
    await expect(loadGatewaySecurity(settings)).rejects.toThrow(/no credentials/);
  });
});
