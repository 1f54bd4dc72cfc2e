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

export type ApiHandler = (request: ApiRequest) => Promise<ApiResult>;

export interface ApiRoute {
  method: Method;
  /** segments; ":name" matches one URL-decoded segment */
  path: string;
  /** changes the cluster: refused in read-only mode */
  write?: boolean;
  handle: ApiHandler;
}

export interface RouteMatch {
  route: ApiRoute;
  params: Record<string, string>;
}

/** A route that only reads. */
export const readRoute = (path: string, handle: ApiHandler): ApiRoute => ({ method: 'GET', path, handle });

/** A route that changes the cluster (POST): refused in read-only mode. */
export const writeRoute = (path: string, handle: ApiHandler): ApiRoute => ({ method: 'POST', path, write: true, handle });

/** "/api/topics/:name" -> /^\/api\/topics\/([^/]+)$/ and the names of its parameters, in order. */
function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

const compiled = new Map<string, ReturnType<typeof compile>>();

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new FloeError('INVALID_REQUEST', `malformed path segment "${segment}"`);
  }
}

/** The decoded parameters when the path fits the route's pattern. */
function paramsOf(route: ApiRoute, path: string): Record<string, string> | undefined {
  let entry = compiled.get(route.path);
  if (!entry) compiled.set(route.path, (entry = compile(route.path)));
  const values = entry.pattern.exec(path)?.slice(1);
  return values && Object.fromEntries(entry.names.map((name, i) => [name, decodeSegment(values[i] as string)]));
}

/** The route for a method and path; NOT_FOUND (404) or METHOD_NOT_ALLOWED (405) otherwise. */
export function findRoute(routes: readonly ApiRoute[], method: string, path: string): RouteMatch {
  const fitting = routes.flatMap((route) => {
    const params = paramsOf(route, path);
    return params ? [{ route, params }] : [];
  });
  const match = fitting.find((m) => m.route.method === method);
  if (match) return match;
  if (fitting.length > 0) throw new FloeError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
  throw new FloeError('NOT_FOUND', `no console API route ${path}`);
}
