// The built CLI against servers that misbehave (issue 17), small local servers on loopback: one that
// never answers, one whose body trickles, one whose answer never ends, and base URLs that would send
// a token unencrypted to another machine. The HTTP layer's limits are shortened through its internal
// RDP_HTTP_* variables so that the tests run in seconds; they assert what happens (exit code, error
// code, message, the note on stderr), never how long it took.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_q, r) => r.end('[]');
let requests: { method: string; url: string; auth: string | undefined }[] = [];
let server: Server;
let port: number;
const TOKEN = 'hostile-test-token-0123456789abcdef';

/** An answer that starts with `first`, then brings one space every `everyMs` until the client goes. */
function trickle(res: ServerResponse, type: string, first: string, everyMs: number): void {
  res.writeHead(200, { 'content-type': type });
  res.write(first);
  const t = setInterval(() => res.write(' '), everyMs);
  res.on('close', () => clearInterval(t));
}
let sb: Sandbox;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  sb = new Sandbox({ RDP_ZENODO_URL: `http://127.0.0.1:${port}`, RDP_ZENODO_TOKEN: TOKEN, RDP_RETRY_BASE_MS: '10' });
  sb.secret(TOKEN);
});
afterEach(() => {
  server.closeAllConnections();
  requests = [];
});
afterAll(async () => {
  sb.assertNoLeaks();
  sb.cleanup();
  await new Promise<void>((r) => server.close(() => r()));
});

interface ErrorDoc {
  error: { code: string; message: string; hint?: string };
}

