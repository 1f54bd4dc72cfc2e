/** Typed bodies follow the schema data (checked by tsc; the runtime part checks they are usable). */
import { describe, expectTypeOf, it, expect } from 'vitest';
import {
  decodeRequest,
  encodeResponse,
  type FetchResponse,
  type MessageBody,
  type MetadataRequest,
  type ProduceRequest,
  type RawTaggedField,
} from '../../../../packages/protocol/src/kafka/index.js';

describe('MessageBody', () => {
  it('types fields from the schema: int64 as bigint, records as Buffer, nullables with null', () => {
    type Produce = MessageBody<typeof ProduceRequest>;
    type Partition = NonNullable<NonNullable<NonNullable<Produce['topicData']>[number]['partitionData']>[number]>;
    expectTypeOf<Produce['acks']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Produce['transactionalId']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Partition['records']>().toEqualTypeOf<Buffer | null | undefined>();
    type Topic = NonNullable<MessageBody<typeof MetadataRequest>['topics']>[number];
    expectTypeOf<Topic['name']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<Topic['topicId']>().toEqualTypeOf<string | undefined>();
    type FetchPartition = NonNullable<NonNullable<MessageBody<typeof FetchResponse>['responses']>[number]['partitions']>[number];
    expectTypeOf<FetchPartition['highWatermark']>().toEqualTypeOf<bigint | undefined>();
    expectTypeOf<FetchPartition['currentLeader']>().toEqualTypeOf<({ leaderId?: number; leaderEpoch?: number } & { _unknownTaggedFields?: RawTaggedField[] }) | undefined>();
  });

  it('lets a typed body go to the encoder and a decoded body be read typed', () => {
    // Prepare
    const body: MessageBody<typeof FetchResponse> = { throttleTimeMs: 0, responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 5n, records: null }] }] };

    // Act
    const frame = encodeResponse(1, 12, 1, body);

    // Assess
    expect(frame.length).toBeGreaterThan(8);
    expectTypeOf(decodeRequest).returns.toHaveProperty('body');
  });
});
