// A site's browser login (SPEC.md "Sites" and "Login"; issue 14): every InvenioRDM runs
// Invenio-OAuth2Server, so once an OAuth client is configured for a site, `rdp login <site>` is Zenodo's
// browser login against `<site>/oauth/authorize` and `/oauth/token`, with exact redirect matching. The
// built CLI runs as a child with BROWSER handing the authorize URL to headless Chromium, which approves
// on the emulator's InvenioRDM site. Without a client, `rdp login <site>` asks for a personal token and
// says how to register a client; a client registered for another port gets the exact URI to register.
// No credential appears in any output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { invenioStore } from '../../src/emulator/services/invenio/store.js';
import { BrowserSink, Chromium, chromiumAvailable } from '../helpers/browser.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { type ClientInfo, emulatorSecrets, keychainLookup, registerClient } from '../helpers/oauth.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

const keychain = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');
const chromium = requireFeature('Chromium', chromiumAvailable(), 'apt-get install chromium (.ci/run does) and npm install (playwright-core)');

/** A port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe.skipIf(!keychain || !chromium)('rdp login <site>: browser login where an OAuth client is configured', () => {
  let emu: TestEmulator;
  let sink: BrowserSink;
  let sb: Sandbox;
  let browser: Chromium;
  let siteUrl: string;
  let account: string;
  let anyPort: ClientInfo;

  beforeAll(async () => {
    emu = await startTestEmulator({ rateLimit: false });
    sink = await new BrowserSink().start();
    browser = await new Chromium().start();
    sb = new Sandbox({ ...emu.env, ...sink.env });
    siteUrl = emu.info.invenio.url;
    account = emu.account('invenio').replace(/^invenio@/, 'demo@');
    const add = await sb.run(['sites', 'add', 'demo', siteUrl]);
    expect(add.code, add.stderr).toBe(0);
  });
  afterAll(async () => {
    sb.secret(...emulatorSecrets(emu));
    sb.assertNoLeaks();
    await sb.run(['logout', 'demo']);
    sb.cleanup();
    await sink.close();
    await browser?.close();
    await emu.close();
  });

  test('without a client: no browser login; rdp asks for a personal token and says how to register a client', async () => {
    const none = await sb.run(['login', 'demo', '--json']);
    expect(none.code).toBe(2);
    const e = parseJson<{ error: { code: string; message: string; hint: string } }>(none.stderr).error;
    expect(e.message).toMatch(/No OAuth client for demo is configured and no token came on stdin/);
    expect(e.hint).toContain('rdp login demo --with-token');
    expect(e.hint).toContain(`${siteUrl}/account/settings/applications/clients/new/`);
    expect(e.hint).toContain('http://127.0.0.1:21930/callback');
    expect(e.hint).toContain('RDP_DEMO_CLIENT_ID');
    expect(sink.received).toEqual([]);
    // A token piped without --with-token still logs in (the way a site logs in without a client).
    const piped = await sb.run(['login', 'demo', '--insecure-storage', '--json'], { stdin: emu.tokens.invenio });
    expect(piped.code, piped.stderr).toBe(0);
    expect(parseJson(piped.stdout)).toMatchObject({ provider: 'demo', storage: 'file' });
    expect((await sb.run(['logout', 'demo'])).code).toBe(0);
    // On a terminal: rdp says why it asks for a token and how to get a browser login, then asks (hidden).
    const tty = sb.start(['login', 'demo', '--insecure-storage'], { pty: true });
    await tty.waitFor(/No OAuth client for demo is configured, so rdp asks for a personal token/);
    await tty.waitFor(/For a browser login\s+instead:\s+register\s+an\s+OAuth\s+client/);
    await tty.waitFor(/Paste your demo token \(input hidden\):/);
    tty.write(`${emu.tokens.invenio}\r`);
    const typed = await tty.done;
    expect(typed.code, typed.stdout + typed.stderr).toBe(0);
    expect(sink.received).toEqual([]);
    expect((await sb.run(['logout', 'demo'])).code).toBe(0);
    // Browser flags ask for a browser login: the registration, field by field, and the token way.
    const flags = await sb.run(['login', 'demo', '--no-browser', '--json']);
    expect(flags.code).toBe(2);
    const f = parseJson<{ error: { message: string; hint: string } }>(flags.stderr).error;
    expect(f.message).toMatch(/No OAuth client for demo is configured, so rdp cannot start a browser login/);
    expect(f.hint).toMatch(/Redirect URIs: http:\/\/127\.0\.0\.1:21930\/callback \(exactly this: InvenioRDM matches redirect URIs exactly, port included\)/);
    expect(f.hint).toContain('rdp login demo --with-token');
  });

  test('with a client: Approve in Chromium logs in (the token in the keychain), auth status shows it, an upload works with it', async () => {
    anyPort = await registerClient(emu, { service: 'invenio', redirectUris: ['http://127.0.0.1/callback'], anyPort: true, name: 'rdp tests (any port)' });
    sb.env.RDP_DEMO_CLIENT_ID = anyPort.clientId;
    sb.env.RDP_DEMO_CLIENT_SECRET = anyPort.clientSecret;
    // The default port (21930) is the one to register; tests running in parallel cannot all listen there.
    expect((await sb.run(['config', 'set', 'demo.port', '0'])).code).toBe(0);

    const run = sb.start(['login', 'demo', '--json']);
    const url = await sink.next();
    expect(url.startsWith(`${siteUrl}/oauth/authorize?`)).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get('client_id')).toBe(anyPort.clientId);
    expect(params.get('scope')).toBe('user:email');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const page = await browser.consent(url, 'approve');
    expect(page.status).toBe(200);
    expect(page.heading).toBe('Logged in to demo');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')).toContain(url);
    expect(parseJson(r.stdout)).toMatchObject({ provider: 'demo', storage: 'keychain', account, user: { id: '1', email: 'jane@example.org' }, scopes: ['user:email'], renews: true });

    const stored = keychainLookup(account);
    expect(stored).not.toBe('');
    const rec = emu.server.state.tokens.get(stored);
    expect(rec).toMatchObject({ service: 'invenio', kind: 'oauth', clientId: anyPort.clientId });
    expect(keychainLookup(`${account}#refresh_token`)).not.toBe('');

    const status = await sb.run(['auth', 'status', 'demo', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(parseJson(status.stdout)).toMatchObject({ provider: 'demo', loggedIn: true, source: 'keychain' });

    const dir = join(sb.dir, 'data');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n');
    const from = emu.server.state.log.length;
    const up = await sb.run(['upload', 'data', '--to', 'demo', '--title', 'Soil', '--creator', 'Doe, Jane', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const id = parseJson<{ id: string }>(up.stdout).id;
    const record = invenioStore(emu.server.state).records.get(id);
    expect([...(record?.files.keys() ?? [])]).toEqual(['a.csv']);
    expect(record?.files.get('a.csv')?.committed).toBe(true);
    // The draft was made with the OAuth token (the site saw it), not with anything else.
    expect(emu.server.state.log.slice(from).some((e) => e.method === 'POST' && e.path === '/api/records')).toBe(true);
  });

  test('a client registered for another port: the site shows mismatching_redirect_uri, and rdp names the exact URI to register', async () => {
    const registered = await freePort();
    let other = await freePort();
    if (other === registered) other = await freePort();
    const exact = await registerClient(emu, { service: 'invenio', redirectUris: [`http://127.0.0.1:${registered}/callback`], name: 'registered for one port' });
    sb.secret(exact.clientSecret);
    const run = sb.start(['login', 'demo', '--port', String(other), '--timeout', '3s'], { env: { RDP_DEMO_CLIENT_ID: exact.clientId, RDP_DEMO_CLIENT_SECRET: exact.clientSecret } });
    const url = await sink.next();
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${other}/callback`);
    // The browser never comes back to rdp: the site sends it to its own error page.
    const answer = await fetch(url, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const loc = new URL(answer.headers.get('location') ?? '', siteUrl);
    expect(loc.pathname).toBe('/invenio/oauth/errors');
    expect(loc.searchParams.get('error')).toBe('mismatching_redirect_uri');
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never came back to http:\/\/127\.0\.0\.1:\d+\/callback/);
    expect(r.stderr).toContain(`If demo showed "mismatching_redirect_uri", your OAuth client is not registered with exactly http://127.0.0.1:${other}/callback`);
    expect(r.stderr).toMatch(/InvenioRDM matches redirect URIs exactly, port included/);
    expect(r.stderr).toContain('--port');
  });
});
