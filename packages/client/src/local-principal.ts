/**
 * For a local cluster with authorization on: every request says which principal it acts as
 * (docs/security.md). Only the local cluster honours the header; a deployed Function URL knows
 * the caller from its SigV4 signature and ignores it.
 */
import { LOCAL_PRINCIPAL_HEADER } from '@floe/protocol';
import type { RequestSigner } from './http-client.js';

/** A request hook that names the principal (after `next`, e.g. a signer, if given). */
export function localPrincipal(principal: string, next?: RequestSigner): RequestSigner {
  return async (request) => {
    const named = { ...request, headers: { ...request.headers, [LOCAL_PRINCIPAL_HEADER]: principal } };
    return next ? next(named) : named;
  };
}
