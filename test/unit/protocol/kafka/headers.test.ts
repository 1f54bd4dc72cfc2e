import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeApiVersionsFallback,
  encodeRequest,
  encodeResponse,
  headerVersions,
  KafkaProtocolError,
  supportedApis,
} from '../../../../packages/protocol/src/kafka/index.js';

const require = createRequire(import.meta.url);

/** [api key, name, min, max, first flexible version or null]: the brief's table and Kafka's definitions. */
const TABLE: Array<[number, string, number, number, number | null]> = [
  [0, 'Produce', 3, 9, 9],
  [1, 'Fetch', 4, 12, 12],
  [2, 'ListOffsets', 0, 7, 6],
  [3, 'Metadata', 0, 12, 9],
  [8, 'OffsetCommit', 0, 9, 8],
  [9, 'OffsetFetch', 0, 9, 6],
  [10, 'FindCoordinator', 0, 4, 3],
  [11, 'JoinGroup', 0, 9, 6],
  [12, 'Heartbeat', 0, 4, 4],
  [13, 'LeaveGroup', 0, 5, 4],
  [14, 'SyncGroup', 0, 5, 4],
  [15, 'DescribeGroups', 0, 5, 5],
  [16, 'ListGroups', 0, 5, 3],
  [17, 'SaslHandshake', 0, 1, null],
  [18, 'ApiVersions', 0, 3, 3],
  [19, 'CreateTopics', 0, 7, 5],
  [20, 'DeleteTopics', 0, 6, 4],
  [21, 'DeleteRecords', 0, 2, 2],
  [22, 'InitProducerId', 0, 4, 2],
  [29, 'DescribeAcls', 0, 3, 2],
  [30, 'CreateAcls', 0, 3, 2],
  [31, 'DeleteAcls', 0, 3, 2],
  [32, 'DescribeConfigs', 0, 4, 4],
  [33, 'AlterConfigs', 0, 2, 2],
  [36, 'SaslAuthenticate', 0, 2, 2],
  [37, 'CreatePartitions', 0, 3, 2],
  [42, 'DeleteGroups', 0, 2, 2],
  [44, 'IncrementalAlterConfigs', 0, 1, 1],
  [47, 'OffsetDelete', 0, 0, null],
  [60, 'DescribeCluster', 0, 1, 0],
];

function thrown(fn: () => unknown): KafkaProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaProtocolError);
    return error as KafkaProtocolError;
  }
  throw new Error('expected a KafkaProtocolError');
}

describe('supported APIs and header versions', () => {
  it('advertises exactly the table of APIs and versions', () => {
    // Act
    const apis = supportedApis();

    // Assess
    expect(apis).toEqual(TABLE.map(([apiKey, , minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })));
  });

  it.each(TABLE)('key %i (%s v%i-%i) switches to header v2 / v1 at its first flexible version', (apiKey, _name, min, max, flexibleFrom) => {
    for (let version = min; version <= max; version++) {
      // Act
      const versions = headerVersions(apiKey, version);

      // Assess
      const flexible = flexibleFrom !== null && version >= flexibleFrom;
      expect(versions.request).toBe(flexible ? 2 : 1);
      expect(versions.response).toBe(flexible && apiKey !== 18 ? 1 : 0);
    }
  });
});

describe('response headers', () => {
  it('ApiVersions v3 answers with response header v0: the body follows the correlation id at once', () => {
    // Act
    const frame = encodeResponse(18, 3, 0x01020304, { errorCode: 35, apiKeys: [], throttleTimeMs: 0 });

    // Assess: correlation id, error 35, compact empty array, throttle 0, no tags
    expect(frame.subarray(4).toString('hex')).toBe('01020304' + '0023' + '01' + '00000000' + '00');
    expect(decodeResponse(18, 3, frame.subarray(4)).body.errorCode).toBe(35);
  });

  it('a flexible response of another API has response header v1 (tagged fields after the correlation id)', () => {
    // Act
    const frame = encodeResponse(12, 4, 0x01020304, { throttleTimeMs: 0, errorCode: 0 });

    // Assess
    expect(frame.subarray(4).toString('hex')).toBe('01020304' + '00' + '00000000' + '0000' + '00');
  });
});

