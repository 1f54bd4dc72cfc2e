/**
 * The topics of a Kafka member's ConsumerProtocolSubscription, which OffsetDelete checks before it
 * deletes: every version starts with version and topics; bytes that are not one read as undefined
 * (the caller then treats the member as subscribed to every topic).
 */
import { describe, expect, it } from 'vitest';
import { encodeSubscription, subscribedTopics } from '../../../../packages/protocol/src/kafka/consumer-protocol.js';

describe('subscribedTopics', () => {
  it('reads the topics of v0 and of later versions, whose extra fields follow', () => {
    // Prepare
    const v0 = encodeSubscription(['orders', 'clicks']);
    const v1 = Buffer.concat([Buffer.from([0, 1]), encodeSubscription(['orders']).subarray(2), Buffer.from([0, 0, 0, 1, 0, 1, 0x61, 0, 0, 0, 0])]);

    // Act
    const read = [subscribedTopics(v0), subscribedTopics(v1), subscribedTopics(new Uint8Array(v0))];

    // Assess
    expect(read).toEqual([['orders', 'clicks'], ['orders'], ['orders', 'clicks']]);
  });

  it('answers undefined for bytes that are not a subscription', () => {
    // Prepare
    const inputs = [Buffer.from('meta'), Buffer.from([0, 0, 0, 0, 0, 2, 0, 1, 0x61]), Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0, 0, 0, 0, 1, 0, 9, 0x61])];

    // Act
    const read = inputs.map((b) => subscribedTopics(b));

    // Assess
    expect(read).toEqual([undefined, undefined, undefined, undefined]);
  });
});
