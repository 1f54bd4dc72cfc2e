/**
 * The console signs calls to Floe with this machine's AWS credentials, so a
 * web page elsewhere must not be able to drive it. Bound to a loopback address,
 * the console answers only requests addressed to a loopback name (no DNS
 * rebinding); writes need a JSON body (a cross-site form cannot send one
 * without a CORS preflight, which the console never grants) and, when the
 * browser names an Origin, the console's own.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIPv4 } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A loopback name, or an IPv4 address in 127/8: "127.attacker.example" is a public name an attacker can rebind. */
export const isLoopback = (host: string): boolean => LOOPBACK_NAMES.has(host) || (isIPv4(host) && host.startsWith('127.'));

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
  if (isCrossOrigin(headers)) return { code: 'CLUSTER_AUTHORIZATION_FAILED', message: `cross-origin write from ${headers.origin} refused` };
  return undefined;
}

/** A browser named an Origin other than the Host asked for. */
export function isCrossOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true; // "null" (sandboxed frames, files)
  }
}
