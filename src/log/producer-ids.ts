/** Producer ids for idempotent producers: an atomic counter item (Kafka's InitProducerId, without transactions). */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../storage/keys.js';
import type { LogDeps } from './deps.js';

export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

export async function allocateProducerId(deps: LogDeps): Promise<ProducerIdentity> {
  const result = await deps.dynamo.send(
    new UpdateCommand({
      TableName: deps.logTable,
      Key: logKeys.producerIds(),
      UpdateExpression: 'ADD nextId :one',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  // ADD returns the incremented value; ids start at 0.
  return { producerId: (result.Attributes?.nextId as number) - 1, producerEpoch: 0 };
}
