/**
 * The smallest Kafka server that runs the gateway's security the way the real gateway must:
 * createGatewayServer for the listener (TLS or not), one SaslConnection per connection asked
 * `expectsRawToken` and `admits(apiKey)` before every frame, SaslHandshake / SaslAuthenticate
 * bodies handed to it, responses written in request order. It answers ApiVersions and Metadata
 * only: enough for kcat -L and kafkajs' admin to connect. The reference for the merge, not the gateway.
 */
import type { AddressInfo, Socket } from 'node:net';
import {
  decodeRequest,
  decodeRequestHeader,
  encodeApiVersionsFallback,
  encodeResponse,
  FrameSplitter,
  KafkaProtocolError,
  supportedApis,
} from '../../../packages/protocol/src/kafka/index.js';
import type { GatewaySecurity } from '../../../src/gateway/security/config.js';
import { SASL_AUTHENTICATE_KEY, SASL_HANDSHAKE_KEY, type SaslConnection } from '../../../src/gateway/security/sasl/connection.js';
import { createGatewayServer } from '../../../src/gateway/security/tls.js';

export interface SecureBroker {
  port: number;
  /** The principal of every connection that sent Metadata. */
  principals: string[];
  close(): Promise<void>;
}

const sizePrefixed = (payload: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

export async function startSecureBroker(security: GatewaySecurity): Promise<SecureBroker> {
  let port = 0;
  const principals: string[] = [];
  const sockets = new Set<Socket>();

  async function handle(socket: Socket, sasl: SaslConnection, frame: Buffer): Promise<void> {
    if (sasl.expectsRawToken) {
      const answer = await sasl.rawToken(frame);
      if (answer.reply) socket.write(sizePrefixed(answer.reply));
      if (answer.close) socket.end();
      return;
    }
    let apiKey: number;
    try {
      apiKey = decodeRequestHeader(frame).header.apiKey;
    } catch (error) {
      if (error instanceof KafkaProtocolError && error.header?.apiKey === 18) socket.write(encodeApiVersionsFallback(error.header.correlationId));
      else socket.destroy();
      return;
    }
    if (!sasl.admits(apiKey)) {
      socket.destroy(); // as Kafka: any other request before authentication closes the connection
      return;
    }
    const { apiVersion, correlationId, body } = decodeRequest(frame);
    if (apiKey === SASL_HANDSHAKE_KEY) {
      const answer = sasl.handshake(apiVersion, body.mechanism as string);
      socket.write(encodeResponse(apiKey, apiVersion, correlationId, answer.body));
      if (answer.close) socket.end();
    } else if (apiKey === SASL_AUTHENTICATE_KEY) {
      const answer = await sasl.authenticate(Buffer.from(body.authBytes as Uint8Array));
      socket.write(encodeResponse(apiKey, apiVersion, correlationId, answer.body));
      if (answer.close) socket.end();
    } else if (apiKey === 18) {
      socket.write(encodeResponse(apiKey, apiVersion, correlationId, { errorCode: 0, apiKeys: supportedApis(), throttleTimeMs: 0 }));
    } else if (apiKey === 3) {
      principals.push(sasl.principal);
      const brokers = [{ nodeId: 1, host: '127.0.0.1', port, rack: null }];
      socket.write(encodeResponse(apiKey, apiVersion, correlationId, { brokers, clusterId: 'floe', controllerId: 1, topics: [] }));
    } else {
      socket.destroy();
    }
  }

  const server = createGatewayServer({ tls: security.tls, tlsSource: security.tlsSource }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const sasl = security.newConnection();
    const splitter = new FrameSplitter(1024 * 1024);
    // One frame at a time, in order: SaslAuthenticate is asynchronous, answers must keep the request order.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        queue = queue.then(() => (socket.destroyed ? undefined : handle(socket, sasl, frame))).catch(() => void socket.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    principals,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
