/**
 * The console signs calls to Floe with this machine's AWS credentials, so a
 * web page elsewhere must not be able to drive it. Bound to a loopback address,
 * the console answers only requests addressed to a loopback name (no DNS
 * rebinding); writes need a JSON body (a cross-site form cannot send one
 * without a CORS preflight, which the console never grants) and, when the
 * browser names an Origin, the console's own.
 */
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const isLoopback = (host: string): boolean => LOOPBACK_NAMES.has(host) || host.startsWith('127.');

/** The host name of a Host header ("127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "[::1]"). */
export function hostName(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : (hostHeader.split(':')[0] ?? '');
}

export function hostAllowed(boundHost: string, headers: IncomingHttpHeaders): boolean {
  if (!isLoopback(boundHost)) return true;
  const host = headers.host;
  return host !== undefined && isLoopback(hostName(host.toLowerCase()));
}

/** Why a write request is refused, or undefined when it may go on. */
export function writeRefusal(headers: IncomingHttpHeaders): { code: 'UNSUPPORTED_MEDIA_TYPE' | 'CLUSTER_AUTHORIZATION_FAILED'; message: string } | undefined {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'console writes take Content-Type: application/json' };
  const origin = headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host; // "null" (sandboxed frames, files) throws: refused too
    } catch {
      originHost = undefined;
    }
    if (originHost !== headers.host) return { code: 'CLUSTER_AUTHORIZATION_FAILED', message: `cross-origin write from ${origin} refused` };
  }
  return undefined;
}
