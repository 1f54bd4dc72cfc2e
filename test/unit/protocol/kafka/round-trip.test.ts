import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allApis,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ApiDefinition,
  type KafkaStruct,
} from '../../../../packages/protocol/src/kafka/index.js';
import { recordBatch } from './kafkajs.js';
import { realisticSamples } from './realistic-samples.js';
import { arbitraryBody, projectBody, sampleBody, type Variant } from './schema-samples.js';
import { FUZZ_PARAMS } from './fuzz-params.js';

const versionsOf = (api: ApiDefinition) =>
  Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);

const cases = allApis().flatMap((api) => versionsOf(api).map((version) => [api.name, version, api] as const));

describe.each(cases)('%s v%i round trip', (_name, version, api) => {
  it.each<Variant>(['filled', 'nulls'])('request with %s sample values', (variant) => {
    // Prepare
    const body = sampleBody(api.request, version, variant);

    // Act
    const frame = encodeRequest(api.apiKey, version, 41, 'floe-test', body);
    const decoded = decodeRequest(frame.subarray(4));

    // Assess
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(decoded).toMatchObject({ apiKey: api.apiKey, apiVersion: version, correlationId: 41, trailingBytes: 0 });
    expect(decoded.header.clientId).toBe('floe-test');
    expect(decoded.body).toEqual(body);
  });

  it.each<Variant>(['filled', 'nulls'])('response with %s sample values', (variant) => {
    // Prepare
    const body = sampleBody(api.response, version, variant);

    // Act
    const frame = encodeResponse(api.apiKey, version, 42, body);
    const decoded = decodeResponse(api.apiKey, version, frame.subarray(4));

    // Assess
    expect(decoded).toEqual({ correlationId: 42, body, trailingBytes: 0 });
  });

  it('random requests and responses (fast-check)', () => {
    fc.assert(
      fc.property(arbitraryBody(api.request, version), arbitraryBody(api.response, version), (request, response) => {
        // Act
        const decodedRequest = decodeRequest(encodeRequest(api.apiKey, version, 1, null, request).subarray(4));
        const decodedResponse = decodeResponse(api.apiKey, version, encodeResponse(api.apiKey, version, 2, response).subarray(4));

        // Assess
        expect(decodedRequest.body).toEqual(request);
        expect(decodedRequest.header.clientId).toBeNull();
        expect(decodedResponse.body).toEqual(response);
      }),
      FUZZ_PARAMS(25),
    );
  });
});

describe('realistic bodies of the gateway APIs, at every version', async () => {
  const records = await recordBatch([
    { key: 'k1', value: 'v1' },
    { key: 'k2', value: 'v2' },
  ]);
  const samples = realisticSamples(records);
  const realistic = allApis()
    .filter((api) => samples[api.name] !== undefined)
    .flatMap((api) => versionsOf(api).map((version) => [api.name, version, api] as const));

  it('covers the APIs a client needs', () => {
    expect(new Set(realistic.map(([name]) => name)).size).toBe(13);
  });

  it.each(realistic)('%s v%i', (name, version, api) => {
    // Prepare
    const sample = samples[name] as { request: KafkaStruct; response: KafkaStruct };
    const request = projectBody(api.request, version, sample.request);
    const response = projectBody(api.response, version, sample.response);

    // Act
    const decodedRequest = decodeRequest(encodeRequest(api.apiKey, version, 7, 'rdkafka', request).subarray(4));
    const decodedResponse = decodeResponse(api.apiKey, version, encodeResponse(api.apiKey, version, 7, response).subarray(4));

    // Assess
    expect(decodedRequest.body).toEqual(request);
    expect(decodedResponse.body).toEqual(response);
  });
});
