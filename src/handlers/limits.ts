/**
 * The work one request may cause, for limits of the HTTP routes that are not the
 * log's (those are in src/log/limits.ts). docs/configuration.md lists both.
 */
import { GROUP_LIMITS } from '@floe/protocol';
import { LIMITS } from '../log/limits.js';

export const REQUEST_LIMITS = {
  /**
   * Partitions one request may name, after whole topics are expanded (produce, fetch,
   * offsets, delete-records, offset commits and offset fetches): each costs at least one DynamoDB read or write.
   */
  maxPartitionsPerRequest: LIMITS.maxPartitionsPerRequest,
  /** Topic names in one `GET /v1/metadata?topics=`: each is a DynamoDB read. As many as a member may subscribe to. */
  maxMetadataTopics: GROUP_LIMITS.maxSubscribedTopics,
  /** Storage lookups one request keeps in flight (metadata, offsets, delete-records). */
  lookupsInFlight: LIMITS.lookupsInFlight,
} as const;
