/**
 * The Kafka gateway's security flags, shared by `floe gateway` and `floe dev`: TLS and SASL from
 * FLOE_GATEWAY_* (src/config/gateway.ts), each flag replacing every other source of the same thing.
 */
import type { Command } from 'commander';
import { FloeError } from '@floe/protocol';
import { GATEWAY_ENV, GATEWAY_SASL_MECHANISMS } from '../config/gateway.js';
import type { Env } from '../config/index.js';
import type { GatewaySecurity } from '../gateway/security/index.js';

export interface GatewaySecurityOptions {
  saslMechanisms?: string;
  credentialsFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/** `readsEnv` false (floe dev): the flags are the only source, so their help names no variable. */
export function withGatewaySecurityOptions(command: Command, readsEnv = true): Command {
  const env = (text: string) => (readsEnv ? ` (env ${text})` : '');
  return command
    .option('--sasl-mechanisms <list>', `require SASL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, comma-separated (${readsEnv ? `env ${GATEWAY_ENV.saslMechanisms}; ` : ''}default none)`)
    .option('--credentials-file <path>', `the SASL users' JSON document${env(`${GATEWAY_ENV.credentialsFile}, or ${GATEWAY_ENV.credentialsSecretId}`)}`)
    .option('--tls-cert-file <path>', `serve TLS with this PEM certificate (and chain)${env(`${GATEWAY_ENV.tlsCertFile}, or ${GATEWAY_ENV.tlsSecretId}`)}`)
    .option('--tls-key-file <path>', `the certificate's unencrypted PEM key${env(GATEWAY_ENV.tlsKeyFile)}`);
}

/** The gateway's security from `env` (floe gateway: the process's; floe dev: none) with the flags written over it. */
export async function gatewaySecurityOf(env: Env, options: GatewaySecurityOptions, warn: (message: string, fields: Record<string, unknown>) => void): Promise<GatewaySecurity> {
  return loadSecurity(securityEnv(env, options), options, warn);
}

/**
 * floe dev's security: from the flags alone (a shell's FLOE_GATEWAY_* secret ids leave the sandbox alone),
 * so what a configuration lacks is said as the flag that brings it, never as a variable floe dev does not read.
 */
export async function devGatewaySecurityOf(options: GatewaySecurityOptions, warn: (message: string, fields: Record<string, unknown>) => void): Promise<GatewaySecurity> {
  const lacking = lackingFlag(options);
  if (lacking !== undefined) throw new FloeError('INVALID_CONFIG', `gateway security: ${lacking}`);
  return gatewaySecurityOf({}, options, warn);
}

/** The flag a valid SASL setting still needs; any other mistake (unknown mechanism, one TLS file) the shared check says. */
function lackingFlag(options: GatewaySecurityOptions): string | undefined {
  const mechanisms = (options.saslMechanisms ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (mechanisms.length === 0 || !mechanisms.every((m) => (GATEWAY_SASL_MECHANISMS as readonly string[]).includes(m))) return undefined;
  if (mechanisms.includes('PLAIN') && !options.tlsCertFile && !options.tlsKeyFile) {
    return 'SASL/PLAIN sends passwords in clear: serve TLS with --tls-cert-file and --tls-key-file, or use SCRAM-SHA-256 / SCRAM-SHA-512';
  }
  if (!options.credentialsFile) return '--sasl-mechanisms needs --credentials-file (write it with `floe gateway credentials <user> --file <path>`)';
  return undefined;
}

/** The first security flag given, by its name (floe dev refuses them with --no-kafka). */
export function securityFlagGiven(options: GatewaySecurityOptions): string | undefined {
  const given: Array<[unknown, string]> = [
    [options.saslMechanisms, '--sasl-mechanisms'],
    [options.credentialsFile, '--credentials-file'],
    [options.tlsCertFile, '--tls-cert-file'],
    [options.tlsKeyFile, '--tls-key-file'],
  ];
  return given.find(([value]) => value !== undefined)?.[1];
}

/** The environment names a security error would give for what the user set by flag, and those flags. */
function flagNames(options: GatewaySecurityOptions): Array<[string, string]> {
  const names: Array<[string, string]> = [];
  if (options.saslMechanisms !== undefined) names.push([GATEWAY_ENV.saslMechanisms, '--sasl-mechanisms']);
  if (options.credentialsFile !== undefined) names.push([GATEWAY_ENV.credentialsFile, '--credentials-file']);
  // Either TLS flag replaces the environment's TLS source, so both files are the flags' business.
  if (options.tlsCertFile !== undefined || options.tlsKeyFile !== undefined) {
    names.push([GATEWAY_ENV.tlsCertFile, '--tls-cert-file'], [GATEWAY_ENV.tlsKeyFile, '--tls-key-file']);
  }
  return names;
}

/** The environment with the security flags written over it: a flag replaces every other source of the same thing. */
function securityEnv(env: Env, options: GatewaySecurityOptions): Env {
  const merged: Env = { ...env };
  if (options.saslMechanisms !== undefined) merged[GATEWAY_ENV.saslMechanisms] = options.saslMechanisms;
  if (options.credentialsFile !== undefined) {
    merged[GATEWAY_ENV.credentialsFile] = options.credentialsFile;
    delete merged[GATEWAY_ENV.credentialsSecretId];
    delete merged[GATEWAY_ENV.credentials];
  }
  if (options.tlsCertFile !== undefined || options.tlsKeyFile !== undefined) {
    if (options.tlsCertFile !== undefined) merged[GATEWAY_ENV.tlsCertFile] = options.tlsCertFile;
    if (options.tlsKeyFile !== undefined) merged[GATEWAY_ENV.tlsKeyFile] = options.tlsKeyFile;
    delete merged[GATEWAY_ENV.tlsSecretId];
  }
  return merged;
}

async function loadSecurity(env: Env, options: GatewaySecurityOptions, warn: (message: string, fields: Record<string, unknown>) => void): Promise<GatewaySecurity> {
  const { loadGatewaySecurity, securitySettingsFromEnv } = await import('../gateway/security/index.js');
  try {
    return await loadGatewaySecurity(securitySettingsFromEnv(env), { onReloadError: (error) => warn('credentials reload failed, keeping the last good ones', { error: String(error) }) });
  } catch (error) {
    // The settings are read from the environment (flags written over it): name the flag the user typed, not its variable.
    const message = flagNames(options).reduce((text, [name, flag]) => text.replaceAll(name, flag), (error as Error).message);
    throw new FloeError('INVALID_CONFIG', `gateway security: ${message}`);
  }
}

