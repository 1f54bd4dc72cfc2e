/**
 * SigV4 signing for Function URLs with AWS_IAM auth (service "lambda").
 * The region comes from the host (<id>.lambda-url.<region>.on.aws), else the
 * `region` option, else AWS_REGION; credentials from the option, else the AWS SDK's
 * default chain (environment, profile, SSO, container and instance roles).
 */
import type { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { FloeError } from '@floe/protocol';
import type { HttpRequestSpec, RequestSigner } from './http-client.js';

export interface SigV4Options {
  /** used when the host does not name a region */
  region?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** signing time (tests) */
  now?: () => Date;
}

export type SigningMode = 'auto' | 'sigv4' | 'none' | RequestSigner;

const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/i;

/** The region of a deployed Function URL, or undefined for any other host. */
export function functionUrlRegion(url: string): string | undefined {
  return FUNCTION_URL_HOST.exec(new URL(url).hostname)?.[1]?.toLowerCase();
}

const lazy = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};

export function sigv4Signer(options: SigV4Options = {}): RequestSigner {
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  const credentials: AwsCredentialIdentityProvider = async (...args) => {
    const given = options.credentials;
    if (given) return typeof given === 'function' ? given(...args) : given;
    // Loaded on first use: the credential chain is large and unneeded against a local cluster.
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    return (await chain)(...args);
  };
  // The signing libraries are loaded on first use too: a CLI call against a local cluster never needs them.
  const libraries = lazy(async () => {
    const [{ Sha256 }, { HttpRequest }, { SignatureV4 }] = await Promise.all([
      import('@aws-crypto/sha256-js'),
      import('@smithy/protocol-http'),
      import('@smithy/signature-v4'),
    ]);
    return { Sha256, HttpRequest, SignatureV4 };
  });
  const signers = new Map<string, SignatureV4>();
  const signerFor = async (region: string): Promise<SignatureV4> => {
    let signer = signers.get(region);
    if (!signer) {
      const { SignatureV4, Sha256 } = await libraries();
      signers.set(region, (signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: Sha256 })));
    }
    return signer;
  };
  return async (request: HttpRequestSpec): Promise<HttpRequestSpec> => {
    const url = new URL(request.url);
    const region = functionUrlRegion(request.url) ?? options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new FloeError('INVALID_CONFIG', `cannot sign a request to ${url.host}: no region in the host, the options or AWS_REGION`);
    }
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const previous = query[key];
      query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const { HttpRequest } = await libraries();
    const signed = await (await signerFor(region)).sign(
      new HttpRequest({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        body: request.body,
      }),
      options.now ? { signingDate: options.now() } : undefined,
    );
    // fetch sets Host from the URL (the same value that was signed).
    const { host: _host, ...headers } = signed.headers;
    return { ...request, headers };
  };
}

/** The signer a client should use: 'auto' signs only requests to deployed Function URLs. */
export function signerFor(mode: SigningMode | undefined, options: SigV4Options = {}): RequestSigner | undefined {
  if (typeof mode === 'function') return mode;
  if (mode === 'none') return undefined;
  const signer = sigv4Signer(options);
  if (mode === 'sigv4') return signer;
  return (request) => (functionUrlRegion(request.url) ? signer(request) : Promise.resolve(request));
}
