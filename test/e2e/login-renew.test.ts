// Tokens renewed ahead of expiry, stored in the Secret Service: a Zenodo token with less than 15
// minutes left is refreshed (refresh_token grant, rotated) by the next command that needs it; a
// DMPTool client-credentials token (2 hours on the real service) is minted again from the client
// secret stored beside it once it has run out.
import { describe, expect, test } from 'vitest';
import { oauthState } from '../../src/emulator/oauth-common.js';
import { FormBrowser } from '../helpers/browser.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { client, keychainLookup, oauthFixture } from '../helpers/oauth.js';
import { parseJson } from '../helpers/sandbox.js';

const keychain = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');

describe.skipIf(!keychain)('renewing stored OAuth logins', () => {
  const fx = oauthFixture({ logoutAtEnd: true });

  const settings = (body: Record<string, unknown>) => fetch(`${fx.emu.url}/_emulator/oauth`, { method: 'POST', body: JSON.stringify(body) });
  const expiresAt = async (id: string) => parseJson<{ expiresAt: string }>((await fx.sb.run(['auth', 'status', id, '--json'])).stdout).expiresAt;

  /** Wait (a second at most here) until the emulator considers this token expired. */
  async function untilExpired(token: string): Promise<void> {
    const at = fx.emu.server.state.tokens.get(token)?.expiresAt ?? 0;
    await new Promise((res) => setTimeout(res, Math.min(3000, Math.max(0, at - Date.now() + 20))));
  }

  async function browserLogin(id: string): Promise<void> {
    const run = fx.sb.run(['login', id]);
    await FormBrowser.consent(await fx.sink.next(), 'approve', { follow: true });
    const r = await run;
    expect(r.code).toBe(0);
  }

  test('Zenodo: a token with 10 minutes left is refreshed by the next command, the refresh token rotates, the old token stops working', async () => {
    await settings({ service: 'zenodo', accessTokenLifetime: 600 });
    await browserLogin('zenodo');
    const account = fx.emu.account('zenodo');
    const token1 = keychainLookup(account);
    const refresh1 = keychainLookup(`${account}#refresh_token`);
    expect(token1).not.toBe('');
    expect(refresh1).not.toBe('');
    const exp1 = await expiresAt('zenodo');

    await settings({ service: 'zenodo', accessTokenLifetime: 5_184_000 });
    // The command needs the token: rdp renews it first, without the client secret in the environment
    // (the one stored beside the login is used).
    const r = await fx.sb.run(['auth', 'token', 'zenodo'], { printsSecret: true, env: { RDP_ZENODO_CLIENT_SECRET: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Renewed the Zenodo token/);
    const token2 = r.stdout.trim();
    expect(token2).not.toBe(token1);
    expect(keychainLookup(account)).toBe(token2);
    const refresh2 = keychainLookup(`${account}#refresh_token`);
    expect(refresh2).not.toBe(refresh1);
    expect(fx.emu.server.state.usable(fx.emu.server.state.tokens.get(token1))).toBe(false);
    expect(fx.emu.server.state.usable(fx.emu.server.state.tokens.get(token2))).toBe(true);
    expect(Date.parse(await expiresAt('zenodo'))).toBeGreaterThan(Date.parse(exp1) + 86400_000);

    // With 60 days left, nothing is renewed.
    const again = await fx.sb.run(['auth', 'token', 'zenodo'], { printsSecret: true });
    expect(again.stdout.trim()).toBe(token2);
    expect(again.stderr).not.toMatch(/Renewed/);
  });

  test('Zenodo: when the refresh is refused but the token still has minutes left, rdp warns and goes on with it', async () => {
    await settings({ service: 'zenodo', accessTokenLifetime: 600 });
    await browserLogin('zenodo');
    const token = keychainLookup(fx.emu.account('zenodo'));
    oauthState(fx.emu.server.state).refresh.clear(); // the service forgot every refresh token
    const r = await fx.sb.run(['auth', 'token', 'zenodo'], { printsSecret: true });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(token);
    expect(r.stderr).toMatch(/Could not renew the Zenodo token \(Your Zenodo login could not be renewed \(400: invalid_grant/);
    await settings({ service: 'zenodo', accessTokenLifetime: 5_184_000 });
  });

  test('DMPTool --client-credentials: the client secret is stored beside the token, and an expired token is minted again', async () => {
    await settings({ service: 'dmptool', clientCredentialsLifetime: 1 });
    const r = await fx.sb.run(['login', 'dmptool', '--client-credentials', '--json']);
    expect(r.code).toBe(0);
    expect(parseJson<{ renews: boolean; scopes: string[] }>(r.stdout)).toMatchObject({ renews: true, scopes: ['public', 'read_dmps'] });
    const account = fx.emu.account('dmptool');
    const token1 = keychainLookup(account);
    expect(keychainLookup(`${account}#client_secret`)).toBe(client(fx.emu, 'dmptool').clientSecret);

    // Wait (at most a second) until the service considers the token expired.
    await untilExpired(token1);
    expect(fx.emu.server.state.usable(fx.emu.server.state.tokens.get(token1))).toBe(false);
    await settings({ service: 'dmptool', clientCredentialsLifetime: 7200 });

    const t = await fx.sb.run(['auth', 'token', 'dmptool'], { printsSecret: true, env: { RDP_DMPTOOL_CLIENT_ID: undefined, RDP_DMPTOOL_CLIENT_SECRET: undefined } });
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/Renewed the DMPTool token/);
    const token2 = t.stdout.trim();
    expect(token2).not.toBe(token1);
    expect(keychainLookup(account)).toBe(token2);
    expect(fx.emu.server.state.usable(fx.emu.server.state.tokens.get(token2))).toBe(true);
    const s = await fx.sb.run(['auth', 'status', 'dmptool', '--json']);
    expect(parseJson<{ loggedIn: boolean; scopes: string[] }>(s.stdout)).toMatchObject({ loggedIn: true, scopes: ['public', 'read_dmps'] });
  });

  test('DMPTool: when the client was deleted, an expired client-credentials login asks to log in again (exit 4)', async () => {
    await settings({ service: 'dmptool', clientCredentialsLifetime: 1 });
    // Doorkeeper would hand out the earlier test's still-valid token again: revoke it first.
    for (const rec of fx.emu.server.state.tokens.values()) if (rec.service === 'dmptool' && rec.kind === 'client') fx.emu.server.state.revoke(rec.token);
    expect((await fx.sb.run(['login', 'dmptool', '--client-credentials'])).code).toBe(0);
    await untilExpired(keychainLookup(fx.emu.account('dmptool')));
    await settings({ service: 'dmptool', clientCredentialsLifetime: 7200 });
    const c = client(fx.emu, 'dmptool');
    const saved = fx.emu.server.state.clients.get(`dmptool:${c.clientId}`);
    fx.emu.server.state.clients.delete(`dmptool:${c.clientId}`);
    try {
      const t = await fx.sb.run(['auth', 'token', 'dmptool', '--json']);
      expect(t.code).toBe(4);
      const err = parseJson<{ error: { code: string; message: string; hint: string } }>(t.stderr.trim().split('\n').pop() ?? '').error;
      expect(err.code).toBe('AUTH_INVALID');
      expect(err.message).not.toMatch(/Nothing was stored/);
      expect(err.hint).toMatch(/rdp login dmptool --client-credentials/);
    } finally {
      if (saved) fx.emu.server.state.clients.set(`dmptool:${c.clientId}`, saved);
    }
  });

  test('Zenodo: a logout while a command is renewing the token stands: the renewed token serves that command and is not stored', async () => {
    await settings({ service: 'zenodo', accessTokenLifetime: 600 });
    await browserLogin('zenodo');
    const account = fx.emu.account('zenodo');
    await settings({ service: 'zenodo', accessTokenLifetime: 5_184_000 });
    // The refresh is held back until the logout has finished.
    fx.emu.server.faults.add({ service: 'zenodo', method: 'POST', path: '/oauth/token', action: 'hold' });
    const run = fx.sb.start(['uploads', 'list', '--on', 'zenodo', '--debug'], { timeoutMs: 30_000 });
    await run.waitFor(/Zenodo token expires at .*; renewing it/);
    const out = await fx.sb.run(['logout', 'zenodo']);
    expect(out.code).toBe(0);
    expect(keychainLookup(account)).toBe('');
    fx.emu.server.faults.release();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/The Zenodo login was removed or replaced while this command ran: the renewed token serves this command only and is not stored\./);
    expect(keychainLookup(account)).toBe('');
    expect(keychainLookup(`${account}#refresh_token`)).toBe('');
    const status = await fx.sb.run(['auth', 'status', 'zenodo', '--json']);
    expect(status.stdout).not.toMatch(/"loggedIn":\s*true/);
    expect((await fx.sb.run(['uploads', 'list', '--on', 'zenodo'])).code).toBe(4);
  });
});

