/**
 * SaslHandshake (17), SaslAuthenticate (36), and the bare tokens that follow a SaslHandshake v0
 * (kafka-python 2.0 still sends them): codec bodies in and out of the connection's SaslConnection
 * (src/gateway/security), which holds the state and the rules. Authentication outcomes are logged,
 * one line each; a connection that never authenticates (a health check) logs nothing.
 */
import type { MessageBody, SaslAuthenticateRequest, SaslHandshakeRequest } from '@floe/protocol/kafka';
import type { ConnectionState } from '../connection.js';
import type { Handler } from '../context.js';
import type { GatewayLogger } from '../logger.js';
import type { RawTokenAnswer } from '../security/index.js';

function logOutcome(log: GatewayLogger, connection: ConnectionState, wasAuthenticated: boolean, failure: string | null | undefined): void {
  const fields = { connection: connection.id, remote: connection.remote };
  if (failure !== undefined) log.warn('authentication failed', { ...fields, error: failure });
  else if (!wasAuthenticated && connection.sasl.authenticated) log.info('authenticated', { ...fields, principal: connection.sasl.principal });
}

export const saslHandshake: Handler = async (_gw, raw, { apiVersion, connection }) => {
  const body = raw as MessageBody<typeof SaslHandshakeRequest>;
  const answer = connection.sasl.handshake(apiVersion, body.mechanism ?? '');
  if (answer.close) connection.endAfterResponse();
  return answer.body;
};

export const saslAuthenticate: Handler = async (gw, raw, { connection }) => {
  const body = raw as MessageBody<typeof SaslAuthenticateRequest>;
  const wasAuthenticated = connection.sasl.authenticated;
  const answer = await connection.sasl.authenticate(Buffer.from(body.authBytes ?? []));
  logOutcome(gw.log, connection, wasAuthenticated, answer.body.errorCode === 0 ? undefined : answer.body.errorMessage);
  if (answer.close) connection.endAfterResponse();
  return answer.body;
};

/** A bare token after a v0 handshake. v0 cannot carry an error: a failure closes the connection. */
export async function saslRawToken(log: GatewayLogger, connection: ConnectionState, token: Buffer): Promise<RawTokenAnswer> {
  const answer = await connection.sasl.rawToken(token);
  logOutcome(log, connection, false, answer.close ? 'SASL exchange after SaslHandshake v0 failed' : undefined);
  return answer;
}