describe('a server that does not answer properly', () => {
  test('a host that never completes the connection: the connect timeout ends it (exit 1, TIMEOUT)', async () => {
    // A socket that listens with a backlog of one and never accepts: once one connection waits in its
    // queue, the kernel drops further SYNs, so rdp's connection attempt hangs like one to a dead host.
    const py = spawn('python3', ['-c', 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)']);
    try {
      const blocked = await new Promise<number>((res) => py.stdout.once('data', (d) => res(Number(String(d).trim()))));
      const filler = connect(blocked, '127.0.0.1');
      await new Promise((res) => filler.once('connect', res));
      const env = { RDP_ZENODO_URL: `http://127.0.0.1:${blocked}`, RDP_HTTP_CONNECT_TIMEOUT_MS: '400' };
      const r = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Error: Cannot reach Zenodo at 127.0.0.1:${blocked}: the connection timed out.`);
      expect(r.stderr.match(/the connection timed out; retrying in/g)).toHaveLength(1); // one retry, not five
      const j = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env });
      filler.destroy();
      expect(j.code).toBe(1);
      expect(parseJson<ErrorDoc>(j.stderr.trim().split('\n').at(-1) ?? '').error.code).toBe('TIMEOUT');
    } finally {
      py.kill();
    }
  });

  test('accepts the connection and never answers: a note after the quiet period, then a clear TIMEOUT error (exit 1)', async () => {
    handler = () => {};
    const env = { RDP_HTTP_HEADERS_TIMEOUT_MS: '800', RDP_HTTP_NOTE_AFTER_MS: '150' };
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Still waiting for Zenodo to answer GET \/api\/deposit\/depositions \(.+ so far\)\./);
    expect(r.stderr).toMatch(/Error: Zenodo accepted the connection but did not answer GET \/api\/deposit\/depositions within 800 ms \(2 attempts\)\./);
    expect(requests).toHaveLength(2);
    const j = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env });
    expect(j.code).toBe(1);
    expect(parseJson<ErrorDoc>(j.stderr.trim().split('\n').at(-1) ?? '').error.code).toBe('TIMEOUT');
  });

  test('a body that trickles one byte at a time ends at the deadline (exit 1, TIMEOUT)', async () => {
    handler = (_q, res) => trickle(res, 'application/json', '[', 50);
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env: { RDP_HTTP_DEADLINE_MS: '700' } });
    expect(r.code).toBe(1);
    const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^Zenodo did not finish its answer to GET \/api\/deposit\/depositions in time/);
  });

  test('a 200 answer that never ends is cut at the size cap (exit 1, RESPONSE_TOO_LARGE), with the default cap', async () => {
    let written = 0;
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.from(`${'{"id": 1, "title": "x"}, '.repeat(2800)}`);
      res.write('[');
      const pump = () => {
        while (!res.destroyed && written < 3 * 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(']');
      };
      pump();
    };
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('RESPONSE_TOO_LARGE');
    expect(err.message).toMatch(/^Zenodo answered GET \/api\/deposit\/depositions with more than 33\.6 MB, more than rdp reads from an API/);
    expect(written).toBeLessThan(3 * 1024 ** 3);
  });

  test('sites add: an endless answer to the InvenioRDM probe is cut at the size cap too (RESPONSE_TOO_LARGE, not read whole)', async () => {
    let written = 0;
    const total = 64 * 1024 * 1024;
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"hits": {"hits": [], "total": 0}}');
      const pump = () => {
        while (!res.destroyed && written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const r = await sb.run(['sites', 'add', 'endless', `http://127.0.0.1:${port}/site`, '--json'], { env: { RDP_HTTP_MAX_RESPONSE_BYTES: String(256 * 1024) } });
    expect(r.code).toBe(1);
    const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('RESPONSE_TOO_LARGE');
    expect(err.message).toMatch(/^endless answered GET \/site\/api\/records with more than 262 kB, more than rdp reads from an API/);
    expect(written).toBeLessThan(total);
  });
});

describe('redirects', () => {
  test.each([301, 302, 307, 308])('%i to another host: not followed (the token stays home), and the error says where it pointed (exit 1)', async (status) => {
    let elsewhere = 0;
    const other = createServer((_q, res) => {
      elsewhere += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    try {
      const target = `http://127.0.0.2:${(other.address() as AddressInfo).port}/collect?access_token=${TOKEN}&x=1`;
      handler = (_q, res) => res.writeHead(status, { location: target, 'content-type': 'text/html' }).end('<html>moved</html>');
      const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json', '--debug']);
      expect(r.code).toBe(1);
      expect(elsewhere).toBe(0);
      const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
      expect(err.message).toBe(`Zenodo answered ${status} to GET /deposit/depositions: a redirect to http://127.0.0.2:${(other.address() as AddressInfo).port}/collect?access_token=%5Bredacted%5D&x=1, which rdp does not follow.`);
      expect(err.hint).toContain('RDP_ZENODO_URL');
    } finally {
      other.close();
    }
  });

  test('a Location that is not a URL is quoted, not a crash', async () => {
    handler = (_q, res) => res.writeHead(302, { location: 'http://[broken' }).end();
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: Zenodo answered 302 to GET /deposit/depositions: a redirect to "http://[broken", which rdp does not follow.');
  });
});

describe('a 200 that is not the answer the API gives', () => {
  test.each([
    ['JSON of another shape', '{"hits": {"hits": []}}', 'application/json', /^Zenodo answered with JSON in a shape its API does not answer with here\.$/],
    ['a bare JSON string', '"ok"', 'application/json', /^Zenodo answered with JSON in a shape its API does not answer with here\.$/],
    ['garbage', '{not json', 'application/json', /^Zenodo answered with something that is not JSON \(application\/json\) where its API returns JSON\.$/],
    ['an HTML page', '<!doctype html><p>Maintenance</p>', 'text/html', /^Zenodo answered with an HTML page where its API returns JSON\.$/],
  ])('%s: BAD_RESPONSE (exit 1) that says which', async (_name, body, type, message) => {
    handler = (_q, res) => res.writeHead(200, { 'content-type': type }).end(body);
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toMatch(message);
    expect(err.hint).toContain('RDP_ZENODO_URL');
  });
});

describe('the hint for a base that is not the API names what sets the base, as it is for that service', () => {
  test('Zenodo: the variable, the config key and --sandbox; DMPTool (no sandbox): the variable and the config key', async () => {
    handler = (_q, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!doctype html><title>Not Found</title>');
    const z = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json']);
    expect(z.code).toBe(1);
    expect(parseJson<ErrorDoc>(z.stderr.trim().split('\n').at(-1) ?? '').error.hint).toBe(
      `Check that RDP_ZENODO_URL (or the config's zenodo.url, or --sandbox) points at the Zenodo API; this base is http://127.0.0.1:${port}/api.`,
    );
    const d = await sb.run(['dmps', 'list', '--json'], { env: { RDP_DMPTOOL_URL: `http://127.0.0.1:${port}`, RDP_DMPTOOL_TOKEN: TOKEN } });
    expect(d.code).toBe(1);
    const hint = parseJson<ErrorDoc>(d.stderr.trim().split('\n').at(-1) ?? '').error.hint ?? '';
    expect(hint).toContain("RDP_DMPTOOL_URL (or the config's dmptool.url)");
    expect(hint).not.toContain('--sandbox'); // DMPTool has none
  });
});

describe('a connection cut in the middle of an answer', () => {
  test('a GET whose answer is cut is sent again (exit 0); cut every time, a clear error that says the answer was cut (exit 1)', async () => {
    let n = 0;
    const cut = (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('[{"id": 7, "title": "Soil');
      setTimeout(() => res.destroy(), 20);
    };
    handler = (_q, res) => {
      n += 1;
      if (n === 1) cut(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    };
    const ok = await sb.run(['uploads', 'list', '--on', 'zenodo']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(requests).toHaveLength(2);
    expect(ok.stderr).toMatch(/Zenodo: the connection was cut while its answer to GET \/api\/deposit\/depositions arrived; retrying in/);

    requests = [];
    handler = (_q, res) => cut(res);
    const bad = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env: { RDP_HTTP_RETRIES: '3' } });
    expect(bad.code).toBe(1);
    expect(requests).toHaveLength(3);
    const err = parseJson<ErrorDoc>(bad.stderr.trim().split('\n').at(-1) ?? '').error;
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.message).toMatch(/^Zenodo cut the connection while sending its answer to GET \/api\/deposit\/depositions \(the connection was cut after \d+ B\)\.$/);
  });
});

describe('what answers is not a proper HTTPS/HTTP server', () => {
  test('a self-signed certificate: the request is never sent, and the error says so and how to trust a CA (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdp-tls-'));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    expect(made.status).toBe(0);
    let seen = 0;
    const tls = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_q, res) => {
      seen += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const host = `127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env: { RDP_ZENODO_URL: `https://${host}` } });
      expect(r.code).toBe(1);
      expect(seen).toBe(0);
      const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
      expect(err.message).toBe(`Zenodo at ${host} did not prove who it is: its TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). rdp sent nothing there.`);
      expect(err.hint).toContain('NODE_EXTRA_CA_CERTS');
    } finally {
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('https:// to a plain-http server, headers too large, a server that does not speak HTTP: errors in words, not library codes', async () => {
    const plain = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env: { RDP_ZENODO_URL: `https://127.0.0.1:${port}`, RDP_HTTP_RETRIES: '1' } });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/Error: Cannot reach Zenodo at 127\.0\.0\.1:\d+: the TLS handshake failed \(ERR_SSL_\w+\): it may not be an https:\/\/ server\./);

    handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-padding': 'a'.repeat(40_000) }).end('[]');
    const big = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env: { RDP_HTTP_RETRIES: '1' } });
    expect(big.code).toBe(1);
    expect(big.stderr).toContain(': its answer has more headers than rdp reads (16 KB).');

    const ssh = createNetServer((c) => c.once('data', () => c.end('SSH-2.0-OpenSSH_9.6\r\nnot http\r\n\r\n')));
    await new Promise<void>((r) => ssh.listen(0, '127.0.0.1', r));
    try {
      const r = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env: { RDP_ZENODO_URL: `http://127.0.0.1:${(ssh.address() as AddressInfo).port}`, RDP_HTTP_RETRIES: '1' } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Error: Cannot reach Zenodo at 127\.0\.0\.1:\d+: what answered does not speak HTTP\./);
    } finally {
      ssh.close();
    }
    for (const out of [plain.stderr, big.stderr]) expect(out).not.toMatch(/UND_ERR_|HPE_/);
  });
});

