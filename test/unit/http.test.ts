// The shared HTTP layer against a real local server: retries, Retry-After, what may be retried,
// and clear errors for HTML answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ApiError, NetworkError } from '../../src/errors.js';
import { IO } from '../../src/output/io.js';
import { HttpClient } from '../../src/providers/http.js';

type Step = (req: IncomingMessage, res: ServerResponse) => void;
let steps: Step[] = [];
let seen: { method: string; url: string; auth?: string }[] = [];
let server: Server;
let base: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    req.resume();
    const step = steps.shift() ?? ((_q, r) => r.end('{"ok":true}'));
    req.on('end', () => step(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  await agent.close();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  steps = [];
  seen = [];
});

function client(env: Record<string, string> = {}) {
  const err = new PassThrough();
  let log = '';
  err.on('data', (d) => (log += String(d)));
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: err }, {}, { debug: true });
  const http = new HttpClient({
    provider: 'zenodo',
    base,
    io,
    signal: new AbortController().signal,
    dispatcher: async () => agent,
    env: { RDP_RETRY_BASE_MS: '5', ...env },
    auth: async () => ({ authorization: 'Bearer sekret-token' }),
  });
  io.secret('sekret-token');
  return { http, log: () => log };
}

const status = (code: number, body = '', headers: Record<string, string> = {}): Step => (_q, r) => {
  r.writeHead(code, { 'content-type': 'application/json', ...headers });
  r.end(body);
};

describe('HttpClient', () => {
  test('joins paths onto the base and sends the credentials', async () => {
    const { http } = client();
    const { data } = await http.json<{ ok: boolean }>({ method: 'GET', path: '/deposit/depositions', query: { size: 1, q: undefined } });
    expect(data).toEqual({ ok: true });
    expect(seen[0]).toEqual({ method: 'GET', url: '/api/deposit/depositions?size=1', auth: 'Bearer sekret-token' });
  });

  test('retries 5xx and 429, honouring Retry-After, then succeeds', async () => {
    steps = [status(503), status(429, '', { 'retry-after': '0' }), status(502)];
    const { http, log } = client();
    const { data } = await http.json<{ ok: boolean }>({ method: 'GET', path: '/x' });
    expect(data.ok).toBe(true);
    expect(seen).toHaveLength(4);
    expect(log()).toMatch(/answered 503; retrying in/);
    expect(log()).not.toContain('sekret-token');
  });

  test('a POST is not repeated after a 500 (the server may have acted), but is after a 503', async () => {
    steps = [status(500, '{"status":500,"message":"boom"}')];
    const { http } = client();
    await expect(http.json({ method: 'POST', path: '/deposit/depositions', json: {} })).rejects.toThrow(/answered 500 to POST \/deposit\/depositions: boom/);
    expect(seen).toHaveLength(1);
    steps = [status(503)];
    await http.json({ method: 'POST', path: '/deposit/depositions', json: {} });
    expect(seen).toHaveLength(3);
  });

  test('gives up after the attempts allowed, with the last status', async () => {
    steps = [status(503), status(503), status(503)];
    const { http } = client({ RDP_HTTP_RETRIES: '3' });
    const err = await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  test('a connection cut mid-response is retried for GET', async () => {
    steps = [(req) => req.socket.destroy()];
    const { http } = client();
    const { data } = await http.json<{ ok: boolean }>({ method: 'GET', path: '/x' });
    expect(data.ok).toBe(true);
  });

  test('an HTML answer where JSON is expected is a BAD_RESPONSE error naming the base', async () => {
    steps = [(_q, r) => r.end('<html><body>maintenance</body></html>')];
    const { http } = client();
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toMatch(/an HTML page/);
    expect(err.hint).toMatch(/RDP_ZENODO_URL/);
  });

  test('a Retry-After longer than rdp will wait is reported, not slept through', async () => {
    steps = [status(429, '{"status":429,"message":"slow down"}', { 'retry-after': '3600' })];
    const { http } = client({ RDP_MAX_RETRY_AFTER_MS: '1000' });
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.hint).toMatch(/Try again in 60 min/);
    expect(seen).toHaveLength(1);
  });

  test('an unreachable server is a NetworkError', async () => {
    const { http } = client({ RDP_HTTP_RETRIES: '2' });
    const far = new HttpClient({ ...(http as unknown as { opts: ConstructorParameters<typeof HttpClient>[0] }).opts, base: 'http://127.0.0.1:9' });
    await expect(far.json({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(NetworkError);
  });
});