describe('request headers', () => {
  it('header v2 keeps the client id as an int16-length string, and null as -1', () => {
    // Act
    const named = encodeRequest(12, 4, 1, 'abc', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
    const anonymous = encodeRequest(12, 4, 1, null, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });

    // Assess: key 12, v4, correlation 1, client id, header tags
    expect(named.subarray(4, 4 + 14).toString('hex')).toBe('000c' + '0004' + '00000001' + '0003616263' + '00');
    expect(anonymous.subarray(4, 4 + 11).toString('hex')).toBe('000c' + '0004' + '00000001' + 'ffff' + '00');
    expect(decodeRequest(named.subarray(4)).header.clientId).toBe('abc');
    expect(decodeRequest(anonymous.subarray(4)).header.clientId).toBeNull();
  });

  it('a compact client id in a v2 header is not accepted as one', () => {
    // Prepare: the client id written compactly (length+1 = 4, "abc"), as a wrong client would
    const frame = Buffer.from('000c' + '0004' + '00000001' + '04616263' + '00' + '026700000001026d0000', 'hex');

    // Act
    const error = thrown(() => decodeRequest(frame));

    // Assess
    expect(error.kind).toBe('malformed');
  });

  it('reads the header and where the body starts', () => {
    // Prepare
    const frame = encodeRequest(3, 9, 77, 'rdkafka', { topics: null }).subarray(4);

    // Act
    const { header, bodyOffset } = decodeRequestHeader(frame);

    // Assess
    expect(header).toEqual({ apiKey: 3, apiVersion: 9, correlationId: 77, clientId: 'rdkafka', headerVersion: 2 });
    expect(bodyOffset).toBe(2 + 2 + 4 + 2 + 7 + 1);
  });

  it('keeps unknown tagged fields of a v2 header', () => {
    // Prepare: heartbeat v4, header tags: one, tag 5, 2 bytes
    const frame = Buffer.from('000c0004000000010001' + '61' + '01050200ff' + '0267' + '00000001' + '026d' + '00' + '00', 'hex');

    // Act
    const { header, body } = decodeRequest(frame);

    // Assess
    expect(header.unknownTaggedFields).toEqual([{ tag: 5, data: Buffer.from('00ff', 'hex') }]);
    expect(body).toEqual({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
  });
});

describe('unsupported APIs and versions', () => {
  it('reports a version above the range as unsupported_version (35) with the header, before reading the body', () => {
    // Prepare: Metadata v13 with a body this codec cannot know
    const frame = Buffer.from('0003000d0000002a0003636c6900' + 'deadbeef', 'hex');

    // Act
    const error = thrown(() => decodeRequest(frame));

    // Assess
    expect(error.kind).toBe('unsupported_version');
    expect(error.errorCode).toBe(35);
    expect(error.header).toEqual({ apiKey: 3, apiVersion: 13, correlationId: 42, clientId: 'cli' });
  });

  it('reports Produce v2 (below the range) as unsupported_version', () => {
    // Prepare
    const frame = Buffer.from('000000020000000500000001', 'hex');

    // Act
    const error = thrown(() => decodeRequestHeader(frame));

    // Assess
    expect(error).toMatchObject({ kind: 'unsupported_version', errorCode: 35, header: { apiKey: 0, apiVersion: 2, correlationId: 5, clientId: '' } });
  });

  it('reports an unknown API key as unsupported_api (35)', () => {
    // Prepare: key 57 (UpdateFeatures)
    const frame = Buffer.from('0039000000000009ffff', 'hex');

    // Act
    const error = thrown(() => decodeRequest(frame));

    // Assess
    expect(error).toMatchObject({ kind: 'unsupported_api', errorCode: 35, header: { apiKey: 57, apiVersion: 0, correlationId: 9, clientId: null } });
  });

  it('rejects a frame too short to hold a header as malformed', () => {
    // Act
    const error = thrown(() => decodeRequest(Buffer.from('00120003', 'hex')));

    // Assess
    expect(error.kind).toBe('malformed');
  });

  it('answers an ApiVersions request of an unknown version in v0 framing that kafkajs reads', async () => {
    // Prepare: librdkafka-style ApiVersions v4 (newer than this codec)
    const frame = Buffer.from('001200040000000b0007' + '72646b61666b61' + '00' + '0b6c696272646b61666b6106322e302e3200', 'hex');
    const error = thrown(() => decodeRequest(frame));

    // Act
    const answer = encodeApiVersionsFallback(error.header?.correlationId ?? -1);

    // Assess
    expect(error).toMatchObject({ kind: 'unsupported_version', header: { apiKey: 18, apiVersion: 4, correlationId: 11, clientId: 'rdkafka' } });
    const v0 = require('kafkajs/src/protocol/requests/apiVersions/v0/response.js') as { decode(b: Buffer): Promise<unknown> };
    expect(answer.readInt32BE(4)).toBe(11);
    await expect(v0.decode(answer.subarray(8))).rejects.toThrow(/version/i); // kafkajs reads the 35 and backs off
    expect(decodeResponse(18, 0, answer.subarray(4)).body).toEqual({ errorCode: 35, apiKeys: supportedApis() });
  });

  it('refuses to encode a version outside the range', () => {
    // Act
    const error = thrown(() => encodeResponse(1, 13, 1, {}));

    // Assess
    expect(error.kind).toBe('unsupported_version');
  });
});
