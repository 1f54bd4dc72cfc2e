/** Routes of the console's JSON API and how a request finds one. */
import { FloeError } from '@floe/client';

export type Method = 'GET' | 'POST';

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** the parsed JSON body (writes only) */
  body: unknown;
}

export interface ApiResult {
  status?: number;
  body: unknown;
}

export interface ApiRoute {
  method: Method;
  /** segments; ":name" matches one URL-decoded segment */
  path: string;
  /** changes the cluster: refused in read-only mode */
  write?: boolean;
  handle(request: ApiRequest): Promise<ApiResult>;
}

export interface RouteMatch {
  route: ApiRoute;
  params: Record<string, string>;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        throw new FloeError('INVALID_REQUEST', `malformed path segment "${g}"`);
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/** The route for a method and path; NOT_FOUND (404) or METHOD_NOT_ALLOWED (405) otherwise. */
export function findRoute(routes: readonly ApiRoute[], method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  if (pathMatched) throw new FloeError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
  throw new FloeError('NOT_FOUND', `no console API route ${path}`);
}
