/**
 * SaslHandshake (17) v1 and SaslAuthenticate (36): the frame of a SASL exchange, with the
 * mechanism itself behind the Authenticator interface (auth.ts). Served only when the listener
 * has an authenticator; until the exchange ends the connection may use nothing else.
 */
import type { MessageBody, SaslAuthenticateRequest, SaslHandshakeRequest } from '@floe/protocol/kafka';
import type { SaslSession } from '../auth.js';
import type { Handler } from '../context.js';
import { KafkaCode } from '../kafka-codes.js';

interface SaslState {
  mechanism?: string;
  session?: SaslSession;
}

export const saslHandshake: Handler = async (gw, raw, { connection }) => {
  const body = raw as MessageBody<typeof SaslHandshakeRequest>;
  const mechanisms = [...(gw.authenticator?.mechanisms ?? [])];
  if (!gw.authenticator || connection.principal !== undefined || !mechanisms.includes(body.mechanism ?? '')) {
    return { errorCode: connection.principal !== undefined ? KafkaCode.ILLEGAL_SASL_STATE : KafkaCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
  }
  connection.sasl = { mechanism: body.mechanism } satisfies SaslState;
  return { errorCode: 0, mechanisms };
};

export const saslAuthenticate: Handler = async (gw, raw, { connection }) => {
  const body = raw as MessageBody<typeof SaslAuthenticateRequest>;
  const state = connection.sasl as SaslState | undefined;
  const answer = (errorCode: number, errorMessage: string | null, authBytes: Buffer = Buffer.alloc(0)) => ({ errorCode, errorMessage, authBytes, sessionLifetimeMs: 0n });
  if (!gw.authenticator || state?.mechanism === undefined || connection.principal !== undefined) return answer(KafkaCode.ILLEGAL_SASL_STATE, 'SaslHandshake first');
  try {
    state.session ??= gw.authenticator.start(state.mechanism);
    const step = await state.session.step(body.authBytes ?? Buffer.alloc(0));
    if (!step.done) return answer(0, null, step.challenge);
    connection.principal = step.principal;
    connection.sasl = undefined;
    return answer(0, null, step.response);
  } catch {
    connection.sasl = undefined;
    return answer(KafkaCode.SASL_AUTHENTICATION_FAILED, 'authentication failed');
  }
};
