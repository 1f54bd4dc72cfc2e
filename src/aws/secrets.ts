/**
 * The Secrets Manager client (the gateway's SASL credentials and TLS material), kept apart from
 * clients.ts so the Lambda bundles, which never read a secret, do not carry it. Created once per
 * process and passed in, like the others.
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The region comes from the usual chain (AWS_REGION, the profile); AWS_ENDPOINT_URL_SECRETS_MANAGER points it elsewhere. */
export function createSecretsClient(options: { region?: string } = {}): SecretsManagerClient {
  return new SecretsManagerClient({ region: options.region });
}

/** The current SecretString of a secret (name or ARN). Binary secrets are refused: Floe's secrets are JSON. */
export async function getSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (out.SecretString === undefined) throw new Error(`secret ${secretId} has no SecretString (Floe's secrets are JSON text)`);
  return out.SecretString;
}

/** Writes a new version of a secret (the credentials helper; the gateway itself only reads). */
export async function putSecretString(client: SecretsManagerClient, secretId: string, text: string): Promise<void> {
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
}
