/**
 * The Kafka gateway: a stateless TCP listener speaking Kafka's protocol over Floe's log and groups.
 * Any number of instances may run behind one advertised address (a load balancer's); none keeps
 * state another one needs - only caches (topics, partition heads, object ranges).
 *
 * Security (src/gateway/security): the listener is TLS when the GatewaySecurity has material, and
 * every connection gets its own SaslConnection, which says what it may send and who it is.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { FloeConfig } from '../config/index.js';
import { SERVED_APIS } from './apis.js';
import { Connection } from './connection.js';
import type { GatewayContext, Node } from './context.js';
import { createGatewayDeps, type GatewayDeps } from './deps.js';
import { createDispatch } from './dispatch.js';
import { HeadWatcher } from './fetch/head-watcher.js';
import { ClassicGroups } from './groups/coordinator.js';
import { stderrLogger, type GatewayLogger } from './logger.js';
import { createGatewayServer, loadGatewaySecurity, type GatewaySecurity } from './security/index.js';
import type { GatewaySettings } from './settings.js';

export interface StartGatewayOptions {
  /** Storage, as the handlers read it (src/config/index.ts). */
  config: FloeConfig;
  settings: GatewaySettings;
  /** Prepared dependencies (tests count storage requests through them); made from `config` otherwise. */
  deps?: GatewayDeps;
  log?: GatewayLogger;
  /** TLS and SASL (loadGatewaySecurity). @default plaintext, no SASL: every connection is User:ANONYMOUS */
  security?: GatewaySecurity;
}

export interface RunningGateway {
  /** Where it listens. */
  host: string;
  port: number;
  /** What it advertises: the node clients connect to. */
  node: Node;
  deps: GatewayDeps;
  context: GatewayContext;
  connections(): number;
  /** Stops accepting, lets in-flight requests answer (long-polls end early), then closes everything. */
  close(): Promise<void>;
}

const listen = (server: Server, port: number, host: string): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });

function advertisedHost(settings: GatewaySettings): string {
  if (settings.advertisedHost) return settings.advertisedHost;
  // A wildcard address cannot be connected to: advertise the machine's name instead.
  return settings.host === '0.0.0.0' || settings.host === '::' ? hostname() : settings.host;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { settings } = options;
  const log = options.log ?? stderrLogger;
  const ownsDeps = options.deps === undefined;
  const deps = options.deps ?? createGatewayDeps(options.config);
  const shutdown = new AbortController();
  const live = new Set<Connection>();
  let nextId = 1;

  const heads = new HeadWatcher(deps.log, settings.headPollIntervalMs, Date.now, (error) => log.warn('head poll failed', { error: String(error) }));
  const groups = new ClassicGroups({
    deps: deps.groups,
    now: deps.now,
    pollIntervalMs: settings.groupPollIntervalMs,
    initialRebalanceDelayMs: settings.initialRebalanceDelayMs,
    shutdown: shutdown.signal,
    log,
  });
  const security = options.security ?? (await loadGatewaySecurity({}));
  const apis = SERVED_APIS;
  const node: Node = { nodeId: settings.nodeId, host: '', port: 0, clusterId: settings.clusterId ?? `floe-${options.config.logTable}` };
  const context: GatewayContext = {
    deps,
    settings,
    node,
    heads,
    groups,
    apis,
    shutdown: shutdown.signal,
    log,
  };
  const dispatch = createDispatch(context);

  const onConnection = (socket: Socket) => {
    if (shutdown.signal.aborted) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, {
      id: nextId++,
      dispatch,
      apis,
      maxFrameBytes: settings.maxFrameBytes,
      maxInFlight: settings.maxInFlightPerConnection,
      sasl: security.newConnection(),
      shutdown: shutdown.signal,
      log,
    });
    live.add(connection);
    void connection.closed.then(() => live.delete(connection));
  };
  const server = createGatewayServer(
    { tls: security.tls, tlsSource: security.tlsSource, onTlsError: (error) => log.warn('TLS handshake failed', { error: error.message }) },
    onConnection,
  );
  server.maxConnections = settings.maxConnections;
  server.on('drop', () => log.warn('connection refused: maxConnections reached', { maxConnections: settings.maxConnections }));
  const address = await listen(server, settings.port, settings.host);
  node.host = advertisedHost(settings);
  node.port = settings.advertisedPort ?? address.port;

  let closing: Promise<void> | undefined;
  const close = async () => {
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    shutdown.abort();
    const drained = Promise.all([...live].map((c) => c.drain()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, settings.drainTimeoutMs);
    });
    await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    for (const c of live) c.destroy('shutdown: drain timeout');
    await serverClosed;
    heads.stop();
    groups.stop();
    if (ownsDeps) {
      deps.clients.dynamo.destroy();
      deps.clients.s3.destroy();
    }
  };

  return {
    host: address.address,
    port: address.port,
    node,
    deps,
    context,
    connections: () => live.size,
    close: () => (closing ??= close()),
  };
}
