// Registering an OAuth client, guided (issue 10, item 10): on a terminal (a pty here) without a
// configured client, `rdp login` offers to walk the user through registering one, opens the service's
// registration page, shows the exact values (redirect URI with its port, client type), reads the client
// id and the secret (hidden), stores them (the id in the config, the secret in the keychain) and goes on
// with the login. The emulator here advertises no ready-made client, as a real service has none.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BrowserSink, FormBrowser } from '../helpers/browser.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { AUTHORIZE_LINE, emulatorSecrets, keychainLookup, registerClient } from '../helpers/oauth.js';
import { Sandbox } from '../helpers/sandbox.js';

const keychain = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');

describe.skipIf(!keychain)('guided OAuth client registration', () => {
  let emu: TestEmulator;
  let sink: BrowserSink;
  let sb: Sandbox;
  beforeAll(async () => {
    emu = await startTestEmulator({ readyClients: false });
    sink = await new BrowserSink().start();
    sb = new Sandbox({ ...emu.env, ...sink.env });
    // Parallel test files cannot all listen on Zenodo's default port: log in on a free one here.
    expect((await sb.run(['config', 'set', 'zenodo.port', '0'])).code).toBe(0);
  });
  afterAll(async () => {
    sb.secret(...emulatorSecrets(emu));
    sb.assertNoLeaks();
    await sb.run(['logout', 'zenodo']);
    await sb.run(['config', 'unset', 'zenodo.client_secret']);
    await sink.close();
    await emu.close();
    sb.cleanup();
  });

  test('on a terminal: open the page, show the values, read id and secret (hidden), store them, then log in', async () => {
    expect(emu.env.RDP_ZENODO_CLIENT_ID).toBeUndefined();
    const run = sb.start(['login', 'zenodo'], { pty: true, timeoutMs: 60_000 });
    await run.waitFor(/No OAuth client for Zenodo is configured yet/);
    await run.waitFor(/Register one now\? \[Y\/n\]/);
    run.write('y\r');
    await run.waitFor(/Redirect URIs: http:\/\/127\.0\.0\.1:21930\/callback {3}\(exactly this: Zenodo matches redirect URIs exactly, port included\)/);
    await run.waitFor(/Client type: Confidential/);
    // The registration page was opened in the browser.
    expect(await sink.next()).toBe(`${emu.info.zenodo.url}/account/settings/applications/clients/new/`);
    // The person registers the client (here through the emulator's registration API) and copies the values.
    const app = await registerClient(emu, { service: 'zenodo', redirectUris: ['http://127.0.0.1/callback'], anyPort: true, name: 'rdp on this machine' });
    sb.secret(app.clientSecret);
    await run.waitFor(/Client ID: /);
    run.write(`${app.clientId}\r`);
    await run.waitFor(/Client Secret \(input hidden; press Enter if you chose a public client\):/);
    run.write(`${app.clientSecret}\r`);
    await run.waitFor(/Saved the Zenodo OAuth client as zenodo\.client_id \(the secret in the keychain\)\. Going on with the login\./);
    const url = (await run.waitFor(AUTHORIZE_LINE))[1] as string;
    expect(new URL(url).searchParams.get('client_id')).toBe(app.clientId);
    expect(await sink.next()).toBe(url);
    await FormBrowser.consent(url, 'approve', { follow: true });
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Logged in to Zenodo/);
    expect(r.stdout).not.toContain(app.clientSecret);

    // Kept for the next login: the id in the config, the secret in the keychain.
    expect((await sb.run(['config', 'get', 'zenodo.client_id'])).stdout.trim()).toBe(app.clientId);
    expect(keychainLookup('config:zenodo.client_secret')).toBe(app.clientSecret);
    const again = sb.run(['login', 'zenodo']);
    await FormBrowser.consent(await sink.next(), 'approve', { follow: true });
    const a = await again;
    expect(a.code).toBe(0);
    expect(a.stderr).not.toMatch(/Register one now/);
  });

  test('declining the offer ends with the same steps in one paragraph (exit 2)', async () => {
    const run = sb.start(['login', 'orcid'], { pty: true });
    await run.waitFor(/Register one now\? \[Y\/n\]/);
    run.write('n\r');
    const r = await run.done;
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/No OAuth client for ORCID is configured/);
    expect(r.stdout).toMatch(/Register one at http:\/\/127\.0\.0\.1:\d+\/orcid\/developer-tools with .*Redirect URIs: http:\/\/127\.0\.0\.1 \(ORCID lets any port and path on a registered host match\)/);
  });
});
