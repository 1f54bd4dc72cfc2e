/**
 * A small round-robin front for a cluster of handler processes (what a Function
 * URL's load balancer is to Lambda instances). It answers /v1/bootstrap itself so
 * clients keep coming back through it, and spreads every other request over the
 * live backends. A refused connection (the process is dead) is tried on the next
 * backend; a connection that breaks mid-request answers 503 NETWORK_ERROR, as a
 * Lambda instance dying mid-invocation would: the request may or may not have run.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Front {
  url: string;
  setBackends(urls: string[]): void;
  close(): Promise<void>;
}

const fail = (res: ServerResponse, message: string): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'NETWORK_ERROR', message, retriable: true } }));
};

export async function startFront(): Promise<Front> {
  let backends: string[] = [];
  let next = 0;
  let url = '';

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, tries: number): void => {
    const list = backends;
    if (list.length === 0 || tries >= list.length) return fail(res, 'no handler process reachable');
    const target = new URL(req.url ?? '/', list[next++ % list.length]);
    const out = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') forward(req, body, res, tries + 1);
      else fail(res, `handler process connection failed: ${error.code ?? error.message}`);
    });
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/v1/bootstrap') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ admin: url, produce: `${url}/_fn/produce`, fetch: `${url}/_fn/fetch`, groups: `${url}/_fn/groups` }));
        return;
      }
      forward(req, Buffer.concat(chunks), res, 0);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    setBackends(urls) {
      backends = [...urls];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
