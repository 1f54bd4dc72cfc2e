/** The bootstrap URL as users type it: Kafka's host:port means http; what is not a URL is refused when the client is made. */
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { normalizeBootstrap } from '../../../packages/client/src/bootstrap-url.js';
import { FloeHttpClient } from '../../../packages/client/src/http-client.js';
import { Admin } from '../../../packages/client/src/admin.js';
import { Consumer } from '../../../packages/client/src/consumer/consumer.js';
import { Producer } from '../../../packages/client/src/producer/producer.js';

describe('normalizeBootstrap', () => {
  it.each([
    ['127.0.0.1:9092', 'http://127.0.0.1:9092'],
    ['localhost:9092', 'http://localhost:9092'],
    ['[::1]:9092', 'http://[::1]:9092'],
    ['http://127.0.0.1:9092/', 'http://127.0.0.1:9092'],
    ['https://abc.lambda-url.eu-west-1.on.aws/', 'https://abc.lambda-url.eu-west-1.on.aws'],
  ])('takes %s as %s', (given, url) => {
    // Act and Assess
    expect(normalizeBootstrap(given)).toBe(url);
  });

  it.each([
    ['localhost', 'is not a URL'],
    ['9092', 'is not a URL'],
    ['ftp://host:21', 'is not an http(s) URL'],
    ['a:9092,b:9092', 'one bootstrap URL'],
    ['', 'is required'],
  ])('refuses %j with INVALID_CONFIG saying what to give', (given, says) => {
    // Act and Assess
    expect(() => normalizeBootstrap(given)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(says) }));
  });

  it('is applied by every client constructor, before any request', () => {
    // Act
    const made = [
      new FloeHttpClient('127.0.0.1:9092').bootstrap,
      new Admin({ bootstrap: '127.0.0.1:9092' }).http.bootstrap,
      new Consumer({ bootstrap: '127.0.0.1:9092' }).config.bootstrap,
    ];
    const refused = [
      () => new FloeHttpClient('not a url'),
      () => new Admin({ bootstrap: 'not a url' }),
      () => new Consumer({ bootstrap: 'not a url' }),
      () => new Producer({ bootstrap: 'not a url' }),
    ];

    // Assess
    expect(made).toEqual(Array(3).fill('http://127.0.0.1:9092'));
    for (const make of refused) expect(make).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('connection errors', () => {
  it('say "connection refused" and how to start a local cluster, not "fetch failed"', async () => {
    // Prepare: a port nobody listens on
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    server.close();
    const http = new FloeHttpClient(`127.0.0.1:${port}`);

    // Act
    const error = await http.functionUrls().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', message: expect.stringContaining(`connection refused at http://127.0.0.1:${port}; is the local cluster running (\`npm start\``) });
  });
});
