// The loopback listener, the pasted redirect modes and the protocol around them, end to end (the built
// CLI against the emulator; a plain-HTTP "browser" plays the person): wrong or missing state (400, and
// rdp keeps waiting), other paths (404), a replayed code, Zenodo's exact redirect matching, Zenodo's
// 100-second codes (the emulator's clock moved forward), the timeout, a busy port, --no-browser with the
// redirect pasted through a pty and through stdin, DMPTool's out-of-band code, an https redirect, a
// tampered id_token, a bad Zotero signature, client configuration, and the flags' checks. Tokens go to
// the 0600 file here (--insecure-storage), so these tests need no Secret Service.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FormBrowser } from '../helpers/browser.js';
import { AUTHORIZE_LINE, client, emulatorSecrets, oauthFixture, registerClient } from '../helpers/oauth.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

const fx = oauthFixture();
const FILE = ['--insecure-storage'];

function tokensFile(): Record<string, unknown> {
  const p = join(fx.sb.configDir, 'rdp', 'tokens.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { credentials: Record<string, unknown> }).credentials : {};
}

function parts(authorizeUrl: string): { redirect: string; state: string; port: number } {
  const u = new URL(authorizeUrl);
  const redirect = u.searchParams.get('redirect_uri') ?? '';
  return { redirect, state: u.searchParams.get('state') ?? '', port: Number(new URL(redirect).port) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function control(path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${fx.emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) });
  return r.json();
}

describe('the loopback listener', () => {
  test('a wrong state, a forged callback without state and other paths are refused while rdp keeps waiting; the right one logs in', async () => {
    const run = fx.sb.run(['login', 'zenodo', '--debug', ...FILE]);
    const url = await fx.sink.next();
    const { redirect, state, port } = parts(url);
    expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(state.length).toBeGreaterThanOrEqual(43);
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');

    const wrong = await fetch(`${redirect}?code=abc&state=${state.slice(0, -2)}xy`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/not the login rdp is waiting for/);
    const forged = await fetch(`${redirect}?error=access_denied`);
    expect(forged.status).toBe(400);
    expect((await fetch(`${redirect}?code=abc`)).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`${redirect}?code=x&state=${state}`, { method: 'POST' })).status).toBe(405);

    const ok = await FormBrowser.consent(url, 'approve', { follow: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/Logged in to Zenodo/);
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Logged in to Zenodo/);
    // --debug shows the requests and the listener's traffic, never a code, the state or a token.
    expect(r.stderr).toMatch(/\[debug\] → POST http:\/\/127\.0\.0\.1:\d+\/zenodo\/oauth\/token/);
    expect(r.stderr).toMatch(/\[debug\] loopback: refused a callback \(the state does not match/);
    expect(r.stderr.split(state).length).toBe(2); // only in the printed authorize URL
    expect(tokensFile()[fx.emu.account('zenodo')]).toBeDefined();
    // The listener closed after the first valid callback.
    await expect(fetch(`${redirect}?code=x&state=${state}`)).rejects.toThrow();
  });

  test('a replayed authorization code is refused (exit 4), its message is redacted, and nothing new is stored', async () => {
    const first = fx.sb.run(['login', 'orcid', ...FILE]);
    const url1 = await fx.sink.next();
    const consent = await FormBrowser.consent(url1, 'approve');
    const code1 = new URL(consent.location).searchParams.get('code') ?? '';
    expect((await fetch(consent.location)).status).toBe(200);
    expect((await first).code).toBe(0);
    const before = JSON.stringify(tokensFile());

    const second = fx.sb.run(['login', 'orcid', ...FILE]);
    const { redirect, state } = parts(await fx.sink.next());
    const replay = await fetch(`${redirect}?code=${code1}&state=${state}`);
    expect(replay.status).toBe(400);
    const page = await replay.text();
    expect(page).toMatch(/ORCID login failed/);
    expect(page).not.toContain(code1);
    const r = await second;
    expect(r.code).toBe(4);
    // ORCID names the code in its error; rdp's output shows it redacted.
    expect(r.stderr).toMatch(/refused the authorization code \(400: invalid_grant: Reused authorization code: \[redacted\]\)/);
    expect(JSON.stringify(tokensFile())).toBe(before);
  });

  test("Zenodo matches redirect URIs exactly: a client registered for another port sends the browser to Zenodo's error page, and rdp's timeout names the URI to register", async () => {
    const fixed = await registerClient(fx.emu, { service: 'zenodo', name: 'fixed-port app', redirectUris: ['http://127.0.0.1:9/callback'] });
    fx.sb.secret(fixed.clientSecret);
    const run = fx.sb.run(['login', 'zenodo', '--timeout', '2s', '--json', ...FILE], {
      env: { RDP_ZENODO_CLIENT_ID: fixed.clientId, RDP_ZENODO_CLIENT_SECRET: fixed.clientSecret },
    });
    const page = await fetch(await fx.sink.next());
    expect(new URL(page.url).pathname).toBe('/zenodo/oauth/errors');
    expect(new URL(page.url).searchParams.get('error')).toBe('mismatching_redirect_uri');
    const r = await run;
    expect(r.code).toBe(1);
    const err = parseJson<{ error: { code: string; hint: string } }>(r.stderr.trim().split('\n').pop() ?? '');
    expect(err.error.code).toBe('LOGIN_TIMEOUT');
    expect(err.error.hint).toMatch(/Zenodo matches redirect URIs exactly, port included/);
    expect(err.error.hint).toContain('http://127.0.0.1:21930/callback');
    expect(err.error.hint).toMatch(/--port/);
  });

  test("Zenodo's codes live 100 s: pasted later (the emulator's clock moved on), the code is refused with a hint to paste promptly", async () => {
    const run = fx.sb.start(['login', 'zenodo', '--no-browser', ...FILE]);
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    const { location } = await FormBrowser.consent(url, 'approve');
    await control('/clock', { advanceMs: 101_000 });
    run.write(`${location}\n`);
    const r = await run.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Zenodo refused the authorization code \(400: invalid_grant/);
    expect(r.stderr).toMatch(/only for about 100 seconds after you approve/);
    // Within the 100 s, the same steps log in.
    const again = fx.sb.start(['login', 'zenodo', '--no-browser', ...FILE]);
    const url2 = (await again.waitFor(AUTHORIZE_LINE))[1] as string;
    const ok = await FormBrowser.consent(url2, 'approve');
    await control('/clock', { advanceMs: 99_000 });
    again.write(`${ok.location}\n`);
    expect((await again.done).code).toBe(0);
    await control('/clock', { offsetMs: 0 });
  });

  test('--timeout: with nobody at the browser rdp gives up (exit 1) and frees the port', async () => {
    const run = fx.sb.start(['login', 'zenodo', '--no-browser', '--timeout', '1s', ...FILE]);
    const m = await run.waitFor(AUTHORIZE_LINE);
    const r = await run.done;
    // The timeout logic is timed on an injected clock in test/unit/auth/browser-flow.test.ts; here the
    // built CLI ends (the run is killed after 30 s otherwise, which fails it) with its error.
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No answer from the browser within 1\.0 s/);
    const { redirect } = parts(m[1] as string);
    await expect(fetch(redirect)).rejects.toThrow();
  });

  test('a busy port is a clear error naming --port (and the config key when that chose it)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await fx.sb.run(['login', 'zenodo', '--port', String(port), ...FILE]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toMatch(/--port/);
      expect(fx.sink.received.length).toBeGreaterThan(0); // earlier tests only; this one opened nothing
      const before = fx.sink.received.length;
      expect((await fx.sb.run(['config', 'set', 'zenodo.port', String(port)])).code).toBe(0);
      const c = await fx.sb.run(['login', 'zenodo', '--json', ...FILE]);
      expect(c.code).toBe(1);
      const err = parseJson<{ error: { code: string; hint: string } }>(c.stderr);
      expect(err.error.code).toBe('PORT_IN_USE');
      expect(err.error.hint).toMatch(/rdp config set zenodo\.port/);
      expect(fx.sink.received.length).toBe(before);
    } finally {
      await fx.sb.run(['config', 'set', 'zenodo.port', '0']);
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  test('--port fixes the redirect URI; the config key <id>.port does too', async () => {
    const port = await freePort();
    const run = fx.sb.run(['login', 'orcid', '--port', String(port), ...FILE]);
    const url = await fx.sink.next();
    expect(parts(url).redirect).toBe(`http://127.0.0.1:${port}/callback`);
    await FormBrowser.consent(url, 'approve', { follow: true });
    expect((await run).code).toBe(0);

    const port2 = await freePort();
    await fx.sb.run(['config', 'set', 'orcid.port', String(port2)]);
    const run2 = fx.sb.run(['login', 'orcid', ...FILE]);
    const url2 = await fx.sink.next();
    expect(parts(url2).redirect).toBe(`http://127.0.0.1:${port2}/callback`);
    await FormBrowser.consent(url2, 'approve', { follow: true });
    expect((await run2).code).toBe(0);
    await fx.sb.run(['config', 'unset', 'orcid.port']);
    expect((await fx.sb.run(['config', 'set', 'orcid.port', '70000'])).code).toBe(2);
  });

  test('--redirect-uri with a 127.0.0.1 URI chooses port and path (here a DMPTool development deployment, which allows http)', async () => {
    const port = await freePort();
    const uri = `http://127.0.0.1:${port}/dmp-cb`;
    const dev = await registerClient(fx.emu, { service: 'dmptool', redirectUris: [uri], development: true, name: 'dev app' });
    fx.sb.secret(dev.clientSecret);
    const run = fx.sb.run(['login', 'dmptool', '--redirect-uri', uri, ...FILE], { env: { RDP_DMPTOOL_CLIENT_ID: dev.clientId, RDP_DMPTOOL_CLIENT_SECRET: dev.clientSecret } });
    const url = await fx.sink.next();
    expect(parts(url).redirect).toBe(uri);
    expect((await fetch(`http://127.0.0.1:${port}/callback?code=x&state=${parts(url).state}`)).status).toBe(404);
    const res = await FormBrowser.consent(url, 'approve', { follow: true });
    expect(res.status).toBe(200);
    expect((await run).code).toBe(0);
  });
});

