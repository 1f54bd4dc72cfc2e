/**
 * One client connection: frames in, requests decoded and dispatched concurrently, responses out
 * in request order. Bad input never reaches a handler: a frame that cannot be split or decoded,
 * or names an API or version the gateway does not serve, closes the connection (Kafka does the
 * same), except ApiVersions at a newer version, which gets the v0 fallback answer.
 *
 * Until the connection has authenticated (SASL on), its requests run one at a time: what the
 * next frame is - a request, or a bare SASL token after SaslHandshake v0 - and whether it may be
 * served depends on how the previous one ended. Frames are also capped smaller meanwhile.
 */
import type { Socket } from 'node:net';
import {
  decodeRequest,
  encodeApiVersionsFallback,
  encodeResponse,
  FrameSplitter,
  KafkaProtocolError,
  type ApiVersionRange,
  type DecodedRequest,
  type KafkaStruct,
} from '@floe/protocol/kafka';
import { advertisedApis, ApiKey, isServed } from './apis.js';
import { saslRawToken } from './handlers/sasl.js';
import type { GatewayLogger } from './logger.js';
import { PartitionOrder } from './partition-order.js';
import { ResponseQueue } from './response-queue.js';
import type { SaslConnection } from './security/index.js';

/** Kafka's sasl.server.max.receive.size: an unauthenticated client cannot make the gateway buffer more. */
export const MAX_FRAME_BYTES_BEFORE_AUTH = 512 * 1024;

export interface ConnectionState {
  readonly id: number;
  readonly remote: string;
  /** The client's address as Kafka shows it (DescribeGroups' client host), e.g. "/127.0.0.1". */
  readonly clientHost: string;
  /** SASL state and identity: `sasl.principal` is User:<name>, or User:ANONYMOUS without SASL. */
  readonly sasl: SaslConnection;
  /** Orders this connection's writes per topic-partition. */
  readonly order: PartitionOrder;
  /** Aborted when the connection closes or the gateway shuts down: long-polls answer early. */
  readonly signal: AbortSignal;
  /** Close once the current request's response is written (a SASL failure that ends the connection). */
  endAfterResponse(): void;
}

/** Answers one request: a response body, or null for none (Produce with acks=0). */
export type Dispatch = (request: DecodedRequest, connection: ConnectionState) => Promise<KafkaStruct | null>;

export interface ConnectionOptions {
  id: number;
  dispatch: Dispatch;
  /** What this listener advertises (and so serves). */
  apis: readonly ApiVersionRange[];
  maxFrameBytes: number;
  maxInFlight: number;
  /** This connection's SASL state (GatewaySecurity.newConnection()). */
  sasl: SaslConnection;
  shutdown: AbortSignal;
  log: GatewayLogger;
}

