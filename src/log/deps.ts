/** What the log domain needs from the outside world, passed in (never imported from handlers). */
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ObjectStore } from '../storage/object-store.js';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from './limits.js';

export interface LogDeps {
  dynamo: DynamoDBDocumentClient;
  store: ObjectStore;
  logTable: string;
  now?: () => number;
  /** Configs of topics created without them (e.g. the deployment's default retention.ms). */
  topicDefaults?: Partial<TopicConfig>;
  /** Kafka's producer.id.expiration.ms (FLOE_PRODUCER_ID_EXPIRATION_MS), as housekeeping prunes by it. */
  producerIdExpirationMs?: number;
  /**
   * Striped heads (decision 52): topics created with more than `above` partitions keep their heads in
   * stripe items of `width` partitions. Undefined (the default): every topic has one head per
   * partition. Off until decision 52's build order is done; tests turn it on.
   */
  stripes?: { width: number; above: number };
}

export const nowOf = (deps: { now?: () => number }): number => (deps.now ?? Date.now)();

/** The configs a topic created without them gets, and a config taken back to its default returns to. */
export const topicDefaultsOf = (deps: Pick<LogDeps, 'topicDefaults'>): TopicConfig => ({ ...TOPIC_CONFIG_DEFAULTS, ...deps.topicDefaults });

export const producerIdExpiryOf = (deps: LogDeps): number => deps.producerIdExpirationMs ?? LIMITS.producerIdExpirationMs;

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Sends a conditional write: its answer (Attributes, if ReturnValues asked for them), or undefined when its condition did not hold; any other failure throws. */
export async function sendIf(dynamo: DynamoDBDocumentClient, command: PutCommand | UpdateCommand | DeleteCommand): Promise<{ Attributes?: Record<string, unknown> } | undefined> {
  try {
    return await dynamo.send(command as UpdateCommand);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Sends a conditional write: false when its condition did not hold; any other failure throws. */
export const writeIf = async (dynamo: DynamoDBDocumentClient, command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> =>
  (await sendIf(dynamo, command)) !== undefined;
