/** Raw produce and fetch calls over the binary wire formats (the Producer and Consumer build on these). */
import { decodeFetchResponse, encodeProduceRequest, FETCH_CONTENT_TYPE, type FetchRequest, type FetchTopicResult, PRODUCE_CONTENT_TYPE, type ProduceRequest, type ProduceTopicResult } from '@floe/protocol';
import { errorFromResponse, type FloeHttpClient } from './http-client.js';

export type { FetchRequest, FetchTopicResult, ProduceRequest, ProduceTopicResult };

export async function produceRaw(http: FloeHttpClient, request: ProduceRequest, timeoutMs?: number): Promise<ProduceTopicResult[]> {
  const response = await http.call('produce', 'POST', '/v1/produce', {
    body: encodeProduceRequest(request),
    contentType: PRODUCE_CONTENT_TYPE,
    timeoutMs,
    allowErrorStatus: true,
  });
  const parsed = JSON.parse(response.body.toString('utf8')) as { topics?: ProduceTopicResult[] };
  if (!parsed.topics) throw errorFromResponse(response.status, response.body);
  return parsed.topics;
}

export async function fetchRaw(http: FloeHttpClient, request: FetchRequest, timeoutMs?: number): Promise<FetchTopicResult[]> {
  const response = await http.call('fetch', 'POST', '/v1/fetch', {
    json: request,
    accept: FETCH_CONTENT_TYPE,
    // the server may wait up to maxWaitMs before answering
    timeoutMs: timeoutMs === undefined ? undefined : timeoutMs + request.maxWaitMs,
  });
  return decodeFetchResponse(response.body);
}

/**
 * Kafka's InitProducerId: a new producer id, or — given the current one — the same id with the
 * next epoch. Ids are random int64s: they travel as decimal strings in JSON, as bigints here.
 */
export async function allocateProducerId(http: FloeHttpClient, current?: { producerId: bigint; producerEpoch: number }): Promise<{ producerId: bigint; producerEpoch: number }> {
  const body = current ? { producerId: current.producerId.toString(), producerEpoch: current.producerEpoch } : {};
  const issued = await http.callJson<{ producerId: string | number; producerEpoch: number }>('produce', 'POST', '/v1/producer-ids', body);
  return { producerId: BigInt(issued.producerId), producerEpoch: issued.producerEpoch };
}
