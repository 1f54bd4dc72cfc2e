/** Kafka's SASL error codes and the answers built from them. */
import type { SaslMechanism } from './mechanism.js';

export const SASL_ERROR = {
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  SASL_AUTHENTICATION_FAILED: 58,
} as const;

export type SaslErrorCode = (typeof SASL_ERROR)[keyof typeof SASL_ERROR];

export interface SaslError {
  code: SaslErrorCode;
  message: string;
}

/**
 * Kafka's wording for bad credentials. The same for an unknown user and a wrong password,
 * so an answer never tells which user names exist.
 */
export const invalidCredentials = (mechanism: SaslMechanism): SaslError => ({
  code: SASL_ERROR.SASL_AUTHENTICATION_FAILED,
  message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
});

/** A message that breaks the mechanism's grammar: saying what is wrong leaks nothing about users. */
export const malformedSasl = (mechanism: SaslMechanism, detail: string): SaslError => ({
  code: SASL_ERROR.SASL_AUTHENTICATION_FAILED,
  message: `Authentication failed: invalid ${mechanism} message: ${detail}`,
});

export const illegalState = (message: string): SaslError => ({ code: SASL_ERROR.ILLEGAL_SASL_STATE, message });
