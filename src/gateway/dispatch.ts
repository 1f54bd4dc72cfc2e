/** Which handler answers which API. The connection has already checked the API and version are served. */
import type { DecodedRequest, KafkaStruct } from '@floe/protocol/kafka';
import { identityOf, type Access } from '../auth/index.js';
import { ApiKey } from './apis.js';
import type { ConnectionState, Dispatch } from './connection.js';
import type { GatewayContext, Handler } from './context.js';
import { createAcls, deleteAcls, describeAcls } from './handlers/acls.js';
import { apiVersions } from './handlers/api-versions.js';
import { describeCluster, findCoordinator } from './handlers/cluster.js';
import { deleteRecords } from './handlers/delete-records.js';
import { fetch } from './handlers/fetch.js';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './handlers/groups.js';
import { deleteGroups, describeGroups, listGroups } from './handlers/groups-admin.js';
import { listOffsets } from './handlers/list-offsets.js';
import { metadata } from './handlers/metadata.js';
import { offsetCommit, offsetDelete, offsetFetch } from './handlers/offsets.js';
import { produce } from './handlers/produce.js';
import { initProducerId } from './handlers/producer-id.js';
import { saslAuthenticate, saslHandshake } from './handlers/sasl.js';
import { createPartitions, createTopics, deleteTopics, describeConfigs } from './handlers/topics-admin.js';
import { alterConfigs, incrementalAlterConfigs } from './handlers/topic-configs.js';

const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.Metadata, metadata],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.ListGroups, listGroups],
  [ApiKey.SaslHandshake, saslHandshake],
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.DeleteRecords, deleteRecords],
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.DescribeAcls, describeAcls],
  [ApiKey.CreateAcls, createAcls],
  [ApiKey.DeleteAcls, deleteAcls],
  [ApiKey.DescribeConfigs, describeConfigs],
  [ApiKey.AlterConfigs, alterConfigs],
  [ApiKey.IncrementalAlterConfigs, incrementalAlterConfigs],
  [ApiKey.SaslAuthenticate, saslAuthenticate],
  [ApiKey.CreatePartitions, createPartitions],
  [ApiKey.DeleteGroups, deleteGroups],
  [ApiKey.OffsetDelete, offsetDelete],
  [ApiKey.DescribeCluster, describeCluster],
]);

/** `handlers` is for tests; the gateway serves HANDLERS. */
export function createDispatch(gw: GatewayContext, handlers: ReadonlyMap<number, Handler> = HANDLERS): Dispatch {
  return (request: DecodedRequest, connection: ConnectionState): Promise<KafkaStruct | null> => {
    const handler = handlers.get(request.apiKey);
    if (!handler) return Promise.reject(new Error(`no handler for api ${request.apiKey}`));
    const principal = connection.sasl.principal;
    let access: Promise<Access> | undefined;
    // Rules unreadable (closed, not open): the handler throws and the connection closes; the client reconnects and retries.
    const accessOf = () => (access ??= gw.deps.auth.access(identityOf(principal)));
    return handler(gw, request.body, { apiVersion: request.apiVersion, clientId: request.header.clientId, principal, access: accessOf, connection });
  };
}
