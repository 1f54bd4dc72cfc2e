/**
 * The gateway's security from its environment (GATEWAY_ENV): which TLS material, which SASL
 * mechanisms over which credentials. `securitySettingsFromEnv` only reads and validates (no I/O);
 * `loadGatewaySecurity` loads the material and the first credentials, so a bad secret fails
 * the process at start-up rather than the first client.
 */
import { GATEWAY_DEFAULTS, GATEWAY_ENV } from '../../config/gateway.js';
import { CachedCredentialStore } from './credentials/store.js';
import { SaslAuthenticator } from './sasl/authenticator.js';
import { SaslConnection, type SaslConnectionOptions } from './sasl/connection.js';
import { isSaslMechanism, type SaslMechanism } from './sasl/mechanism.js';
import { tlsFromFiles, tlsFromSecret, type TlsMaterial, type TlsSource } from './tls.js';

type Env = Record<string, string | undefined>;
/** Reads a secret's SecretString. */
export type SecretReader = (secretId: string) => Promise<string>;

export interface GatewaySecuritySettings {
  tls?: { source: TlsSource; from: string };
  sasl?: { mechanisms: SaslMechanism[]; load: () => Promise<string>; refreshMs: number; from: string };
  connection?: SaslConnectionOptions;
}

export interface GatewaySecurity {
  /** The listener's TLS material; undefined: plaintext. Pass both to createGatewayServer. */
  tls: TlsMaterial | undefined;
  tlsSource: TlsSource | undefined;
  /** undefined: no SASL, every connection is User:ANONYMOUS. */
  authenticator: SaslAuthenticator | undefined;
  /** The SASL state of a newly accepted connection. */
  newConnection(): SaslConnection;
  /** For the start-up banner, e.g. "TLS (secret ...), SASL SCRAM-SHA-512,SCRAM-SHA-256 (secret ..., 3 users)". */
  readonly description: string;
}

const set = (env: Env, name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

/** A SecretReader on one Secrets Manager client, created on first use (the SDK loads only if a secret is named). */
export function secretsManagerReader(region?: string): SecretReader {
  let client: Promise<(id: string) => Promise<string>> | undefined;
  return async (secretId) => {
    client ??= import('../../aws/secrets.js').then(({ createSecretsClient, getSecretString }) => {
      const c = createSecretsClient({ region });
      return (id: string) => getSecretString(c, id);
    });
    return (await client)(secretId);
  };
}

export function securitySettingsFromEnv(env: Env, readSecret: SecretReader = secretsManagerReader(env.AWS_REGION)): GatewaySecuritySettings {
  const settings: GatewaySecuritySettings = {};
  const certFile = set(env, GATEWAY_ENV.tlsCertFile);
  const keyFile = set(env, GATEWAY_ENV.tlsKeyFile);
  const tlsSecret = set(env, GATEWAY_ENV.tlsSecretId);
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error(`${GATEWAY_ENV.tlsCertFile} and ${GATEWAY_ENV.tlsKeyFile} go together`);
  if (certFile && tlsSecret) throw new Error(`TLS material from files or from ${GATEWAY_ENV.tlsSecretId}, not both`);
  if (certFile && keyFile) settings.tls = { source: tlsFromFiles(certFile, keyFile), from: `files ${certFile}` };
  if (tlsSecret) settings.tls = { source: tlsFromSecret(() => readSecret(tlsSecret)), from: `secret ${tlsSecret}` };

  const mechanisms = (set(env, GATEWAY_ENV.saslMechanisms) ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (mechanisms.length === 0) return settings;
  const unknown = mechanisms.filter((m) => !isSaslMechanism(m));
  if (unknown.length > 0) throw new Error(`${GATEWAY_ENV.saslMechanisms}: unknown mechanism(s) ${unknown.join(', ')} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
  const encrypted = settings.tls !== undefined || env[GATEWAY_ENV.tlsTerminatedUpstream] === 'true';
  if (mechanisms.includes('PLAIN') && !encrypted) {
    throw new Error(
      `SASL/PLAIN sends passwords in clear: enable TLS (${GATEWAY_ENV.tlsCertFile}/${GATEWAY_ENV.tlsKeyFile} or ${GATEWAY_ENV.tlsSecretId}), ` +
        `set ${GATEWAY_ENV.tlsTerminatedUpstream}=true when a load balancer terminates TLS, or use SCRAM`,
    );
  }
  const sources = [
    [GATEWAY_ENV.credentialsSecretId, set(env, GATEWAY_ENV.credentialsSecretId)],
    [GATEWAY_ENV.credentialsFile, set(env, GATEWAY_ENV.credentialsFile)],
    [GATEWAY_ENV.credentials, set(env, GATEWAY_ENV.credentials)],
  ].filter((s): s is [string, string] => s[1] !== undefined);
  if (sources.length !== 1) {
    throw new Error(`SASL needs exactly one of ${GATEWAY_ENV.credentialsSecretId}, ${GATEWAY_ENV.credentialsFile}, ${GATEWAY_ENV.credentials} (got ${sources.length})`);
  }
  const [name, value] = sources[0] as [string, string];
  const load =
    name === GATEWAY_ENV.credentialsSecretId
      ? () => readSecret(value)
      : name === GATEWAY_ENV.credentialsFile
        ? async () => (await import('node:fs/promises')).readFile(value, 'utf8')
        : async () => value;
  const from = name === GATEWAY_ENV.credentials ? name : `${name === GATEWAY_ENV.credentialsFile ? 'file' : 'secret'} ${value}`;
  const refreshSeconds = Number(set(env, GATEWAY_ENV.credentialsRefreshSeconds) ?? GATEWAY_DEFAULTS.credentialsRefreshSeconds);
  if (!Number.isFinite(refreshSeconds) || refreshSeconds <= 0) throw new Error(`${GATEWAY_ENV.credentialsRefreshSeconds}: expected a positive number`);
  settings.sasl = { mechanisms: mechanisms as SaslMechanism[], load, refreshMs: refreshSeconds * 1000, from };
  return settings;
}

export async function loadGatewaySecurity(
  settings: GatewaySecuritySettings,
  options: { onReloadError?: (error: unknown) => void } = {},
): Promise<GatewaySecurity> {
  const tls = settings.tls ? await settings.tls.source() : undefined;
  let authenticator: SaslAuthenticator | undefined;
  let users = 0;
  if (settings.sasl) {
    const store = new CachedCredentialStore({ load: settings.sasl.load, refreshMs: settings.sasl.refreshMs, onReloadError: options.onReloadError });
    await store.init();
    users = store.userCount;
    authenticator = new SaslAuthenticator({ mechanisms: settings.sasl.mechanisms, credentials: store });
  }
  const parts = [
    settings.tls ? `TLS (${settings.tls.from})` : 'plaintext',
    settings.sasl ? `SASL ${settings.sasl.mechanisms.join(',')} (${settings.sasl.from}, ${users} ${users === 1 ? 'user' : 'users'})` : 'no SASL (User:ANONYMOUS)',
  ];
  return {
    tls,
    tlsSource: settings.tls?.source,
    authenticator,
    newConnection: () => new SaslConnection(authenticator, settings.connection),
    description: parts.join(', '),
  };
}
