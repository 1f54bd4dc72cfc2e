/**
 * The local cluster answers as a super user without credentials, so no web page may drive it:
 * a cross-site request (a form or no-cors POST, which needs no preflight) and a request through
 * a rebound DNS name are refused and change nothing; the SDK and curl are unaffected.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';

const env = useTestCluster();

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browsers and the local cluster', () => {
  it('refuses a cross-site POST and a rebound Host name with CLUSTER_AUTHORIZATION_FAILED, creating nothing; a same-origin or header-less call works', async () => {
    // Prepare
    const names = [uniqueName('csrf'), uniqueName('rebound'), uniqueName('plain'), uniqueName('same-origin')];
    const url = `${env.cluster.url}/v1/topics`;
    const host = new URL(env.cluster.url).host;
    const body = (name: string) => JSON.stringify({ name, partitions: 1 });

    // Act
    const crossSite = await post(url, { origin: 'https://evil.example' }, body(names[0]!));
    const rebound = await post(url, { host: `127.attacker.example:${new URL(env.cluster.url).port}`, 'content-type': 'application/json' }, body(names[1]!));
    const plain = await post(url, { 'content-type': 'application/json' }, body(names[2]!));
    const sameOrigin = await post(url, { origin: `http://${host}`, 'content-type': 'application/json' }, body(names[3]!));
    const listed = (await env.admin.listTopics()).map((t) => t.name);

    // Assess
    expect([crossSite.status, rebound.status]).toEqual([403, 403]);
    expect(JSON.parse(crossSite.text).error).toMatchObject({ code: 'CLUSTER_AUTHORIZATION_FAILED', message: 'cross-origin request from https://evil.example refused' });
    expect(JSON.parse(rebound.text).error.code).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect([plain.status, sameOrigin.status]).toEqual([201, 201]);
    expect(names.map((n) => listed.includes(n))).toEqual([false, false, true, true]);
  });
});