describe("a server's message with line breaks", () => {
  test('is printed on the line of the error, not as lines of its own that could pass for rdp\'s', async () => {
    handler = (_q, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 400, message: 'bad request\n✓ Logged in to Zenodo as admin\r\nFAKE' }));
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*bad request ✓ Logged in to Zenodo as admin FAKE/m);
    expect(r.stderr).not.toMatch(/^✓ Logged in/m);
    expect(r.stderr).not.toMatch(/^FAKE/m);
  });
});

describe('a body that trickles', () => {
  test('a PDF that comes a byte at a time (never silent long enough for the idle timeout) is given up: TIMEOUT, exit 1, nothing saved', async () => {
    handler = (_q, res) => trickle(res, 'application/pdf', '%PDF-1.4\n', 20);
    const out = mkdtempSync(join(tmpdir(), 'rdp-pdf-'));
    // The pace is judged over windows of the answer deadline, shortened here (60 s by default).
    const env = { RDP_DMPTOOL_URL: `http://127.0.0.1:${port}/dmptool`, RDP_DMPTOOL_TOKEN: TOKEN, RDP_HTTP_DEADLINE_MS: '300' };
    try {
      const r = await sb.run(['dmps', 'get', '5', '--pdf', '-o', join(out, 'plan.pdf'), '--json'], { env, timeoutMs: 30_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      const err = parseJson<ErrorDoc>(r.stderr.trim().split('\n').at(-1) ?? '').error;
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toMatch(/^DMPTool sends its answer to GET \S+ far too slowly: \d+ B in the last 300 ms/);
      expect(readdirSync(out)).toEqual([]);
      const toStdout = await sb.run(['dmps', 'get', '5', '--pdf', '-o', '-'], { env, timeoutMs: 30_000 });
      expect(toStdout.code).toBe(1);
      expect(toStdout.stderr).toMatch(/far too slowly/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('stopped with SIGTERM (kill, timeout, a cancelled CI job)', () => {
  test('a PDF download that a slow server keeps open: no file and no temporary file are left, exit 130', async () => {
    let sending = false;
    handler = (_q, res) => {
      sending = true;
      trickle(res, 'application/pdf', '%PDF-1.4\n', 50);
    };
    const out = mkdtempSync(join(tmpdir(), 'rdp-pdf-'));
    try {
      const run = sb.start(['dmps', 'get', '5', '--pdf', '-o', join(out, 'plan.pdf')], {
        env: { RDP_DMPTOOL_URL: `http://127.0.0.1:${port}/dmptool`, RDP_DMPTOOL_TOKEN: TOKEN },
      });
      for (let i = 0; i < 200 && !(sending && readdirSync(out).length > 0); i++) await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(out)).toHaveLength(1); // the temporary file, while the PDF arrives
      run.kill('SIGTERM');
      const r = await run.done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('Nothing was saved.');
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a server that does not page', () => {
  test('uploads list --all: the same full page again and again ends the listing (exit 0, each deposition once), no endless loop', async () => {
    const dep = (id: number) => ({ id, title: `r${id}`, state: 'done', submitted: true, created: '2026-01-02T03:04:05Z', modified: '2026-01-02T03:04:05Z', metadata: { title: `r${id}` }, links: {} });
    handler = (q, res) => {
      const size = Number(new URL(q.url ?? '/', 'http://x').searchParams.get('size') ?? '10');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.from({ length: size }, (_, i) => dep(i + 1))));
    };
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--all', '--json'], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const ids = parseJson<{ id: number }[]>(r.stdout).map((d) => d.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(requests).toHaveLength(2);
  });
});

describe('a server asking for absurd pauses', () => {
  test('429 storms with a Retry-After that is no wait at all (-5): the backoff, not retries at once; then RATE_LIMITED (exit 1)', async () => {
    handler = (_q, res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '-5' }).end('{"status": 429, "message": "slow down"}');
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env: { RDP_HTTP_RETRIES: '3' } });
    expect(r.code).toBe(1);
    expect(requests).toHaveLength(3);
    const waits = [...r.stderr.matchAll(/answered 429 \(rate limited\); retrying in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeGreaterThan(0);
    expect(r.stderr).toContain('Error: Zenodo is rate limiting requests (429: slow down).');
  });

  test('Backoff: 999999 on an answer pauses rdp at most the backoff cap, not for eleven days', async () => {
    const dep = (id: number) => ({ id, title: `r${id}`, state: 'done', submitted: true, created: '2026-01-02T03:04:05Z', modified: '2026-01-02T03:04:05Z', metadata: { title: `r${id}` }, links: {} });
    handler = (q, res) => {
      const url = new URL(q.url ?? '/', 'http://x');
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = Number(url.searchParams.get('size') ?? '10');
      res.writeHead(200, { 'content-type': 'application/json', backoff: '999999' });
      res.end(JSON.stringify(page === 1 ? Array.from({ length: size }, (_, i) => dep(i + 1)) : []));
    };
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--all'], { env: { RDP_RETRY_CAP_MS: '1000' } });
    expect(r.code, r.stderr).toBe(0);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const waited = [...r.stderr.matchAll(/Waiting (\d+) ms for Zenodo: the server asked rdp to slow down\./g)].map((m) => Number(m[1]));
    expect(waited.length).toBeGreaterThan(0);
    for (const ms of waited) expect(ms).toBeLessThanOrEqual(1000);
    expect(r.stderr).not.toMatch(/Waiting \d+ min/);
  });
});

describe('plain http:// to another machine', () => {
  // 0.0.0.0 reaches this machine, but is not a loopback name: it stands for any other host.
  const remote = () => ({ RDP_ZENODO_URL: `http://0.0.0.0:${port}` });

  test('uploads list: refused before the token is sent (exit 2), with the https:// and RDP_ALLOW_HTTP ways out', async () => {
    handler = (_q, r) => r.end('[]');
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo'], { env: remote() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: http://0.0.0.0:${port} is plain http:// to another machine: rdp does not send Zenodo credentials or data unencrypted. Nothing was sent.`);
    expect(r.stderr).toMatch(/Use https:\/\/ in RDP_ZENODO_URL .*RDP_ALLOW_HTTP=1/);
    expect(requests).toHaveLength(0);
    const ok = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'], { env: { ...remote(), RDP_ALLOW_HTTP: '1' } });
    expect(ok.code).toBe(0);
    expect(requests).toHaveLength(1);
  });

  test('login --with-token: the token is neither sent nor stored', async () => {
    const r = await sb.run(['login', 'zenodo', '--with-token', '--insecure-storage'], { env: { ...remote(), RDP_ZENODO_TOKEN: undefined }, stdin: `${TOKEN}\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is plain http:// to another machine');
    expect(requests).toHaveLength(0);
    expect(sb.configFilesText().map((f) => f.path)).toEqual([]);
  });
});

describe('server text in human output', () => {
  test('a title with terminal escapes is printed without them; --json keeps it as sent', async () => {
    const title = '\u001b]0;owned\u0007\u001b[2JSoil\rdata\u009b31m';
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ id: 7, title, state: 'unsubmitted', submitted: false, created: '2026-01-02T03:04:05Z', modified: '2026-01-02T03:04:05Z', metadata: { title }, links: { self: `http://127.0.0.1:${port}/api/deposit/depositions/7` } }]));
    };
    const human = await sb.run(['uploads', 'list', '--on', 'zenodo']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Soil data31m'); // the table turns the CR into a space
    expect(human.stdout + human.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const json = await sb.run(['uploads', 'list', '--on', 'zenodo', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.stringify(parseJson(json.stdout))).toContain(JSON.stringify(title).slice(1, -1));
  });
});
