/**
 * Limits of Floe's HTTP API that clients must respect too. Lambda Function URLs carry at most
 * 6 MB per request and per buffered response, and binary bodies travel base64-encoded (4/3
 * larger). The server's own limits (src/log/limits.ts) build on these.
 */
export const API_LIMITS = {
  /** Raw body bytes of one produce request (4 MiB; base64 makes it 5.33 MB, under Lambda's 6 MB). */
  maxProduceRequestBytes: 4 * 1024 * 1024,
  /** Bytes of record data in one fetch response (fetch.max.bytes is capped to this). */
  maxFetchResponseBytes: 4 * 1024 * 1024,
  /**
   * Largest max.message.bytes a topic may set: one batch must fit a produce request. A batch is
   * accepted only if, decompressed, it still fits its topic's max.message.bytes, so no stored batch
   * inflates to more than this: readers bound decompression by it.
   */
  maxMessageBytesCeiling: 4 * 1024 * 1024,
  /** Default max.message.bytes of a topic (Kafka's default: 1 MiB + 12 bytes of batch overhead). */
  defaultMaxMessageBytes: 1_048_588,
} as const;
