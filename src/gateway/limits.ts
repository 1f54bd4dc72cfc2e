/**
 * The gateway's own bounds on work a request sized by the client may cause (docs/configuration.md#gateway-limits).
 * Listener limits an operator may change (frame size, in-flight requests, connections) are settings (settings.ts).
 */
export const GATEWAY_LIMITS = {
  /** Storage lookups one request keeps in flight (the HTTP routes' lookupsInFlight): bounds its memory and its share of the table's capacity. */
  lookupsInFlight: 16,
  /**
   * Distinct names a Metadata request may name and still be read one by one (with the topic cache);
   * past it, the topic list is read once: one Query instead of a read per name, as a Kafka broker answers from memory.
   */
  metadataNamesReadOneByOne: 64,
} as const;
