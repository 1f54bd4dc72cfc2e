/**
 * The classic group protocol's requests (JoinGroup 11, SyncGroup 14, Heartbeat 12, LeaveGroup 13)
 * mapped onto ClassicGroups (groups/coordinator.ts), which holds every rule; this file only reads
 * request fields per version and shapes the answers. Each needs Read on the group (Kafka's rule);
 * a denied one answers GROUP_AUTHORIZATION_FAILED and touches nothing.
 */
import type { HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, MessageBody, SyncGroupRequest } from '@floe/protocol/kafka';
import type { Handler, RequestInfo } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode } from '../kafka-codes.js';

/** The Kafka code when the caller may not Read the group; undefined when it may. */
const groupReadDenied = async (request: RequestInfo, groupId: string | undefined): Promise<number | undefined> =>
  check(await request.access(), 'group', groupId ?? '', 'Read')?.code;

export const joinGroup: Handler = async (gw, raw, request) => {
  const { apiVersion, clientId, connection } = request;
  const body = raw as MessageBody<typeof JoinGroupRequest>;
  const denied = await groupReadDenied(request, body.groupId);
  if (denied !== undefined) {
    return { throttleTimeMs: 0, errorCode: denied, generationId: -1, protocolType: null, protocolName: apiVersion >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [] };
  }
  const sessionTimeoutMs = body.sessionTimeoutMs ?? 0;
  const result = await gw.groups.join({
    groupId: body.groupId ?? '',
    memberId: body.memberId ?? '',
    instanceId: body.groupInstanceId ?? null,
    clientId: clientId ?? '',
    clientHost: connection.clientHost,
    sessionTimeoutMs,
    // JoinGroup v0 has no rebalance timeout: the session timeout stands in (as in Kafka).
    rebalanceTimeoutMs: apiVersion === 0 || (body.rebalanceTimeoutMs ?? -1) <= 0 ? sessionTimeoutMs : (body.rebalanceTimeoutMs as number),
    protocolType: body.protocolType ?? '',
    protocols: (body.protocols ?? []).map((p) => ({ name: p.name ?? '', ...(p.metadata && p.metadata.length > 0 ? { metadata: Buffer.from(p.metadata) } : {}) })),
    // Static members get their id at once, as in Kafka: an empty id with an instance id is a new incarnation.
    requireKnownMemberId: apiVersion >= 4 && (body.groupInstanceId ?? null) === null,
    canSkipAssignment: apiVersion >= 9,
    signal: connection.signal,
  });
  return {
    throttleTimeMs: 0,
    errorCode: result.errorCode,
    generationId: result.generation,
    protocolType: result.protocolType,
    // Non-nullable before v7.
    protocolName: result.protocol ?? (apiVersion >= 7 ? null : ''),
    leader: result.leader,
    skipAssignment: result.skipAssignment === true,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId, metadata: m.metadata })),
  };
};

export const syncGroup: Handler = async (gw, raw, request) => {
  const { connection } = request;
  const body = raw as MessageBody<typeof SyncGroupRequest>;
  const denied = await groupReadDenied(request, body.groupId);
  if (denied !== undefined) return { throttleTimeMs: 0, errorCode: denied, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  const result = await gw.groups.sync({
    groupId: body.groupId ?? '',
    memberId: body.memberId ?? '',
    instanceId: body.groupInstanceId ?? null,
    generation: body.generationId ?? -1,
    protocolType: body.protocolType ?? null,
    protocolName: body.protocolName ?? null,
    assignments: (body.assignments ?? []).map((a) => ({ memberId: a.memberId ?? '', assignment: a.assignment ?? Buffer.alloc(0) })),
    signal: connection.signal,
  });
  return { throttleTimeMs: 0, errorCode: result.errorCode, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
};

export const heartbeat: Handler = async (gw, raw, request) => {
  const body = raw as MessageBody<typeof HeartbeatRequest>;
  const denied = await groupReadDenied(request, body.groupId);
  if (denied !== undefined) return { throttleTimeMs: 0, errorCode: denied };
  const errorCode = await gw.groups.heartbeat(body.groupId ?? '', body.memberId ?? '', body.generationId ?? -1, body.groupInstanceId ?? null);
  return { throttleTimeMs: 0, errorCode };
};

export const leaveGroup: Handler = async (gw, raw, request) => {
  const { apiVersion } = request;
  const body = raw as MessageBody<typeof LeaveGroupRequest>;
  const denied = await groupReadDenied(request, body.groupId);
  if (denied !== undefined) return { throttleTimeMs: 0, errorCode: denied, members: [] };
  const leaving =
    apiVersion >= 3
      ? (body.members ?? []).map((m) => ({ memberId: m.memberId ?? '', instanceId: m.groupInstanceId ?? null }))
      : [{ memberId: body.memberId ?? '', instanceId: null }];
  const codes = await gw.groups.leave(body.groupId ?? '', leaving);
  // v3+ answers per member; only a group-level problem goes to the top.
  const groupLevel = codes.length > 0 && codes.every((c) => c === KafkaCode.INVALID_GROUP_ID);
  const topLevel = apiVersion >= 3 ? (groupLevel ? KafkaCode.INVALID_GROUP_ID : 0) : (codes[0] ?? 0);
  return {
    throttleTimeMs: 0,
    errorCode: topLevel,
    members: leaving.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.instanceId, errorCode: codes[i] ?? 0 })),
  };
};