describe("DMPTool's out-of-band login and the https redirect: the code or the address, pasted", () => {
  test('DMPTool asks for public read_dmps with the out-of-band URI; the code DMPTool shows, on stdin, logs in; the commands then work', async () => {
    await fx.sb.run(['logout', 'dmptool']);
    const run = fx.sb.start(['login', 'dmptool', '--no-browser', ...FILE]);
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    const q = new URL(url).searchParams;
    expect(q.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
    expect(q.get('scope')).toBe('public read_dmps');
    await run.waitFor(/DMPTool shows an authorization code: copy the code and send it as one line on stdin/);
    const shown = await FormBrowser.outOfBand(url, 'approve');
    expect(shown.code).toBeTruthy();
    run.write('{"not": "a code"}\n');
    run.write(`${shown.code}\n`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Ignored a line on stdin/);
    expect(r.stderr).toMatch(/Logged in to DMPTool/);
    expect((await fx.sb.run(['dmps', 'list', '--json'])).code).toBe(0);
    expect((await fx.sb.run(['dmps', 'templates'])).code).toBe(0);
    const id = parseJson<{ id: number }[]>((await fx.sb.run(['dmps', 'list', '--json'])).stdout)[0]?.id;
    expect((await fx.sb.run(['dmps', 'get', String(id), '--json'])).code).toBe(0);
  });

  test('the address of the page that shows the code works as well as the code; stdin ending without one is an error', async () => {
    const run = fx.sb.start(['login', 'dmptool', '--no-browser', ...FILE]);
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    const shown = await FormBrowser.outOfBand(url, 'approve');
    run.write(`${shown.pageUrl}\n`);
    expect((await run.done).code).toBe(0);
    const none = await fx.sb.run(['login', 'dmptool', '--no-browser', ...FILE], { stdin: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/stdin ended before a valid authorization response arrived\. Nothing was stored/);
  });

  test('through a pty: the code is pasted hidden', async () => {
    const run = fx.sb.start(['login', 'dmptool', '--no-browser', ...FILE], { pty: true });
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    await run.waitFor(/paste it here and press Enter \(input hidden; Ctrl-C to cancel\)\. DMPTool's codes expire 10 minutes after you approve/);
    const shown = await FormBrowser.outOfBand(url, 'approve');
    run.write(`${shown.code}\r`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(shown.code);
    expect(r.stdout).toMatch(/Logged in to DMPTool/);
  });

  test('Zenodo with an https redirect from the config: the address the browser lands on, with the state, logs in', async () => {
    const page = 'https://rdp-test.example.org/zenodo';
    const app = await registerClient(fx.emu, { service: 'zenodo', redirectUris: [page] });
    fx.sb.secret(app.clientSecret);
    expect((await fx.sb.run(['config', 'set', 'zenodo.redirect_uri', page])).code).toBe(0);
    try {
      const run = fx.sb.start(['login', 'zenodo', ...FILE], { env: { RDP_ZENODO_CLIENT_ID: app.clientId, RDP_ZENODO_CLIENT_SECRET: app.clientSecret } });
      const url = await fx.sink.next();
      expect(parts(url).redirect).toBe(page);
      const { location } = await FormBrowser.consent(url, 'approve');
      const forged = new URL(location);
      forged.searchParams.set('state', 'not-the-state');
      run.write(`${forged}\n`);
      run.write(`${location}\n`);
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Ignored a line on stdin: .*the state does not match/);
    } finally {
      await fx.sb.run(['config', 'unset', 'zenodo.redirect_uri']);
    }
  });
});

describe('--no-browser and pasting the redirect', () => {
  test('through a pty: the URL is printed, nothing is opened, a wrong paste is explained, the right paste logs in (input hidden)', async () => {
    const before = fx.sink.received.length;
    const run = fx.sb.start(['login', 'zenodo', '--no-browser', ...FILE], { pty: true });
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    await run.waitFor(/paste it here and press Enter \(input hidden\)\. Zenodo's codes expire about 100 seconds after you approve: paste promptly/);
    const { location } = await FormBrowser.consent(url, 'approve'); // the browser "elsewhere" stops at the redirect
    const code = new URL(location).searchParams.get('code') ?? '';
    run.write('http://127.0.0.1:1/callback?code=nothing&state=not-the-state\r');
    await run.waitFor(/That is not what rdp is waiting for \(the state does not match/);
    run.write(`${location}\r`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Logged in to Zenodo/);
    expect(r.stdout).not.toContain(code);
    expect(r.stdout).not.toContain('not-the-state');
    expect(fx.sink.received.length).toBe(before);
  });

  test('on a terminal with a browser, the listener and the paste race: here the browser comes back first', async () => {
    const run = fx.sb.start(['login', 'orcid', ...FILE], { pty: true });
    await run.waitFor(/paste it here and press Enter \(input hidden\)/);
    const res = await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
    expect(res.status).toBe(200);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Logged in to ORCID/);
  });

  test('Ctrl-C while waiting (a pty in raw mode) ends the login with exit 130 and frees the port', async () => {
    const run = fx.sb.start(['login', 'orcid', '--no-browser', ...FILE], { pty: true });
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    await run.waitFor(/input hidden/);
    run.write('\u0003');
    const r = await run.done;
    expect(r.code).toBe(130);
    await expect(fetch(parts(url).redirect)).rejects.toThrow();
  });

  test('through stdin without a terminal: the first valid line wins', async () => {
    const run = fx.sb.start(['login', 'orcid', '--no-browser', ...FILE]);
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    const { location } = await FormBrowser.consent(url, 'approve');
    run.write('garbage\n');
    run.write(`${location}\n`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Ignored a line on stdin/);
    expect(r.stderr).toMatch(/Logged in to ORCID/);
  });
});

describe('ORCID OpenID: the id_token is verified', () => {
  test.each([
    ['id-token-tamper', /signature does not verify/],
    ['id-token-wrong-nonce', /nonce is not the one rdp sent/],
    ['id-token-wrong-aud', /another client/],
    ['id-token-wrong-iss', /issued by "https:\/\/evil\.example\.org"/],
    ['id-token-expired', /has expired/],
    ['id-token-unknown-kid', /no RS256 key "some-other-key"/],
  ])('%s: exit 4, nothing stored', async (action, why) => {
    await fx.sb.run(['logout', 'orcid']);
    await control('/faults', { service: 'orcid', action });
    const run = fx.sb.run(['login', 'orcid', '--scope', 'openid', ...FILE]);
    const res = await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
    expect(res.status).toBe(400);
    const r = await run;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/ORCID's id_token failed verification/);
    expect(r.stderr).toMatch(why);
    expect(tokensFile()[fx.emu.account('orcid')]).toBeUndefined();
  });
});

test('ORCID: an iD with a wrong check character in the token response is refused (nothing stored)', async () => {
  await fx.sb.run(['logout', 'orcid']);
  await control('/faults', { service: 'orcid', action: 'token-bad-orcid' });
  const run = fx.sb.run(['login', 'orcid', ...FILE]);
  await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
  const r = await run;
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/does not carry a valid ORCID iD \(0000-0002-1825-0098: its check character should be 7/);
  expect(tokensFile()[fx.emu.account('orcid')]).toBeUndefined();
});

describe('Zotero OAuth 1.0a', () => {
  test('a bad signature (wrong client secret) is refused before any browser opens: exit 4, nothing stored', async () => {
    const before = fx.sink.received.length;
    const r = await fx.sb.run(['login', 'zotero', ...FILE], { env: { RDP_ZOTERO_CLIENT_SECRET: 'ffffffffffffffffffff' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Zotero refused rdp's request for a request token \(401: Invalid signature\)/);
    expect(r.stderr).toMatch(/RDP_ZOTERO_CLIENT_SECRET/);
    expect(fx.sink.received.length).toBe(before);
    expect(tokensFile()[fx.emu.account('zotero')]).toBeUndefined();
    const k = await fx.sb.run(['login', 'zotero', ...FILE], { env: { RDP_ZOTERO_CLIENT_ID: '0123456789abcdef0123' } });
    expect(k.code).toBe(4);
    expect(k.stderr).toMatch(/Invalid consumer key/);
  });

  test('the request token is asked for with oauth_callback in the signed header and in the query string', async () => {
    await fetch(`${fx.emu.url}/_emulator/log`, { method: 'DELETE' });
    const run = fx.sb.run(['login', 'zotero', ...FILE]);
    await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
    expect((await run).code).toBe(0);
    const log = (await (await fetch(`${fx.emu.url}/_emulator/log?service=zotero`)).json()) as { path: string; query: string; status: number }[];
    const request = log.find((e) => e.path === '/oauth/request');
    expect(request?.status).toBe(200);
    expect(new URLSearchParams(request?.query).get('oauth_callback')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  });

  test('--key-name and --read-only pre-fill the new-key form; the key has the access chosen', async () => {
    const run = fx.sb.run(['login', 'zotero', '--key-name', 'CI laptop', '--read-only', '--json', ...FILE]);
    const url = new URL(await fx.sink.next());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ name: 'CI laptop', library_access: '1', write_access: '0', notes_access: '0' });
    await FormBrowser.consent(url.toString(), 'approve', { follow: true });
    const r = await run;
    expect(r.code).toBe(0);
    const res = parseJson<{ scopes: string[]; user: { id: string; username: string } }>(r.stdout);
    expect(res.user).toMatchObject({ id: '123456', username: 'jdoe' });
    expect(res.scopes).not.toContain('write');
  });
});

describe('a browser login is used by the commands', () => {
  test('Zenodo: one token per OAuth client and user; a login with the same client on another machine revokes this one, and rdp says so (exit 4)', async () => {
    const { HOME: _h, XDG_CONFIG_HOME: _c, ...env } = fx.sb.env;
    const machineB = new Sandbox(env);
    try {
      await fx.sb.run(['logout', 'zenodo']);
      const a = fx.sb.run(['login', 'zenodo', ...FILE]);
      await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
      expect((await a).code).toBe(0);
      expect((await fx.sb.run(['uploads', 'list', '--on', 'zenodo', '--json'])).code).toBe(0);
      expect((await machineB.run(['config', 'set', 'zenodo.port', '0'])).code).toBe(0);
      const b = machineB.run(['login', 'zenodo', ...FILE]);
      await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
      expect((await b).code).toBe(0);
      const r = await fx.sb.run(['uploads', 'list', '--on', 'zenodo', '--json']);
      expect(r.code).toBe(4);
      const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr.trim().split('\n').pop() ?? '');
      expect(err.error.message).toMatch(/Zenodo refused your stored token \(403: .*\): it is invalid, revoked or lacks a scope rdp needs/);
      expect(err.error.hint).toMatch(/same OAuth client on another machine revokes this machine's token/);
      expect(err.error.hint).toMatch(/one OAuth client per machine, or a personal access token/);
      expect((await machineB.run(['uploads', 'list', '--on', 'zenodo', '--json'])).code).toBe(0);
      machineB.secret(...emulatorSecrets(fx.emu));
      machineB.assertNoLeaks();
    } finally {
      machineB.cleanup();
    }
  });

  test('a token in RDP_ZENODO_TOKEN that Zenodo refuses (403) is exit 4 naming the variable', async () => {
    const r = await fx.sb.run(['uploads', 'list', '--on', 'zenodo'], { env: { RDP_ZENODO_TOKEN: 'revokedtoken0000000000000000000000000000000000000000000000000' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Zenodo refused the token in RDP_ZENODO_TOKEN \(403/);
    expect(r.stderr).toMatch(/deposit:write and deposit:actions/);
  });
});

describe('OAuth clients and flags', () => {
  test('no client configured: exit 2, saying where to register one and how to configure it', async () => {
    // (A service base that is not the emulator: nothing to borrow a client from.)
    const r = await fx.sb.run(['login', 'zenodo', ...FILE], {
      env: { RDP_ZENODO_CLIENT_ID: undefined, RDP_ZENODO_CLIENT_SECRET: undefined, RDP_ZENODO_URL: 'http://127.0.0.1:9/zenodo' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No OAuth client for Zenodo is configured/);
    expect(r.stderr).toMatch(/account\/settings\/applications\/clients\/new/);
    expect(r.stderr).toMatch(/Redirect URIs: http:\/\/127\.0\.0\.1:21930\/callback \(exactly this: Zenodo matches redirect URIs exactly, port included\)/);
    expect(r.stderr).toMatch(/Client type: Confidential/);
    expect(r.stderr).toMatch(/RDP_ZENODO_CLIENT_ID/);
    expect(r.stderr).toMatch(/rdp config set zenodo\.client_id/);
    expect(r.stderr).toMatch(/--with-token/);
    // One paragraph: the error and its hint, nothing else.
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    // DMPTool's: the out-of-band URI; with --client-credentials: no browser, no redirect URI.
    const d = await fx.sb.run(['login', 'dmptool', ...FILE], { env: { RDP_DMPTOOL_CLIENT_ID: undefined, RDP_DMPTOOL_CLIENT_SECRET: undefined, RDP_DMPTOOL_URL: 'http://127.0.0.1:9/dmptool' } });
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/Redirect URI\(s\): urn:ietf:wg:oauth:2\.0:oob/);
    const cc = await fx.sb.run(['login', 'dmptool', '--client-credentials', ...FILE], { env: { RDP_DMPTOOL_CLIENT_ID: undefined, RDP_DMPTOOL_CLIENT_SECRET: undefined, RDP_DMPTOOL_URL: 'http://127.0.0.1:9/dmptool' } });
    expect(cc.code).toBe(2);
    expect(cc.stderr).toMatch(/--client-credentials logs in as your API client/);
    expect(cc.stderr).not.toMatch(/browser login|redirect URI/i);
  });

  test('a client-credentials login that replaces a personal login says so', async () => {
    expect((await fx.sb.run(['login', 'dmptool', '--with-token', ...FILE], { stdin: fx.emu.tokens.dmptool })).code).toBe(0);
    const r = await fx.sb.run(['login', 'dmptool', '--client-credentials', ...FILE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/This replaces your personal DMPTool login \(Jane Doe\) with your API client's own token/);
    const again = await fx.sb.run(['login', 'dmptool', '--client-credentials', ...FILE]);
    expect(again.stderr).not.toMatch(/replaces your personal/);
  });

  test('the rdp emulator gets no special treatment: its ready-made client comes through RDP_<ID>_CLIENT_* like any other', async () => {
    // Without the variables `rdp emulator` prints, a login against it needs a client like anywhere
    // else: rdp never asks the server for one (issue 12: no /_emulator probe in the product).
    const from = fx.emu.server.state.log.length;
    const none = await fx.sb.run(['login', 'orcid', '--json', ...FILE], { env: { RDP_ORCID_CLIENT_ID: undefined, RDP_ORCID_CLIENT_SECRET: undefined } });
    expect(none.code).toBe(2);
    expect(parseJson<{ error: { message: string } }>(none.stderr).error.message).toMatch(/No OAuth client for ORCID is configured/);
    expect(fx.emu.server.state.log.slice(from)).toEqual([]); // not even a look at the control API
    // With them (as the fixture sets them, from the emulator's own description), the login works.
    const run = fx.sb.run(['login', 'orcid', ...FILE]);
    await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/ready-made OAuth client of the rdp emulator/);
  });

  test('client from the config, the secret from stdin, or as a flag value (with a warning)', async () => {
    const { clientId, clientSecret } = client(fx.emu, 'dmptool');
    const noEnv = { RDP_DMPTOOL_CLIENT_ID: undefined, RDP_DMPTOOL_CLIENT_SECRET: undefined };
    const piped = await fx.sb.run(['login', 'dmptool', '--client-credentials', `--client-id=${clientId}`, '--client-secret', ...FILE], { env: noEnv, stdin: clientSecret });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/Logged in to DMPTool .* as rdp emulator client/);
    const flag = await fx.sb.run(['login', 'dmptool', '--client-credentials', `--client-id=${clientId}`, `--client-secret=${clientSecret}`, ...FILE], { env: noEnv });
    expect(flag.code).toBe(0);
    expect(flag.stderr).toMatch(/may stay in your shell history/);
    expect((await fx.sb.run(['config', 'set', 'dmptool.client_id', clientId])).code).toBe(0);
    expect((await fx.sb.run(['config', 'set', 'dmptool.client_secret', '--insecure-storage'], { stdin: clientSecret })).code).toBe(0);
    const cfg = await fx.sb.run(['login', 'dmptool', '--client-credentials', ...FILE], { env: noEnv });
    expect(cfg.code).toBe(0);
    const bad = await fx.sb.run(['login', 'dmptool', '--client-credentials', '--client-secret', 'not-the-secret', ...FILE]);
    // A value that looks like an option: the parser's error does not show it either.
    fx.sb.secret('-looks-like-an-option-secret');
    const dash = await fx.sb.run(['login', 'dmptool', '--client-credentials', '--client-secret', '-looks-like-an-option-secret', ...FILE]);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toMatch(/Unknown option '\[redacted\]'/);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/did not accept rdp's OAuth client \(401: invalid_client/);
    await fx.sb.run(['config', 'unset', 'dmptool.client_id']);
    await fx.sb.run(['config', 'unset', 'dmptool.client_secret']);
  });

  test.each([
    [['login', 'zenodo', '--client-credentials'], /for DMPTool and ORCID only/],
    [['login', 'nomad', '--port', '0'], /NOMAD has no browser login/],
    [['login', 'zenodo', '--with-token', '--no-browser'], /--no-browser is for browser logins/],
    [['login', 'zenodo', '--port', 'abc'], /--port must be a port number/],
    [['login', 'zenodo', '--timeout', 'soon'], /is not a duration/],
    [['login', 'zotero', '--scope', 'everything'], /Unknown Zotero scope/],
    [['login', 'orcid', '--key-name', 'x'], /for Zotero only/],
    [['login', 'dmptool', '--port', '8000'], /DMPTool logs in out-of-band/],
    [['login', 'zotero', '--redirect-uri', 'urn:ietf:wg:oauth:2.0:oob'], /Zotero's login \(OAuth 1\.0a\) always comes back to rdp's 127\.0\.0\.1 listener/],
    [['login', 'zenodo', '--redirect-uri', 'http://localhost:8000/callback'], /rdp listens on 127\.0\.0\.1 only/],
    [['login', 'zenodo', '--redirect-uri', 'http://127.0.0.1/callback'], /has no port/],
    [['login', 'zenodo', '--redirect-uri', 'ftp://example.org/cb'], /must be http:\/\/127\.0\.0\.1:<port>\/…, https:\/\/… or urn:ietf:wg:oauth:2\.0:oob/],
    [['login', 'orcid', '--redirect-uri', 'http://127.0.0.1:8000/callback', '--port', '8001'], /differ/],
    [['login', 'dmptool', '--client-credentials', '--redirect-uri', 'oob'], /--client-credentials opens no browser and needs no redirect URI/],
    [['login', 'nomad', '--with-token', '--no-browser'], /NOMAD has no browser login/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await fx.sb.run([...args, ...FILE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('NOMAD: no browser; the app token says when it expires', () => {
  test('login states the expiry and auth status warns before it', async () => {
    const r = await fx.sb.run(['login', 'nomad', '--username', 'jdoe', '--password-stdin', '--lifetime', '2d', ...FILE], { stdin: 'correct-horse-battery' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/It expires on .* \(in (2 days|4[78] hours)\); run `rdp login nomad` again before then/);
    const s = await fx.sb.run(['auth', 'status', 'nomad']);
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(/Your NOMAD token expires on .* Run `rdp login nomad` to renew it/);
  });
});

describe('rdp emulator', () => {
  test('prints the pre-made OAuth client of each service', async () => {
    const run = fx.sb.start(['emulator', '--json']);
    const line = (await run.waitFor(/^\{.*\}$/m))[0];
    run.kill('SIGINT');
    await run.done;
    const info = parseJson<{ services: Record<string, { oauth?: { clientId: string; clientSecret: string; redirectUri: string } }> }>(line);
    // (This emulator's own ready-made secrets are printed on purpose; they are not the test emulator's.)
    // Each registered as on the real service: Zenodo's on rdp's default port (exact matching), DMPTool's
    // out-of-band (no http on dmptool.org), ORCID's the bare loopback host.
    expect(info.services.zenodo?.oauth).toMatchObject({ redirectUri: 'http://127.0.0.1:21930/callback' });
    expect(info.services.dmptool?.oauth).toMatchObject({ redirectUri: 'urn:ietf:wg:oauth:2.0:oob' });
    expect(info.services.orcid?.oauth).toMatchObject({ redirectUri: 'http://127.0.0.1' });
    expect(info.services.zotero?.oauth).toMatchObject({ redirectUri: 'http://127.0.0.1/callback' });
    expect(info.services.nomad?.oauth).toBeUndefined();
  });
});
