/** The generic codec's rules: defaults, ignored fields, tagged fields, trailing bytes, error paths. */
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  KafkaProtocolError,
} from '../../../../packages/protocol/src/kafka/index.js';

function failure(fn: () => unknown): KafkaProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaProtocolError);
    return error as KafkaProtocolError;
  }
  throw new Error('expected a KafkaProtocolError');
}

const records = Buffer.from('batch');

describe('encoding', () => {
  it('writes a missing field as its default (schema default, else 0, "", false, [])', () => {
    // Act
    const frame = encodeRequest(3, 4, 1, null, {});

    // Assess
    expect(decodeRequest(frame.subarray(4)).body).toEqual({ topics: [], allowAutoTopicCreation: true });
  });

  it('ignores fields the version does not have', () => {
    // Act
    const v0 = encodeRequest(11, 0, 1, null, { groupId: 'g', sessionTimeoutMs: 1, rebalanceTimeoutMs: 2, memberId: '', protocolType: 'consumer', protocols: [], reason: 'x' });

    // Assess
    expect(decodeRequest(v0.subarray(4)).body).toEqual({ groupId: 'g', sessionTimeoutMs: 1, memberId: '', protocolType: 'consumer', protocols: [] });
  });

  it('says where a value does not fit', () => {
    // Act
    const error = failure(() =>
      encodeRequest(0, 9, 1, null, { acks: -1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }, { index: 2 ** 31, records }] }] }),
    );

    // Assess
    expect(error.kind).toBe('invalid_value');
    expect(error.path).toBe('topicData[0].partitionData[1].index');
  });

  it('refuses null in a field that is not nullable in that version', () => {
    // Metadata topics become nullable at v1.
    expect(failure(() => encodeRequest(3, 0, 1, null, { topics: null })).path).toBe('topics');
    expect(decodeRequest(encodeRequest(3, 1, 1, null, { topics: null }).subarray(4)).body).toEqual({ topics: null });
  });

  it('leaves tagged fields at their default off the wire', () => {
    // Act
    const atDefault = encodeResponse(18, 3, 1, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1n });
    const set = encodeResponse(18, 3, 1, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, zkMigrationReady: true });

    // Assess: ...throttle, then the tag count (0), or one tag: 3, size 1, true
    expect(atDefault.subarray(-5).toString('hex')).toBe('0000000000');
    expect(set.subarray(-8).toString('hex')).toBe('00000000' + '01' + '03' + '01' + '01');
  });
});

describe('tagged fields', () => {
  // Heartbeat v4 request: header v2 (client id null), group "g", generation 1, member "m", instance null, then tags.
  const heartbeat = (tags: string) => Buffer.from('000c000400000001ffff00' + '0267' + '00000001' + '026d' + '00' + tags, 'hex');

  it('keeps unknown tags raw and writes them back in tag order', () => {
    // Prepare: two unknown tags, 7 then 9
    const frame = heartbeat('02' + '07' + '01' + 'aa' + '09' + '02' + 'bbcc');

    // Act
    const { body } = decodeRequest(frame);
    const again = encodeRequest(12, 4, 1, null, body);

    // Assess
    expect(body._unknownTaggedFields).toEqual([
      { tag: 7, data: Buffer.from('aa', 'hex') },
      { tag: 9, data: Buffer.from('bbcc', 'hex') },
    ]);
    expect(again.subarray(4).equals(frame)).toBe(true);
  });

  it('merges unknown tags with known ones in tag order', () => {
    // Act: Fetch v12 request with cluster id (tag 0) and an unknown tag 4
    const frame = encodeRequest(1, 12, 1, null, { clusterId: 'c', maxWaitMs: 1, minBytes: 1, topics: [], _unknownTaggedFields: [{ tag: 4, data: Buffer.from('ff', 'hex') }] });

    // Assess: count 2; tag 0, size 2, compact "c"; tag 4, size 1, ff
    expect(frame.subarray(-10).toString('hex')).toBe('01' + '01' + '02' + '00' + '02' + '0263' + '04' + '01' + 'ff');
    expect(decodeRequest(frame.subarray(4)).body).toMatchObject({ clusterId: 'c', _unknownTaggedFields: [{ tag: 4, data: Buffer.from('ff', 'hex') }] });
  });

  it('rejects a known tag whose bytes are not exactly its value', () => {
    // Prepare: Fetch v12 response partition with current leader (tag 1) declared as 10 bytes, holding 9 + 1 spare
    const frame = Buffer.from(
      '00000001' + '00' + '00000000' + '0000' + '00000000' + '02' + '0274' + '02' + '00000000' + '0000' + '0000000000000000'.repeat(3) + '00' + 'ffffffff' + '01' +
        '01' + '01' + '0a' + '00000001' + '00000000' + '00' + 'ee' + '00' + '00',
      'hex',
    );

    // Act
    const error = failure(() => decodeResponse(1, 12, frame));

    // Assess
    expect(error.kind).toBe('malformed');
    expect(error.path).toBe('responses[0].partitions[0].currentLeader');
  });

  it('refuses an unknown tag that is a known one', () => {
    expect(failure(() => encodeRequest(1, 12, 1, null, { maxWaitMs: 1, minBytes: 1, topics: [], _unknownTaggedFields: [{ tag: 0, data: Buffer.alloc(1) }] })).kind).toBe(
      'invalid_value',
    );
  });
});

describe('decoding', () => {
  it('counts trailing bytes instead of failing on them', () => {
    // Prepare
    const frame = Buffer.concat([encodeRequest(12, 3, 1, 'c', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }).subarray(4), Buffer.from('xyz')]);

    // Act
    const decoded = decodeRequest(frame);

    // Assess
    expect(decoded.trailingBytes).toBe(3);
    expect(decoded.body).toEqual({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
  });

  it('says where the bytes ran out, and keeps the header for the caller', () => {
    // Prepare
    const full = encodeRequest(0, 3, 5, 'c', { acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });

    // Act
    const error = failure(() => decodeRequest(full.subarray(4, full.length - 2)));

    // Assess
    expect(error).toMatchObject({ kind: 'malformed', errorCode: 42, path: 'topicData[0].partitionData[0].records', header: { apiKey: 0, correlationId: 5 } });
    expect(error.message).toMatch(/^topicData\[0\]\.partitionData\[0\]\.records: /);
  });

  it('decodes an absent tagged field as its default', () => {
    // Act
    const { body } = decodeResponse(18, 3, encodeResponse(18, 3, 1, { errorCode: 0, apiKeys: [], throttleTimeMs: 0 }).subarray(4));

    // Assess
    expect(body).toEqual({ errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false });
  });
});
