// A server whose every answer the test scripts (node:http on 127.0.0.1, port 0), and an HttpClient for a
// provider pointed at it: for provider clients tested against independent doubles, whose answers are
// the recorded facts of the real services (test/contract/<provider>/*.json), not the emulator's.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { HttpClient } from '../../src/http/client.js';
import { IO } from '../../src/output/io.js';
import type { Provider } from '../../src/providers/types.js';
import { ROOT } from './sandbox.js';

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse, url: URL) => void;

export interface Scripted {
  origin: string;
  /** What the server received: method, path with query, body. */
  seen: { method: string; path: string; body: string }[];
  on(handler: Handler): void;
  client(p: Provider, base?: string, env?: Record<string, string>): HttpClient;
  close(): Promise<void>;
}

export async function scriptedServer(): Promise<Scripted> {
  let handler: Handler = (_q, r) => r.writeHead(500).end();
  const seen: Scripted['seen'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, body });
      handler(Object.assign(req, { body }), res, url);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent();
  return {
    origin,
    seen,
    on: (h) => {
      handler = h;
      seen.length = 0;
    },
    client: (p, base = origin, env = {}) =>
      new HttpClient({
        service: { id: p.id, name: p.name, urlEnv: p.env.url },
        base,
        log: new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, {}),
        errorBody: p.errorBody,
        signal: new AbortController().signal,
        dispatcher: async () => agent,
        env: { RDP_HTTP_RETRIES: '1', ...env },
        auth: async () => p.auth.header('tkn'),
      }),
    close: async () => {
      await agent.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A recorded fact (test/contract/<provider>/<file>.json). */
export function fixture<T>(rel: string): T {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'contract', rel), 'utf8')) as T;
}
