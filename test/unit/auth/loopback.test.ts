// The loopback listener and the pieces of the browser flow, without the CLI: a real socket on
// 127.0.0.1, requests made with fetch.
import { request } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { browserArgv, openBrowser, splitCommand } from '../../../src/auth/browser.js';
import { callbackError, pastedUrl } from '../../../src/auth/browser-flow.js';
import { checkCallback, LoopbackServer } from '../../../src/auth/loopback.js';
import { RdpError } from '../../../src/errors/errors.js';

const opened: LoopbackServer[] = [];
afterEach(async () => {
  for (const l of opened.splice(0)) await l.close();
});

async function listener(stateParam = 'state'): Promise<LoopbackServer> {
  const l = await LoopbackServer.start({ port: 0, stateParam, providerName: 'Zenodo', portHint: 'choose another with --port N' });
  opened.push(l);
  return l;
}

describe('LoopbackServer', () => {
  test('binds 127.0.0.1 on a free port and gives the redirect URI', async () => {
    const l = await listener();
    expect(l.redirectUri).toBe(`http://127.0.0.1:${l.port}/callback`);
    expect(l.port).toBeGreaterThan(0);
  });

  test('only GET /callback with the right state is accepted; everything else is refused and it keeps waiting', async () => {
    const l = await listener();
    l.expect('the-state-value');
    const base = `http://127.0.0.1:${l.port}`;
    const got = l.next(new AbortController().signal);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${base}/callback/x`)).status).toBe(404);
    const wrong = await fetch(`${base}/callback?code=c&state=other`);
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(wrong.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/callback?code=c`)).status).toBe(400);
    expect((await fetch(`${base}/callback?code=c&state=the-state-value`, { method: 'DELETE' })).status).toBe(405);

    const pending = fetch(`${base}/callback?code=c0de&state=the-state-value`);
    const cb = await got;
    expect(cb.params.get('code')).toBe('c0de');
    cb.respond({ ok: false, title: 'Zenodo login failed', message: 'Provider said <script>alert(1)</script> & more' });
    const res = await pending;
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).not.toContain('<script>');
    // Closed after the first valid callback.
    await expect(fetch(`${base}/callback?code=c&state=the-state-value`)).rejects.toThrow();
  });

  test('a request naming another Host (DNS rebinding) gets no callback', async () => {
    const l = await listener();
    l.expect('s');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: l.port, path: '/callback?code=c&state=s', headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  test('OAuth 1.0a: the request token plays the part of the state', async () => {
    const l = await listener('oauth_token');
    l.expect('reqtoken123');
    const base = `http://127.0.0.1:${l.port}`;
    expect((await fetch(`${base}/callback?oauth_token=other&oauth_verifier=v`)).status).toBe(400);
    const got = l.next(new AbortController().signal);
    const pending = fetch(`${base}/callback?oauth_token=reqtoken123&oauth_verifier=v`);
    (await got).respond({ ok: true, title: 'Logged in', message: 'ok' });
    expect((await pending).status).toBe(200);
  });

  test('a busy port is a PORT_IN_USE error that says how to choose another', async () => {
    const l = await listener();
    const err = await LoopbackServer.start({ port: l.port, stateParam: 'state', providerName: 'Zenodo', portHint: 'choose another with --port N' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RdpError);
    expect((err as RdpError).code).toBe('PORT_IN_USE');
    expect((err as RdpError).message).toContain(`Port ${l.port} on 127.0.0.1 is already in use`);
    expect((err as RdpError).hint).toMatch(/--port/);
  });

  test('waiting ends when the signal aborts', async () => {
    const l = await listener();
    const ac = new AbortController();
    const p = l.next(ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});

describe('callbacks, pastes and errors', () => {
  test('checkCallback', () => {
    const u = (s: string) => new URL(`http://127.0.0.1:5000${s}`);
    expect(checkCallback('GET', u('/callback?state=a&code=b'), 'state', 'a').ok).toBe(true);
    expect(checkCallback('GET', u('/callback?state=a&code=b'), 'state', undefined)).toMatchObject({ ok: false, status: 400 });
    expect(checkCallback('GET', u('/callback?code=b'), 'state', 'a')).toMatchObject({ ok: false, status: 400 });
    expect(checkCallback('GET', u('/other?state=a'), 'state', 'a')).toMatchObject({ ok: false, status: 404 });
    expect(checkCallback('PUT', u('/callback?state=a'), 'state', 'a')).toMatchObject({ ok: false, status: 405 });
  });

  test('a pasted redirect may be the whole address or just its query', () => {
    const r = 'http://127.0.0.1:4000/callback';
    expect(pastedUrl('  http://127.0.0.1:4000/callback?code=x&state=y \n', r)?.searchParams.get('code')).toBe('x');
    expect(pastedUrl('"http://127.0.0.1:4000/callback?code=x&state=y"', r)?.searchParams.get('state')).toBe('y');
    expect(pastedUrl('code=x&state=y', r)?.toString()).toBe(`${r}?code=x&state=y`);
    expect(pastedUrl('?code=x&state=y', r)?.pathname).toBe('/callback');
    expect(pastedUrl('hello', r)).toBeUndefined();
    expect(pastedUrl('', r)).toBeUndefined();
  });

  test('callbackError: a denial is exit 4, other provider errors exit 1, provider text cleaned', () => {
    const p = (s: string) => new URLSearchParams(s);
    expect(callbackError(p('code=x&state=y'), 'Zenodo', 'rdp login zenodo')).toBeUndefined();
    const denied = callbackError(p('error=access_denied&state=y'), 'Zenodo', 'rdp login zenodo');
    expect(denied).toMatchObject({ code: 'AUTH_DENIED', exitCode: 4 });
    expect(callbackError(p('oauth_token=t&oauth_problem=user_refused'), 'Zotero', 'rdp login zotero')).toMatchObject({ exitCode: 4 });
    const other = callbackError(p('error=invalid_scope&error_description=Bad%0D%0Ascope%1B[31m'), 'DMPTool', 'rdp login dmptool');
    expect(other).toMatchObject({ code: 'OAUTH_ERROR', exitCode: 1 });
    expect(other?.message).toContain('invalid_scope: Bad scope');
    expect(other?.message).not.toMatch(/[\r\n\u001b]/);
  });
});

describe('opening a browser', () => {
  test('BROWSER is a command line; %s marks where the URL goes, else it comes last', () => {
    expect(splitCommand(`"/opt/My Browser/bin" --new-window 'a b' c\\ d`)).toEqual(['/opt/My Browser/bin', '--new-window', 'a b', 'c d']);
    expect(browserArgv('firefox', 'http://x/?a=1&b=2')).toEqual(['firefox', 'http://x/?a=1&b=2']);
    expect(browserArgv('open -a Safari %s --bg', 'http://x')).toEqual(['open', '-a', 'Safari', 'http://x', '--bg']);
  });

  test('nothing is opened without a terminal, or on Linux without a graphical session; a BROWSER that fails is reported', async () => {
    expect(await openBrowser('http://x', { env: {}, interactive: false })).toEqual({ opened: false, why: 'no terminal' });
    expect(await openBrowser('http://x', { env: {}, interactive: true, platform: 'linux' })).toMatchObject({ opened: false, why: expect.stringMatching(/DISPLAY/) });
    expect(await openBrowser('http://x', { env: { BROWSER: '/nonexistent/browser-command' }, interactive: false })).toMatchObject({ opened: false });
  });
});
