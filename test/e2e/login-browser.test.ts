// The browser logins end to end (issue 3, "done when"; issue 10): `rdp login <service>` runs as a child
// process with BROWSER set to a script that hands the authorize URL to headless Chromium; the test
// clicks Approve (or Deny) on the emulator's consent page. Zenodo, ORCID and Zotero come back to the
// 127.0.0.1 listener; DMPTool logs in out-of-band: Chromium ends on the page that shows the code, and
// the test pipes what that page shows to rdp's stdin, as a person would paste it. An https redirect
// registered with the service works the same way with the address the browser lands on. Approve: exit
// 0, the token in the Secret Service. Deny: exit 4, nothing stored. No credential appears in any output.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BrowserSink, Chromium, chromiumAvailable } from '../helpers/browser.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { client, emulatorSecrets, keychainLookup, NAMES, OAUTH_IDS, oauthFixture, registerClient } from '../helpers/oauth.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

const keychain = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');
const chromium = requireFeature('Chromium', chromiumAvailable(), 'apt-get install chromium (.ci/run does) and npm install (playwright-core)');

describe.skipIf(!keychain || !chromium)('browser login in headless Chromium', () => {
  const fx = oauthFixture({ logoutAtEnd: true });
  let browser: Chromium;
  beforeAll(async () => {
    browser = await new Chromium().start();
  });
  afterAll(() => browser.close());

  test.each(OAUTH_IDS)('%s: Deny in the browser ends the login with exit 4 and stores nothing', async (id) => {
    const run = fx.sb.start(['login', id]);
    const url = await fx.sink.next();
    if (id === 'dmptool') {
      // Out-of-band: Doorkeeper shows the denial as JSON; pasted, rdp recognises it.
      const page = await browser.consentPaste(url, 'deny');
      expect(parseJson<{ error: string }>(page.text)).toMatchObject({ error: 'access_denied' });
      run.write(`${page.text}\n`);
    } else {
      const page = await browser.consent(url, 'deny');
      expect(page.status).toBe(400);
      expect(page.heading).toBe(`${NAMES[id]} login cancelled`);
    }
    const r = await run.done;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/denied in the browser/);
    expect(r.stderr).toMatch(/Nothing was stored/);
    expect(keychainLookup(fx.emu.account(id))).toBe('');
    const s = await fx.sb.run(['auth', 'status', id]);
    expect(s.code).toBe(4);
  });

  test.each(OAUTH_IDS)('%s: Approve in the browser logs in (exit 0) and the token is in the keychain', async (id) => {
    const run = fx.sb.start(['login', id, '--json']);
    const url = await fx.sink.next();
    expect(url.startsWith(`${fx.emu.info[id].url}/oauth/authorize?`)).toBe(true);
    const params = new URL(url).searchParams;
    if (id === 'dmptool') {
      expect(params.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
      expect(params.get('scope')).toBe('public read_dmps');
      const page = await browser.consentPaste(url, 'approve');
      expect(new URL(page.url).pathname).toBe('/dmptool/oauth/authorize/native');
      expect(page.code).toMatch(/^[\w-]{20,}$/);
      run.write(`${page.code}\n`);
    } else {
      const page = await browser.consent(url, 'approve');
      expect(page.status).toBe(200);
      expect(page.heading).toBe(`Logged in to ${NAMES[id]}`);
    }
    if (id === 'orcid') expect(params.has('code_challenge')).toBe(false);
    if (id === 'zenodo') expect(params.get('code_challenge_method')).toBe('S256');
    const r = await run.done;
    expect(r.code).toBe(0);
    // The authorize URL is always printed on a line of its own on stderr.
    expect(r.stderr.split('\n')).toContain(url);
    const result = parseJson<{ provider: string; storage: string; account: string }>(r.stdout);
    expect(result).toMatchObject({ provider: id, storage: 'keychain', account: fx.emu.account(id) });

    const stored = keychainLookup(fx.emu.account(id));
    expect(stored).not.toBe('');
    // The stored credential is the one the emulator issued to rdp's OAuth client, and it works.
    const rec = fx.emu.server.state.tokens.get(stored);
    expect(rec?.clientId).toBe(fx.clients[id].clientId);
    expect(fx.emu.server.state.usable(rec)).toBe(true);
    const status = await fx.sb.run(['auth', 'status', id, '--json']);
    expect(status.code).toBe(0);
    const st = parseJson<{ loggedIn: boolean; source: string; user?: Record<string, string> }>(status.stdout);
    expect(st).toMatchObject({ loggedIn: true, source: 'keychain' });
    if (id === 'orcid') expect(st.user).toMatchObject({ orcid: '0000-0002-1825-0097', name: 'Josiah Carberry' });
    if (id === 'zotero') expect(st.user).toMatchObject({ id: '123456', username: 'jdoe' });
    if (id === 'zenodo') expect(keychainLookup(`${fx.emu.account(id)}#refresh_token`)).not.toBe('');
    if (id === 'dmptool') expect(rec?.scopes).toEqual(['public', 'read_dmps']);
  });

  test('ORCID with --scope openid: the id_token is verified and the login succeeds in Chromium', async () => {
    const run = fx.sb.run(['login', 'orcid', '--scope', 'openid', '--debug']);
    const page = await browser.consent(await fx.sink.next(), 'approve');
    const r = await run;
    expect(r.code).toBe(0);
    expect(page.heading).toBe('Logged in to ORCID');
    expect(r.stderr).toMatch(/Logged in to ORCID .* as 0000-0002-1825-0097 Josiah Carberry/);
    expect(r.stderr).toMatch(/\[debug\] ← 200 GET http:\/\/127\.0\.0\.1:\d+\/orcid\/oauth\/jwks/);
  });

  test('an https redirect URI registered with the service: Chromium lands on it and the address, piped to stdin, logs in', async () => {
    const page = 'https://rdp-test.example.org/orcid-callback';
    const member = await registerClient(fx.emu, { service: 'orcid', redirectUris: [page], name: 'member client (https only)' });
    fx.sb.secret(member.clientSecret);
    const run = fx.sb.start(['login', 'orcid', '--redirect-uri', page], { env: { RDP_ORCID_CLIENT_ID: member.clientId, RDP_ORCID_CLIENT_SECRET: member.clientSecret } });
    const url = await fx.sink.next();
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(page);
    await run.waitFor(/the browser lands on https:\/\/rdp-test\.example\.org\/orcid-callback\?code=…/);
    const landed = await browser.consentPaste(url, 'approve', { httpsPage: page });
    expect(landed.url.startsWith(`${page}?code=`)).toBe(true);
    run.write('https://rdp-test.example.org/elsewhere?code=x&state=y\n'); // another page: ignored, explained
    run.write(`${landed.url}\n`);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Ignored a line on stdin: .*it is not on https:\/\/rdp-test\.example\.org\/orcid-callback/);
    expect(r.stderr).toMatch(/Logged in to ORCID .* as 0000-0002-1825-0097/);
    expect(fx.emu.server.state.tokens.get(keychainLookup(fx.emu.account('orcid')))?.clientId).toBe(member.clientId);
  });
});