const sizePrefixed = (payload: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

export class Connection {
  readonly state: ConnectionState;
  private readonly splitter: FrameSplitter;
  private readonly queue: ResponseQueue;
  private readonly aborter = new AbortController();
  /** Frames split off but not yet accepted (they wait while a request before authentication runs). */
  private readonly backlog: Buffer[] = [];
  /** A request made before authentication, still running. */
  private unauthenticatedStep: Promise<void> | undefined;
  private inFlight = 0;
  private paused = false;
  private draining = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    const { sasl } = options;
    this.splitter = new FrameSplitter(sasl.authenticated ? options.maxFrameBytes : Math.min(options.maxFrameBytes, MAX_FRAME_BYTES_BEFORE_AUTH));
    this.queue = new ResponseQueue((bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    });
    this.state = {
      id: options.id,
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      clientHost: `/${socket.remoteAddress ?? ''}`,
      sasl,
      order: new PartitionOrder(),
      signal: AbortSignal.any([this.aborter.signal, options.shutdown]),
      endAfterResponse: () => {
        this.draining = true;
        this.backlog.length = 0;
        this.flow();
      },
    };
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.aborter.abort());
    socket.on('error', () => socket.destroy()); // resets and timeouts: the 'close' that follows cleans up
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Stops reading, lets in-flight requests answer, then closes. */
  drain(): Promise<void> {
    this.draining = true;
    this.flow();
    this.endIfIdle();
    return this.closed;
  }

  destroy(reason: string, fields?: Record<string, unknown>): void {
    if (this.socket.destroyed) return;
    this.options.log.warn(`closing connection: ${reason}`, { connection: this.state.id, remote: this.state.remote, ...fields });
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.draining || this.socket.destroyed) return;
    try {
      this.backlog.push(...this.splitter.push(chunk));
    } catch (error) {
      this.destroy('bad frame', { error: (error as Error).message });
      return;
    }
    this.pump();
  }

  /** Accepts waiting frames, stopping at a request made before authentication until it has finished. */
  private pump(): void {
    while (this.unauthenticatedStep === undefined && this.backlog.length > 0 && !this.draining && !this.socket.destroyed) {
      const step = this.accept(this.backlog.shift() as Buffer);
      if (!step) continue;
      this.unauthenticatedStep = step;
      this.flow();
      void step.then(() => {
        this.unauthenticatedStep = undefined;
        if (this.state.sasl.authenticated) this.splitter.maxFrameBytes = this.options.maxFrameBytes;
        this.flow();
        this.pump();
      });
    }
  }

  /** Starts one frame; returns its completion when it was made before authentication (the next frame waits for it). */
  private accept(frame: Buffer): Promise<void> | undefined {
    const { sasl } = this.state;
    if (sasl.expectsRawToken) return this.run(() => this.rawToken(frame));
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (error) {
      const header = error instanceof KafkaProtocolError ? error.header : undefined;
      if (error instanceof KafkaProtocolError && error.kind === 'unsupported_version' && header?.apiKey === ApiKey.ApiVersions) {
        this.queue.reserve()(encodeApiVersionsFallback(header.correlationId, advertisedApis(this.options.apis)));
        return undefined;
      }
      this.destroy('undecodable request', { error: (error as Error).message, apiKey: header?.apiKey, apiVersion: header?.apiVersion });
      return undefined;
    }
    const { apiKey, apiVersion } = request;
    if (!isServed(this.options.apis, apiKey, apiVersion)) {
      if (apiKey === ApiKey.ApiVersions) {
        this.queue.reserve()(encodeApiVersionsFallback(request.correlationId, advertisedApis(this.options.apis)));
        return undefined;
      }
      this.destroy('api or version not served', { apiKey, apiVersion });
      return undefined;
    }
    if (!sasl.admits(apiKey)) {
      this.destroy('request before authentication', { apiKey });
      return undefined;
    }
    const authenticated = sasl.authenticated;
    const done = this.run(async () => {
      const body = await this.options.dispatch(request, this.state);
      return body === null ? null : encodeResponse(apiKey, apiVersion, request.correlationId, body);
    }, { apiKey, apiVersion });
    return authenticated ? undefined : done;
  }

  /** A bare SASL token after SaslHandshake v0: the answer is a bare size-prefixed token too. */
  private async rawToken(token: Buffer): Promise<Buffer | null> {
    const { reply, close } = await saslRawToken(this.options.log, this.state, token);
    if (close) this.state.endAfterResponse();
    return reply === undefined ? null : sizePrefixed(reply);
  }

  /** Runs one request in its place in the response order; never rejects. */
  private run(answer: () => Promise<Buffer | null>, fields?: Record<string, unknown>): Promise<void> {
    const settle = this.queue.reserve();
    this.inFlight++;
    this.flow();
    return answer()
      .then((bytes) => settle(bytes))
      .catch((error: unknown) => {
        settle(null);
        this.destroy('request failed', { ...fields, error: (error as Error)?.stack ?? String(error) });
      })
      .finally(() => {
        this.inFlight--;
        this.flow();
        this.endIfIdle();
      });
  }

  /** Reads the socket only when nothing holds it back: backpressure, a SASL step, or draining. */
  private flow(): void {
    const hold = this.draining || this.unauthenticatedStep !== undefined || this.inFlight >= this.options.maxInFlight;
    if (hold && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private endIfIdle(): void {
    if (this.draining && this.inFlight === 0 && this.queue.pending === 0 && !this.socket.destroyed) this.socket.end();
  }
}
