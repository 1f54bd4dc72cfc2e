/**
 * DescribeConfigs for a broker (resource type 4): what `kafka-configs --describe --entity-type brokers`
 * and admin consoles show. The gateway is the cluster's one node, so it answers for its own node id,
 * takes the empty name (Kafka's dynamic cluster defaults, of which Floe has none) and refuses any
 * other id, as Kafka's broker does.
 * Listed: the server defaults new topics take, under the broker names Kafka gives them, and the
 * gateway settings that stand for broker configs. All read-only: they are set by the deployment
 * (environment, CDK props), never through AlterConfigs.
 */
import { FloeError } from '@floe/protocol';
import type { GatewayContext } from '../context.js';
import { kafkaConfigText, TOPIC_CONFIG_DOCS, TOPIC_CONFIG_KINDS, TOPIC_CONFIG_NAMES, TOPIC_DEFAULTS } from '../log-port.js';
import { BROKER_SYNONYMS, CONFIG_TYPES, SOURCE_DEFAULT, SOURCE_STATIC_BROKER, type ConfigEntry, type ConfigSynonym } from './topic-configs.js';

const BOOLEAN = 1;

/** A topic's config entry, named by any broker config. */
export type BrokerConfigEntry = Omit<ConfigEntry, 'name'> & { name: string };

/** A broker setting the gateway honours: its value here, Kafka's default, and what it means. */
interface Setting {
  name: string;
  value: string;
  kafkaDefault: string | undefined;
  configType: number;
  documentation: string;
}

/** Kafka's checks of a broker resource name (ConfigAdminManager): empty, or this node's id. */
export function checkBrokerName(gw: GatewayContext, name: string): void {
  if (name === '') return;
  if (!/^-?\d+$/.test(name)) throw new FloeError('INVALID_REQUEST', `broker id must be an integer, but it is: ${name}`);
  if (Number(name) !== gw.node.nodeId) {
    throw new FloeError('INVALID_REQUEST', `unexpected broker id, expected ${gw.node.nodeId} or empty string, but received ${name}`);
  }
}

function settingsOf(gw: GatewayContext): Setting[] {
  const s = gw.settings;
  const text = (n: number | boolean) => String(n);
  return [
    { name: 'node.id', value: text(gw.node.nodeId), kafkaDefault: undefined, configType: CONFIG_TYPES.int, documentation: "The gateway's node id (FLOE_GATEWAY_NODE_ID)." },
    { name: 'broker.id', value: text(gw.node.nodeId), kafkaDefault: undefined, configType: CONFIG_TYPES.int, documentation: 'Same as node.id.' },
    {
      name: 'num.partitions',
      value: text(s.defaultPartitions),
      kafkaDefault: '1',
      configType: CONFIG_TYPES.int,
      documentation: 'Partitions of an automatically created topic, and of CreateTopics with -1.',
    },
    {
      name: 'auto.create.topics.enable',
      value: text(s.autoCreateTopics),
      kafkaDefault: 'true',
      configType: BOOLEAN,
      documentation: 'Whether Metadata and Produce for an unknown topic create it.',
    },
    {
      name: 'socket.request.max.bytes',
      value: text(s.maxFrameBytes),
      kafkaDefault: '104857600',
      configType: CONFIG_TYPES.int,
      documentation: 'The largest request frame the gateway reads (FLOE_GATEWAY_MAX_FRAME_BYTES).',
    },
    {
      name: 'group.initial.rebalance.delay.ms',
      value: text(s.initialRebalanceDelayMs),
      kafkaDefault: '3000',
      configType: CONFIG_TYPES.int,
      documentation: 'How long the first rebalance of an empty classic group waits for more members.',
    },
  ];
}

const entry = (name: string, value: string, kafkaDefault: string | undefined, configType: number, documentation: string): BrokerConfigEntry => {
  const isDefault = value === kafkaDefault;
  const synonyms: ConfigSynonym[] = [
    ...(isDefault ? [] : [{ name, value, source: SOURCE_STATIC_BROKER }]),
    ...(kafkaDefault === undefined ? [] : [{ name, value: kafkaDefault, source: SOURCE_DEFAULT }]),
  ];
  return { name, value, isDefault, configSource: isDefault ? SOURCE_DEFAULT : SOURCE_STATIC_BROKER, configType, synonyms, documentation };
};

/** The broker's configs, in name order as Kafka lists them. */
export function brokerConfigEntries(gw: GatewayContext): BrokerConfigEntry[] {
  const defaults = gw.deps.log.topicDefaults;
  const topicDefaults = TOPIC_CONFIG_NAMES.map((name) =>
    entry(BROKER_SYNONYMS[name], kafkaConfigText(defaults[name]), kafkaConfigText(TOPIC_DEFAULTS[name]), CONFIG_TYPES[TOPIC_CONFIG_KINDS[name]], TOPIC_CONFIG_DOCS[name]),
  );
  const settings = settingsOf(gw).map((s) => entry(s.name, s.value, s.kafkaDefault, s.configType, s.documentation));
  // min.insync.replicas is its own broker synonym: listed once.
  const byName = new Map([...topicDefaults, ...settings].map((e) => [e.name, e]));
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
