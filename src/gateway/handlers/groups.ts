/**
 * The classic group protocol's requests (JoinGroup 11, SyncGroup 14, Heartbeat 12, LeaveGroup 13)
 * mapped onto ClassicGroups (groups/coordinator.ts), which holds every rule; this file only reads
 * request fields per version and shapes the answers.
 */
import type { HeartbeatRequest, JoinGroupRequest, LeaveGroupRequest, MessageBody, SyncGroupRequest } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { KafkaCode } from '../kafka-codes.js';

export const joinGroup: Handler = async (gw, raw, { apiVersion, clientId, connection }) => {
  const body = raw as MessageBody<typeof JoinGroupRequest>;
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
    requireKnownMemberId: apiVersion >= 4,
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
    skipAssignment: false,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId, metadata: m.metadata })),
  };
};

export const syncGroup: Handler = async (gw, raw, { connection }) => {
  const body = raw as MessageBody<typeof SyncGroupRequest>;
  const result = await gw.groups.sync({
    groupId: body.groupId ?? '',
    memberId: body.memberId ?? '',
    generation: body.generationId ?? -1,
    protocolType: body.protocolType ?? null,
    protocolName: body.protocolName ?? null,
    assignments: (body.assignments ?? []).map((a) => ({ memberId: a.memberId ?? '', assignment: a.assignment ?? Buffer.alloc(0) })),
    signal: connection.signal,
  });
  return { throttleTimeMs: 0, errorCode: result.errorCode, protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
};

export const heartbeat: Handler = async (gw, raw) => {
  const body = raw as MessageBody<typeof HeartbeatRequest>;
  const errorCode = await gw.groups.heartbeat(body.groupId ?? '', body.memberId ?? '', body.generationId ?? -1);
  return { throttleTimeMs: 0, errorCode };
};

export const leaveGroup: Handler = async (gw, raw, { apiVersion }) => {
  const body = raw as MessageBody<typeof LeaveGroupRequest>;
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
