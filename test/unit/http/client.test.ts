// The shared HTTP layer against a real local server: retries, Retry-After, what may be retried,
// and clear errors for HTML answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ApiError, type FailureError, NetworkError, type RdpError } from '../../../src/errors/errors.js';
import { zenodo } from '../../../src/providers/zenodo/index.js';
import { IO } from '../../../src/output/io.js';
import { HttpClient, isLoopbackHost } from '../../../src/http/client.js';

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
  server.closeAllConnections();
  await agent.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  steps = [];
  seen = [];
});

function client(env: Record<string, string> = {}, baseUrl = base) {
  const err = new PassThrough();
  let log = '';
  err.on('data', (d) => (log += String(d)));
  const io = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: err }, {}, { debug: true });
  const http = new HttpClient({
    service: { id: 'zenodo', name: 'Zenodo', urlEnv: 'RDP_ZENODO_URL' },
    base: baseUrl,
    log: io,
    errorBody: zenodo.errorBody,
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

  test('a 404 HTML page or a redirect where the API should answer: the hint names the base and its variable', async () => {
    for (const step of [
      (_q: IncomingMessage, r: ServerResponse) => {
        r.writeHead(404, { 'content-type': 'text/html' });
        r.end('<!doctype html><title>Not Found</title>');
      },
      (_q: IncomingMessage, r: ServerResponse) => {
        r.writeHead(302, { location: '/login' });
        r.end();
      },
    ]) {
      steps = [step];
      const { http } = client();
      const err = (await http.json({ method: 'GET', path: '/deposit/depositions' }).catch((e: unknown) => e)) as ApiError;
      expect(err.code).toBe('API_ERROR');
      expect(err.hint).toBe(`Check that RDP_ZENODO_URL points at the Zenodo API; this base is ${base}.`);
    }
  });

  test('any other refusal without a reading of its own still names a next step', async () => {
    steps = [status(418, '{"message":"I am a teapot"}')];
    const { http } = client();
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as ApiError;
    expect(err.hint).toMatch(/--debug/);
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

/** A server that accepted the request and keeps the connection open without answering. */
const silent: Step = () => {};
/** Headers, then one byte every 20 ms, forever (until the client goes away). */
const trickle: Step = (_q, r) => {
  r.writeHead(200, { 'content-type': 'application/json' });
  r.write('[');
  const t = setInterval(() => r.write(' '), 20);
  r.on('close', () => clearInterval(t));
};

describe('hostile servers (limits shortened through the internal RDP_HTTP_* variables)', () => {
  test('a server that never answers: a note on stderr says what rdp waits for, then a TIMEOUT error after one retry', async () => {
    steps = [silent, silent, silent];
    const { http, log } = client({ RDP_HTTP_HEADERS_TIMEOUT_MS: '600', RDP_HTTP_NOTE_AFTER_MS: '100' });
    const err = (await http.json({ method: 'GET', path: '/deposit/depositions' }).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe('Zenodo accepted the connection but did not answer GET /api/deposit/depositions within 600 ms (2 attempts).');
    expect(seen).toHaveLength(2); // a timeout is retried once, not six times
    expect(log()).toMatch(/Still waiting for Zenodo to answer GET \/api\/deposit\/depositions \(\d+ ms so far\)\./);
  });

  test('a body that trickles one byte at a time ends at the deadline of the answer', async () => {
    steps = [trickle];
    const { http } = client({ RDP_HTTP_DEADLINE_MS: '500', RDP_HTTP_BODY_TIMEOUT_MS: '10000' });
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^Zenodo did not finish its answer to GET \/api\/x in time: \d+ B arrived within 500 ms\.$/);
  });

  test('a body that stops halfway ends at the body timeout', async () => {
    steps = [(_q, r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('{"a":');
    }];
    const { http, log } = client({ RDP_HTTP_BODY_TIMEOUT_MS: '700', RDP_HTTP_NOTE_AFTER_MS: '100' });
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as NetworkError;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toBe('Zenodo stopped sending its answer to GET /api/x (nothing for 700 ms).');
    expect(log()).toMatch(/Zenodo is slow to send its answer to GET \/api\/x: 5 B so far, nothing new for \d+ ms; still waiting\./);
  });

  test('an answer larger than the cap is refused: at once when announced, after the cap when streamed', async () => {
    steps = [(_q, r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-length': String(3 * 1024 ** 3) });
      r.write('[');
    }];
    const { http } = client({ RDP_HTTP_MAX_RESPONSE_BYTES: String(1024 * 1024) });
    const err = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('RESPONSE_TOO_LARGE');
    expect(err.message).toMatch(/^Zenodo answered GET \/api\/x with 3\.22 GB, more than rdp reads from an API \(1\.05 MB\); it stopped reading there\.$/);

    let written = 0;
    steps = [(_q, r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!r.destroyed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        r.end();
      };
      pump();
    }];
    const err2 = (await http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as ApiError;
    expect(err2.code).toBe('RESPONSE_TOO_LARGE');
    expect(err2.message).toMatch(/with more than 1\.05 MB/);
    expect(written).toBeLessThan(64 * 1024 * 1024); // rdp stopped reading; the server could not push it all
  });

  test('an upload keeps its long allowance for the answer after its last byte, with a note while it waits', async () => {
    steps = [(_q, r) => setTimeout(() => r.end('{"ok":true}'), 700)];
    const { http, log } = client({ RDP_HTTP_HEADERS_TIMEOUT_MS: '200', RDP_HTTP_NOTE_AFTER_MS: '100' });
    const res = await http.request({
      method: 'PUT',
      path: '/bucket/f',
      body: () => Readable.from([Buffer.from('hello')]),
      headers: { 'content-length': '5' },
      timeoutMs: 60_000,
      progress: { total: 5, sent: () => 5 },
    });
    expect(await http.text(res)).toBe('{"ok":true}');
    expect(log()).toMatch(/All 5 B sent to Zenodo; waiting for its answer to PUT \/api\/bucket\/f/);
  });
});

describe('where credentials may go', () => {
  test('an absolute link on another origin is refused before any credential is attached (FOREIGN_LINK)', async () => {
    const other = createServer((_q, r) => r.end('{}'));
    let hits = 0;
    other.on('request', () => (hits += 1));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const link = `http://localhost:${(other.address() as AddressInfo).port}/api/deposit/depositions/1/actions/publish`;
    const { http } = client();
    const err = (await http.json({ method: 'POST', path: link }).catch((e: unknown) => e)) as FailureError;
    expect(err.code).toBe('FOREIGN_LINK');
    expect(err.message).toMatch(/^Zenodo pointed rdp at another host \(localhost:\d+, for POST \/api\/deposit\/depositions\/1\/actions\/publish\); rdp does not send your Zenodo credentials there\. Nothing was sent\.$/);
    expect(hits).toBe(0);
    // without credentials (a public page, an OAuth endpoint) another origin is fine
    await http.json({ method: 'GET', path: link, anonymous: true });
    expect(hits).toBe(1);
    // a link on the base's own origin gets the credentials
    await http.json({ method: 'GET', path: `${base}/deposit/depositions/1` });
    expect(seen.at(-1)).toMatchObject({ url: '/api/deposit/depositions/1', auth: 'Bearer sekret-token' });
    // and so does another host of the same service named by the registry (ORCID's web host beside its API)
    const opts = (http as unknown as { opts: ConstructorParameters<typeof HttpClient>[0] }).opts;
    const both = new HttpClient({ ...opts, origins: [new URL(link).origin] });
    await both.json({ method: 'GET', path: link });
    expect(hits).toBe(2);
    await new Promise<void>((r) => other.close(() => r()));
  });

  test('plain http:// to another machine is refused before anything is sent, unless RDP_ALLOW_HTTP=1', async () => {
    const port = new URL(base).port;
    const remote = `http://0.0.0.0:${port}/api`; // not a loopback name, yet it reaches this machine
    const refused = (await client({}, remote).http.json({ method: 'GET', path: '/x' }).catch((e: unknown) => e)) as RdpError;
    expect(refused.code).toBe('INSECURE_URL');
    expect(refused.exitCode).toBe(2);
    expect(refused.message).toBe(`http://0.0.0.0:${port} is plain http:// to another machine: rdp does not send Zenodo credentials or data unencrypted. Nothing was sent.`);
    expect(refused.hint).toMatch(/RDP_ALLOW_HTTP=1/);
    expect(seen).toHaveLength(0);
    const { data } = await client({ RDP_ALLOW_HTTP: '1' }, remote).http.json<{ ok: boolean }>({ method: 'GET', path: '/x' });
    expect(data.ok).toBe(true);
    expect(seen).toHaveLength(1);
  });

  test.each([
    ['127.0.0.1', true],
    ['127.5.6.7', true],
    ['localhost', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['localhost.example.org', false],
    ['127.0.0.1.nip.io', false],
  ])('%s is loopback: %s', (host, loop) => {
    expect(isLoopbackHost(host)).toBe(loop);
  });
});
