/** Producer ids for idempotent producers: an atomic counter item (Kafka's InitProducerId, without transactions). */
import type { LogDeps } from './deps.js';
import { incrementProducerIdCounter } from './store.js';

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

export async function allocateProducerId(deps: LogDeps): Promise<ProducerIdentity> {
  // The counter returns the incremented value; ids start at 0.
  return { producerId: (await incrementProducerIdCounter(deps)) - 1, producerEpoch: 0 };
}
