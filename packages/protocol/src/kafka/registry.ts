/** The APIs this codec speaks: each one's request and response schema, compiled once per version. */
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/api-versions.js';
import { AlterConfigsRequest, AlterConfigsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './messages/alter-configs.js';
import { CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse, DescribeAclsRequest, DescribeAclsResponse } from './messages/acls.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/create-topics.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/delete-groups.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './messages/delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/delete-topics.js';
import { DescribeClusterRequest, DescribeClusterResponse } from './messages/describe-cluster.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './messages/describe-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describe-groups.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './messages/find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './messages/heartbeat.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/init-producer-id.js';
import { JoinGroupRequest, JoinGroupResponse } from './messages/join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './messages/leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './messages/list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list-offsets.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offset-commit.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './messages/offset-delete.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offset-fetch.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse } from './messages/sasl.js';
import { SyncGroupRequest, SyncGroupResponse } from './messages/sync-group.js';
import { compileMessage, type StructPlan } from './plan.js';
import type { MessageSchema } from './schema.js';
import { inRange, parseVersions } from './versions.js';

export interface ApiDefinition {
  readonly apiKey: number;
  /** e.g. "Metadata". */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
  /** Compiled plans, indexed by version. */
  readonly requestPlans: ReadonlyMap<number, StructPlan>;
  readonly responsePlans: ReadonlyMap<number, StructPlan>;
  readonly isFlexible: (version: number) => boolean;
}

const PAIRS: ReadonlyArray<readonly [MessageSchema, MessageSchema]> = [
  [ProduceRequest, ProduceResponse],
  [FetchRequest, FetchResponse],
  [ListOffsetsRequest, ListOffsetsResponse],
  [MetadataRequest, MetadataResponse],
  [OffsetCommitRequest, OffsetCommitResponse],
  [OffsetFetchRequest, OffsetFetchResponse],
  [FindCoordinatorRequest, FindCoordinatorResponse],
  [JoinGroupRequest, JoinGroupResponse],
  [HeartbeatRequest, HeartbeatResponse],
  [LeaveGroupRequest, LeaveGroupResponse],
  [SyncGroupRequest, SyncGroupResponse],
  [DescribeGroupsRequest, DescribeGroupsResponse],
  [ListGroupsRequest, ListGroupsResponse],
  [SaslHandshakeRequest, SaslHandshakeResponse],
  [ApiVersionsRequest, ApiVersionsResponse],
  [CreateTopicsRequest, CreateTopicsResponse],
  [DeleteTopicsRequest, DeleteTopicsResponse],
  [DeleteRecordsRequest, DeleteRecordsResponse],
  [InitProducerIdRequest, InitProducerIdResponse],
  [DescribeAclsRequest, DescribeAclsResponse],
  [CreateAclsRequest, CreateAclsResponse],
  [DeleteAclsRequest, DeleteAclsResponse],
  [DescribeConfigsRequest, DescribeConfigsResponse],
  [AlterConfigsRequest, AlterConfigsResponse],
  [SaslAuthenticateRequest, SaslAuthenticateResponse],
  [CreatePartitionsRequest, CreatePartitionsResponse],
  [DeleteGroupsRequest, DeleteGroupsResponse],
  [OffsetDeleteRequest, OffsetDeleteResponse],
  [IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse],
  [DescribeClusterRequest, DescribeClusterResponse],
];

function define(request: MessageSchema, response: MessageSchema): ApiDefinition {
  const versions = parseVersions(request.validVersions);
  const flexible = parseVersions(request.flexibleVersions);
  if (request.apiKey !== response.apiKey || request.validVersions !== response.validVersions || request.flexibleVersions !== response.flexibleVersions) {
    throw new Error(`${request.name} and ${response.name} disagree on key or versions`);
  }
  const requestPlans = new Map<number, StructPlan>();
  const responsePlans = new Map<number, StructPlan>();
  for (let version = versions.min; version <= versions.max; version++) {
    requestPlans.set(version, compileMessage(request, version));
    responsePlans.set(version, compileMessage(response, version));
  }
  return {
    apiKey: request.apiKey,
    name: request.name.replace(/Request$/, ''),
    minVersion: versions.min,
    maxVersion: versions.max,
    request,
    response,
    requestPlans,
    responsePlans,
    isFlexible: (version) => inRange(flexible, version),
  };
}

const BY_KEY: ReadonlyMap<number, ApiDefinition> = new Map(
  PAIRS.map(([request, response]) => [request.apiKey, define(request, response)]),
);

export function findApi(apiKey: number): ApiDefinition | undefined {
  return BY_KEY.get(apiKey);
}

export function allApis(): ApiDefinition[] {
  return [...BY_KEY.values()].sort((a, b) => a.apiKey - b.apiKey);
}
