/** What every request handler of the gateway works with: the process-wide services, and the request's own facts. */
import type { ApiVersionRange, KafkaStruct } from '@floe/protocol/kafka';
import type { Access } from '../auth/index.js';
import type { ConnectionState } from './connection.js';
import type { GatewayDeps } from './deps.js';
import type { HeadWatcher } from './fetch/head-watcher.js';
import type { ClassicGroups } from './groups/coordinator.js';
import type { GatewayLogger } from './logger.js';
import type { KafkaPrincipal } from './security/index.js';
import type { GatewaySettings } from './settings.js';

/** The one node every client is told about: leader of every partition, coordinator of every group. */
export interface Node {
  nodeId: number;
  host: string;
  port: number;
  clusterId: string;
}

export interface GatewayContext {
  deps: GatewayDeps;
  settings: GatewaySettings;
  node: Node;
  heads: HeadWatcher;
  groups: ClassicGroups;
  apis: readonly ApiVersionRange[];
  /** Aborted when the gateway shuts down: long-polls and join barriers answer at once. */
  shutdown: AbortSignal;
  log: GatewayLogger;
}

export interface RequestInfo {
  apiVersion: number;
  clientId: string | null;
  /** Who sent it: User:<name> after SASL, User:ANONYMOUS without SASL. What authorization (ACLs) checks. */
  principal: KafkaPrincipal;
  /**
   * What that principal may do (src/auth, the handlers' rules and cache). Asked for only by the
   * APIs that check something, so ApiVersions and SASL never wait for the rules.
   */
  access(): Promise<Access>;
  connection: ConnectionState;
}

/** One API's handler. Bodies come from the codec: fields of the request's version only. */
export type Handler = (gw: GatewayContext, body: KafkaStruct, request: RequestInfo) => Promise<KafkaStruct | null>;
