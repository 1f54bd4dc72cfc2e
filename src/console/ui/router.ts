/** Hash routes (#/topics/orders?partition=0): the server only ever serves "/", and Back works. */
import { useEffect, useState } from 'preact/hooks';
import { queryString, type QueryValues } from './query-string.js';

export interface Route {
  /** decoded path segments: "#/topics/a%2Fb" -> ["topics", "a/b"] */
  segments: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: new URLSearchParams(search) };
}

export function href(segments: Array<string | number>, query: QueryValues = {}): string {
  return `#/${segments.map((s) => encodeURIComponent(String(s))).join('/')}${queryString(query)}`;
}

/** A number from the route's query, or the fallback when it is absent, zero or not a number. */
export function numberParam(query: URLSearchParams, name: string, fallback: number): number {
  return Number(query.get(name) ?? fallback) || fallback;
}

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