describe.skipIf(!keychain || !chromium)("Zenodo on rdp's default port, with the client registered as the README says", () => {
  // A sandbox of its own, without the test suite's any-port client: the emulator's ready-made Zenodo
  // client is registered with exactly http://127.0.0.1:21930/callback, and Zenodo matches exactly.
  let browser: Chromium;
  let sink: BrowserSink;
  let sb: Sandbox;
  const fx = oauthFixture();
  beforeAll(async () => {
    browser = await new Chromium().start();
    sink = await new BrowserSink().start();
    sb = new Sandbox({ ...fx.emu.env, ...sink.env });
  });
  afterAll(async () => {
    sb.secret(...emulatorSecrets(fx.emu));
    sb.assertNoLeaks();
    await sb.run(['logout', 'zenodo']);
    sb.cleanup();
    await sink.close();
    await browser.close();
  });

  test('rdp login zenodo listens on 127.0.0.1:21930 and the exact redirect matches', async () => {
    const run = sb.run(['login', 'zenodo']);
    const url = await sink.next();
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://127.0.0.1:21930/callback');
    const page = await browser.consent(url, 'approve');
    expect(page.url.startsWith('http://127.0.0.1:21930/callback?')).toBe(true);
    const r = await run;
    expect(r.code).toBe(0);
    const rec = fx.emu.server.state.tokens.get(keychainLookup(fx.emu.account('zenodo')));
    expect(rec?.clientId).toBe(client(fx.emu, 'zenodo').clientId);
  });
});
