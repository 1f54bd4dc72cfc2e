/**
 * The bootstrap URL as users give it: a URL (`http://127.0.0.1:9092`, a Function URL) or
 * Kafka's `host:port` form, which means http. Anything else is refused when a client is
 * made, not on its first request.
 */
import { FloeError } from '@floe/protocol';

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

export function normalizeBootstrap(bootstrap: unknown): string {
  if (typeof bootstrap !== 'string' || bootstrap.trim() === '') {
    throw new FloeError('INVALID_CONFIG', 'bootstrap (the bootstrap URL) is required, e.g. http://127.0.0.1:9092');
  }
  const given = bootstrap.trim();
  if (given.includes(',')) {
    throw new FloeError('INVALID_CONFIG', `bootstrap "${given}" lists several servers: Floe takes one bootstrap URL (any function's URL leads to the others)`);
  }
  const candidate = HOST_PORT.test(given) ? `http://${given}` : given;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new FloeError('INVALID_CONFIG', `bootstrap "${given}" is not a URL: give http(s)://host:port, or host:port for http`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FloeError('INVALID_CONFIG', `bootstrap "${given}" is not an http(s) URL: give http(s)://host:port, or host:port for http`);
  }
  return candidate.replace(/\/+$/, '');
}
