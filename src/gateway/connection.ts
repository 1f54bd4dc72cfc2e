/**
 * One client connection: frames in, requests decoded and dispatched concurrently, responses out
 * in request order. Bad input never reaches a handler: a frame that cannot be split or decoded,
 * or names an API or version the gateway does not serve, closes the connection (Kafka does the
 * same), except ApiVersions at a newer version, which gets the v0 fallback answer.
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
import { ApiKey, isServed } from './apis.js';
import { ANONYMOUS, type Principal } from './auth.js';
import type { GatewayLogger } from './logger.js';
import { PartitionOrder } from './partition-order.js';
import { ResponseQueue } from './response-queue.js';

export interface ConnectionState {
  readonly id: number;
  readonly remote: string;
  /** The client's address as Kafka shows it (DescribeGroups' client host), e.g. "/127.0.0.1". */
  readonly clientHost: string;
  /** Undefined until a SASL exchange establishes it (when the listener authenticates). */
  principal: Principal | undefined;
  /** Orders this connection's writes per topic-partition. */
  readonly order: PartitionOrder;
  /** Aborted when the connection closes or the gateway shuts down: long-polls answer early. */
  readonly signal: AbortSignal;
  /** Per-connection state of a SASL exchange, owned by the SASL handlers. */
  sasl?: unknown;
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
  /** True when a SASL exchange must come first. */
  authenticate: boolean;
  shutdown: AbortSignal;
  log: GatewayLogger;
}

/** APIs a connection may use before it is authenticated. */
const BEFORE_AUTH = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

export class Connection {
  readonly state: ConnectionState;
  private readonly splitter: FrameSplitter;
  private readonly queue: ResponseQueue;
  private readonly aborter = new AbortController();
  private inFlight = 0;
  private paused = false;
  private draining = false;
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(options.maxFrameBytes);
    this.queue = new ResponseQueue((bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    });
    this.state = {
      id: options.id,
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      clientHost: `/${socket.remoteAddress ?? ''}`,
      principal: options.authenticate ? undefined : ANONYMOUS,
      order: new PartitionOrder(),
      signal: AbortSignal.any([this.aborter.signal, options.shutdown]),
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
    this.socket.pause();
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
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.destroy('bad frame', { error: (error as Error).message });
      return;
    }
    for (const frame of frames) {
      if (this.socket.destroyed) return;
      this.accept(frame);
    }
  }

  private accept(frame: Buffer): void {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (error) {
      const header = error instanceof KafkaProtocolError ? error.header : undefined;
      if (error instanceof KafkaProtocolError && error.kind === 'unsupported_version' && header?.apiKey === ApiKey.ApiVersions) {
        this.queue.reserve()(encodeApiVersionsFallback(header.correlationId, this.options.apis));
        return;
      }
      this.destroy('undecodable request', { error: (error as Error).message, apiKey: header?.apiKey, apiVersion: header?.apiVersion });
      return;
    }
    const { apiKey, apiVersion } = request;
    if (!isServed(this.options.apis, apiKey, apiVersion)) {
      if (apiKey === ApiKey.ApiVersions) {
        this.queue.reserve()(encodeApiVersionsFallback(request.correlationId, this.options.apis));
        return;
      }
      this.destroy('api or version not served', { apiKey, apiVersion });
      return;
    }
    if (this.state.principal === undefined && !BEFORE_AUTH.has(apiKey)) {
      this.destroy('request before authentication', { apiKey });
      return;
    }
    const settle = this.queue.reserve();
    this.inFlight++;
    if (this.inFlight >= this.options.maxInFlight && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.options
      .dispatch(request, this.state)
      .then((body) => settle(body === null ? null : encodeResponse(apiKey, apiVersion, request.correlationId, body)))
      .catch((error: unknown) => {
        settle(null);
        this.destroy('request failed', { apiKey, apiVersion, error: (error as Error)?.stack ?? String(error) });
      })
      .finally(() => {
        this.inFlight--;
        if (this.paused && this.inFlight < this.options.maxInFlight && !this.draining) {
          this.paused = false;
          this.socket.resume();
        }
        this.endIfIdle();
      });
  }

  private endIfIdle(): void {
    if (this.draining && this.inFlight === 0 && this.queue.pending === 0 && !this.socket.destroyed) this.socket.end();
  }
}
