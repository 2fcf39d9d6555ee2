// The browser logins end to end (issue 3, "done when"): `rdp login <service>` runs as a child process
// with BROWSER set to a script that hands the authorize URL to headless Chromium; the test clicks
// Approve (or Deny) on the emulator's consent page. Approve: exit 0, the token in the Secret Service.
// Deny: exit 4, nothing stored. No credential appears in any output.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Chromium, chromiumAvailable } from '../helpers/browser.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { client, keychainLookup, NAMES, OAUTH_IDS, oauthFixture } from '../helpers/oauth.js';
import { parseJson } from '../helpers/sandbox.js';

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
    const run = fx.sb.run(['login', id]);
    const url = await fx.sink.next();
    const page = await browser.consent(url, 'deny');
    const r = await run;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/denied in the browser/);
    expect(r.stderr).toMatch(/Nothing was stored/);
    expect(page.status).toBe(400);
    expect(page.heading).toBe(`${NAMES[id]} login cancelled`);
    expect(keychainLookup(fx.emu.account(id))).toBe('');
    const s = await fx.sb.run(['auth', 'status', id]);
    expect(s.code).toBe(4);
  });

  test.each(OAUTH_IDS)('%s: Approve in the browser logs in (exit 0) and the token is in the keychain', async (id) => {
    const run = fx.sb.run(['login', id, '--json']);
    const url = await fx.sink.next();
    expect(url.startsWith(`${fx.emu.info[id].url}/oauth/authorize?`)).toBe(true);
    const page = await browser.consent(url, 'approve');
    const r = await run;
    expect(r.code).toBe(0);
    expect(page.status).toBe(200);
    expect(page.heading).toBe(`Logged in to ${NAMES[id]}`);
    // The authorize URL is always printed on a line of its own on stderr.
    expect(r.stderr.split('\n')).toContain(url);
    const result = parseJson<{ provider: string; storage: string; account: string }>(r.stdout);
    expect(result).toMatchObject({ provider: id, storage: 'keychain', account: fx.emu.account(id) });

    const stored = keychainLookup(fx.emu.account(id));
    expect(stored).not.toBe('');
    // The stored credential is the one the emulator issued to rdp's OAuth client, and it works.
    const rec = fx.emu.server.state.tokens.get(stored);
    expect(rec?.clientId).toBe(client(fx.emu, id).clientId);
    expect(fx.emu.server.state.usable(rec)).toBe(true);
    const status = await fx.sb.run(['auth', 'status', id, '--json']);
    expect(status.code).toBe(0);
    const st = parseJson<{ loggedIn: boolean; source: string; user?: Record<string, string> }>(status.stdout);
    expect(st).toMatchObject({ loggedIn: true, source: 'keychain' });
    if (id === 'orcid') expect(st.user).toMatchObject({ orcid: '0000-0002-1825-0097', name: 'Josiah Carberry' });
    if (id === 'zotero') expect(st.user).toMatchObject({ id: '123456', username: 'jdoe' });
    if (id === 'zenodo') expect(keychainLookup(`${fx.emu.account(id)}#refresh_token`)).not.toBe('');
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
});
