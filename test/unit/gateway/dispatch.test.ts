/** Every handler gets the connection's principal with the request, and what that principal may do (src/auth's Access). */
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest } from '../../../packages/protocol/src/kafka/index.js';
import type { ConnectionState } from '../../../src/gateway/connection.js';
import { Access, type Identity } from '../../../src/auth/index.js';
import type { GatewayContext, Handler, RequestInfo } from '../../../src/gateway/context.js';
import { createDispatch } from '../../../src/gateway/dispatch.js';
import { PartitionOrder } from '../../../src/gateway/partition-order.js';
import { SaslAuthenticator, SaslConnection } from '../../../src/gateway/security/index.js';
import { ALICE, testStore } from '../../helpers/sasl-fixtures.js';

const METADATA = 3;
const metadataRequest = () => decodeRequest(encodeRequest(METADATA, 1, 7, 'c', { topics: [] }).subarray(4));

function connectionWith(sasl: SaslConnection): ConnectionState {
  return { id: 1, remote: 'r', clientHost: '/r', sasl, order: new PartitionOrder(), signal: new AbortController().signal, endAfterResponse: () => undefined };
}

function recordingDispatch(seen: RequestInfo[]) {
  const record: Handler = async (_gw, _body, request) => {
    seen.push(request);
    return {};
  };
  return createDispatch({} as GatewayContext, new Map([[METADATA, record]]));
}

describe('dispatch', () => {
  it('hands User:ANONYMOUS to handlers on a connection without SASL', async () => {
    // Prepare
    const seen: RequestInfo[] = [];
    const dispatch = recordingDispatch(seen);

    // Act
    await dispatch(metadataRequest(), connectionWith(new SaslConnection(undefined)));

    // Assess
    expect(seen.map((r) => r.principal)).toEqual(['User:ANONYMOUS']);
  });

  it('hands the authenticated user to handlers once the connection has logged in', async () => {
    // Prepare
    const seen: RequestInfo[] = [];
    const dispatch = recordingDispatch(seen);
    const sasl = new SaslConnection(new SaslAuthenticator({ mechanisms: ['PLAIN'], credentials: (await testStore()).store }), { failureDelayMs: 0 });
    sasl.handshake(1, 'PLAIN');
    await sasl.authenticate(Buffer.from(`\0${ALICE.name}\0${ALICE.password}`));

    // Act
    await dispatch(metadataRequest(), connectionWith(sasl));

    // Assess
    expect(seen.map((r) => r.principal)).toEqual(['User:alice']);
    expect(seen[0]?.apiVersion).toBe(1);
  });

  it("asks the deps' authorizer once per request, lazily, for the connection's identity", async () => {
    // Prepare
    const asked: Identity[] = [];
    const auth = { access: async (identity: Identity) => (asked.push(identity), new Access(identity, [])) };
    const gw = { deps: { auth } } as unknown as GatewayContext;
    const accesses: Access[] = [];
    const twice: Handler = async (_gw, _body, request) => {
      accesses.push(await request.access(), await request.access());
      return {};
    };
    const silent: Handler = async () => ({});

    // Act
    await createDispatch(gw, new Map([[METADATA, twice]]))(metadataRequest(), connectionWith(new SaslConnection(undefined)));
    await createDispatch(gw, new Map([[METADATA, silent]]))(metadataRequest(), connectionWith(new SaslConnection(undefined)));

    // Assess
    expect(asked.map((i) => i.principal)).toEqual(['User:ANONYMOUS']);
    expect(accesses[0]).toBe(accesses[1]);
    expect(accesses[0]?.allows('topic', 't', 'Describe')).toBe(false);
  });
});
