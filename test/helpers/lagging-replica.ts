/**
 * A DynamoDB replica that lags, simulated over the real store: once `freeze` is called for a key,
 * eventually consistent GetItems of that key answer the item as it was then, until `release`;
 * strongly consistent reads and everything else reach the store. Installed on a client shared by
 * handlers or a gateway, it shows what a reader does with a head a moment old.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface LaggingReplica {
  /** Eventually consistent reads of `key` answer the item as it is now, from now on. */
  freeze(table: string, key: Record<string, unknown>): Promise<void>;
  release(): void;
  /** Eventually consistent reads answered from a frozen item. */
  staleReads: number;
}

export function installLaggingReplica(dynamo: DynamoDBDocumentClient): LaggingReplica {
  const frozen = new Map<string, Record<string, unknown> | undefined>();
  const send = dynamo.send.bind(dynamo) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  const replica: LaggingReplica = {
    staleReads: 0,
    async freeze(table, key) {
      const now = (await send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))) as { Item?: Record<string, unknown> };
      frozen.set(JSON.stringify([table, key]), now.Item);
    },
    release: () => frozen.clear(),
  };
  dynamo.send = ((command: unknown, ...rest: unknown[]) => {
    if (command instanceof GetCommand && command.input.ConsistentRead === false) {
      const id = JSON.stringify([command.input.TableName, command.input.Key]);
      if (frozen.has(id)) {
        replica.staleReads++;
        return Promise.resolve({ Item: frozen.get(id) });
      }
    }
    return send(command, ...rest);
  }) as typeof dynamo.send;
  return replica;
}
