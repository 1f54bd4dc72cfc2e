/**
 * ListGroups (16), DescribeGroups (15), DeleteGroups (42) over both kinds of group: the classic
 * groups of Kafka clients and the groups of Floe's SDK (described through src/groups, with their
 * members' subscriptions and assignments written as Kafka's ConsumerProtocol bytes).
 * ACLs as Kafka's: a listing shows the groups the caller may Describe (all of them with Describe
 * on the cluster); describing needs Describe on each group, deleting Delete. DescribeGroups v3+
 * answers the caller's authorized operations on each group described without error, when asked.
 */
import { FloeError, isValidGroupId, mapConcurrent } from '@floe/protocol';
import { encodeAssignment, encodeSubscription, type DeleteGroupsRequest, type DescribeGroupsRequest, type KafkaStruct, type ListGroupsRequest, type MessageBody } from '@floe/protocol/kafka';
import { describeGroup } from '../../groups/describe.js';
import { CLUSTER_RESOURCE_NAME } from '@floe/protocol';
import { authorizedOperations } from '../authorized-operations.js';
import type { GatewayContext, Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, toKafkaError } from '../kafka-codes.js';
import { GATEWAY_LIMITS } from '../limits.js';

/**
 * Every group the gateway serves is a classic one to Kafka clients (KIP-848's type "classic"): Kafka
 * clients' groups are, and Floe-SDK groups are described through the classic APIs only, as
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe are not served.
 */
const GROUP_TYPE = 'classic';

export const listGroups: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof ListGroupsRequest>;
  // Both filters are case-insensitive in Kafka; empty (or absent before v4/v5) lists every group.
  const states = new Set((body.statesFilter ?? []).map((s) => s.toLowerCase()));
  const types = new Set((body.typesFilter ?? []).map((t) => t.toLowerCase()));
  const access = await accessOf();
  const everyGroup = access.allows('cluster', CLUSTER_RESOURCE_NAME, 'Describe');
  try {
    if (types.size > 0 && !types.has(GROUP_TYPE)) return { throttleTimeMs: 0, errorCode: 0, groups: [] };
    const groups = (await gw.groups.list()).filter(
      (g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (everyGroup || access.allows('group', g.groupId, 'Describe')),
    );
    return { throttleTimeMs: 0, errorCode: 0, groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: GROUP_TYPE })) };
  } catch (error) {
    return { throttleTimeMs: 0, errorCode: toKafkaError(error).code, groups: [] };
  }
};

const deadGroup = (groupId: string, errorCode = 0): KafkaStruct => ({ errorCode, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] });

async function describeOne(gw: GatewayContext, groupId: string): Promise<KafkaStruct> {
  if (!isValidGroupId(groupId)) return deadGroup(groupId, KafkaCode.INVALID_GROUP_ID);
  const classic = await gw.groups.describe(groupId);
  if ('members' in classic) {
    return {
      errorCode: 0,
      groupId,
      groupState: classic.state,
      protocolType: classic.protocolType,
      protocolData: classic.protocol,
      members: classic.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
    };
  }
  try {
    const floe = await describeGroup(gw.deps.groups, groupId);
    return {
      errorCode: 0,
      groupId,
      groupState: floe.state,
      protocolType: classic.floeProtocolType,
      protocolData: floe.members.length > 0 ? (floe.assignor ?? '') : '',
      members: floe.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId ?? null,
        clientId: m.clientId,
        clientHost: '',
        memberMetadata: encodeSubscription(m.subscribedTopics),
        memberAssignment: encodeAssignment(m.assignment),
      })),
    };
  } catch (error) {
    // Kafka describes a group that does not exist as Dead, without an error.
    if (error instanceof FloeError && error.code === 'GROUP_ID_NOT_FOUND') return deadGroup(groupId);
    return deadGroup(groupId, toKafkaError(error).code);
  }
}

export const describeGroups: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof DescribeGroupsRequest>;
  const access = await accessOf();
  const withOperations = apiVersion >= 3 && body.includeAuthorizedOperations === true;
  const groups = await mapConcurrent(
    body.groups ?? [],
    GATEWAY_LIMITS.lookupsInFlight,
    async (id) => {
      const refused = check(access, 'group', id, 'Describe');
      // Kafka's answer for a denied group: the error, and nothing about it.
      if (refused) return { ...deadGroup(id, refused.code), groupState: '' };
      const described = await describeOne(gw, id);
      return withOperations && described.errorCode === 0 ? { ...described, authorizedOperations: authorizedOperations(access, 'group', id) } : described;
    },
  );
  return { throttleTimeMs: 0, groups };
};

export const deleteGroups: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof DeleteGroupsRequest>;
  const access = await accessOf();
  const results = await mapConcurrent(
    body.groupsNames ?? [],
    GATEWAY_LIMITS.lookupsInFlight,
    async (groupId) => {
      const refused = check(access, 'group', groupId, 'Delete');
      if (refused) return { groupId, errorCode: refused.code };
      try {
        return { groupId, errorCode: await gw.groups.delete(groupId) };
      } catch (error) {
        return { groupId, errorCode: toKafkaError(error).code };
      }
    },
  );
  return { throttleTimeMs: 0, results };
};
