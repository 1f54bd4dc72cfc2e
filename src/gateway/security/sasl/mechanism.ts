/** The server side of one SASL exchange: the interface every mechanism implements. */
import { GATEWAY_SASL_MECHANISMS, type GatewaySaslMechanism } from '../../../config/gateway.js';
import type { KafkaPrincipal } from '../principal.js';
import type { SaslError } from './errors.js';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

export const SASL_MECHANISMS = GATEWAY_SASL_MECHANISMS;
export type SaslMechanism = GatewaySaslMechanism;

export const isSaslMechanism = (name: string): name is SaslMechanism => (SASL_MECHANISMS as readonly string[]).includes(name);
export const isScramMechanism = (name: string): name is ScramMechanism => (SCRAM_MECHANISMS as readonly string[]).includes(name);

/** What one client message produced. `done` with `principal`: authenticated; `done` with `error`: failed. */
export interface SaslStep {
  /** Bytes for the client (SaslAuthenticate `auth_bytes`); empty when the mechanism has nothing to say. */
  response: Buffer;
  done: boolean;
  principal?: KafkaPrincipal;
  error?: SaslError;
}

export interface SaslSession {
  readonly mechanism: SaslMechanism;
  /** Consumes one client message. After `done`, every further step fails with ILLEGAL_SASL_STATE. */
  step(clientBytes: Buffer): Promise<SaslStep>;
}

export const failed = (error: SaslError): SaslStep => ({ response: Buffer.alloc(0), done: true, error });
