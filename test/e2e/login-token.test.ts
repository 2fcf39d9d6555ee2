// `rdp login <provider> --with-token` (and NOMAD's password exchange) against the emulator, with the
// tokens stored in a real Secret Service (a throwaway gnome-keyring in a private D-Bus session).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SEED } from '../../src/emulator/index.js';
import type { ServiceId as ProviderId } from '../../src/emulator/ids.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { BIN, parseJson, ROOT, Sandbox } from '../helpers/sandbox.js';

const run = requireFeature('A Secret Service', secretServiceAvailable(), 'run the tests through scripts/with-secret-service.sh (npm test does)');

function lookup(account: string): string {
  const r = spawnSync('secret-tool', ['lookup', 'service', 'rdp', 'username', account], { encoding: 'utf8', timeout: 5000 });
  return r.stdout;
}

interface Status {
  provider: ProviderId;
  loggedIn: boolean;
  source?: string;
  user?: Record<string, string>;
  expiresAt?: string | null;
  scopes?: string[];
}

describe.skipIf(!run)('login --with-token, stored in the Secret Service', () => {
  let emu: TestEmulator;
  let sb: Sandbox;

  beforeAll(async () => {
    emu = await startTestEmulator();
    sb = new Sandbox(emu.env);
    sb.secret(...Object.values(emu.tokens), SEED.nomad.password);
  });
  afterAll(async () => {
    sb.assertNoLeaks();
    // Only this emulator's accounts: the throwaway keyring is shared by test files running in parallel.
    for (const id of ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero']) await sb.run(['logout', id]);
    await emu.close();
    sb.cleanup();
  });

  const good: ProviderId[] = ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero'];

  test('before any login, auth status --json is valid JSON with every service logged out (exit 0)', async () => {
    const r = await sb.run(['auth', 'status', '--json']);
    expect(r.code).toBe(0);
    const all = parseJson<Status[]>(r.stdout);
    expect(all).toHaveLength(5);
    expect(all.every((s) => s.loggedIn === false)).toBe(true);
  });

  test.each(good)('%s: a valid token is checked, stored in the keychain and shown by auth status', async (id) => {
    const r = await sb.run(['login', id, '--with-token'], { stdin: `${emu.tokens[id]}\n` });
    expect(r.stderr).toContain('Logged in to');
    expect(r.code).toBe(0);
    expect(lookup(emu.account(id))).toBe(emu.tokens[id]);

    const s = await sb.run(['auth', 'status', id, '--json']);
    expect(s.code).toBe(0);
    const st = parseJson<Status>(s.stdout);
    expect(st).toMatchObject({ provider: id, loggedIn: true, source: 'keychain' });
    if (id === 'zotero') expect(st.user?.id).toBe(String(SEED.zotero.userID));
    if (id === 'orcid') expect(st.user).toMatchObject({ orcid: SEED.orcid.orcid, name: SEED.orcid.name });
    if (id === 'nomad') expect(st.user?.username).toBe(SEED.nomad.username);
  });

  test.each(good)('%s: a wrong token is refused with exit 4 and nothing is stored', async (id) => {
    const account = emu.account(id);
    await sb.run(['logout', id]);
    const wrong = id === 'zotero' ? 'ABCDEFGHIJKLMNOPQRSTUVWX' : `wrong${emu.tokens[id].slice(5)}x`;
    sb.secret(wrong);
    const r = await sb.run(['login', id, '--with-token'], { stdin: wrong });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Nothing was stored/);
    expect(r.stdout).toBe('');
    expect(lookup(account)).toBe('');
    const accounts = join(sb.configDir, 'rdp', 'accounts.json');
    if (existsSync(accounts)) expect(readFileSync(accounts, 'utf8')).not.toContain(account);
    const s = await sb.run(['auth', 'status', id, '--json']);
    expect(s.code).toBe(4);
    expect(parseJson<{ error: { code: string } }>(s.stderr).error.code).toBe('AUTH_REQUIRED');
  });

  test('a token with spaces is malformed (exit 4); an empty stdin is a usage error (exit 2)', async () => {
    const r = await sb.run(['login', 'zenodo', '--with-token'], { stdin: 'two words' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not a Zenodo token/);
    const e = await sb.run(['login', 'zenodo', '--with-token'], { stdin: '' });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/No Zenodo token/);
    const z = await sb.run(['login', 'zotero', '--with-token', '--json'], { stdin: 'abc-def_ghi' });
    expect(z.code).toBe(4);
    expect(parseJson<{ error: { code: string } }>(z.stderr).error.code).toBe('AUTH_INVALID');
  });

  test('a second login replaces the stored token; logout deletes it', async () => {
    const second = emu.server.state.issue({ service: 'zenodo', userId: SEED.zenodo.id, scopes: ['deposit:write', 'deposit:actions'], kind: 'personal' });
    sb.secret(second.token);
    expect((await sb.run(['login', 'zenodo', '--with-token'], { stdin: emu.tokens.zenodo })).code).toBe(0);
    expect(lookup(emu.account('zenodo'))).toBe(emu.tokens.zenodo);
    expect((await sb.run(['login', 'zenodo', '--with-token'], { stdin: second.token })).code).toBe(0);
    expect(lookup(emu.account('zenodo'))).toBe(second.token);
    const t = await sb.run(['auth', 'token', 'zenodo'], { printsSecret: true });
    expect(t.stdout.trim()).toBe(second.token);

    const out = await sb.run(['logout', 'zenodo']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('Logged out');
    expect(lookup(emu.account('zenodo'))).toBe('');
    expect((await sb.run(['auth', 'token', 'zenodo'])).code).toBe(4);
    const again = await sb.run(['logout', 'zenodo']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing to remove/);
  });

  test('NOMAD: username and password become an app token; the password is never stored', async () => {
    const r = await sb.run(['login', 'nomad', '--username', SEED.nomad.username, '--password-stdin', '--lifetime', '7d', '--json'], {
      stdin: `${SEED.nomad.password}\n`,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = parseJson<{ expiresAt: string; storage: string }>(r.stdout);
    const days = (Date.parse(res.expiresAt) - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const stored = lookup(emu.account('nomad'));
    sb.secret(stored);
    expect(stored.split('.')).toHaveLength(3); // an app token (JWT), not the password
    expect(stored).not.toContain(SEED.nomad.password);

    const bad = await sb.run(['login', 'nomad', '--username', SEED.nomad.username, '--password-stdin'], { stdin: 'not-the-password' });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/username or password/);
    expect(lookup(emu.account('nomad'))).toBe(stored); // the earlier login is untouched

    const long = await sb.run(['login', 'nomad', '--username', 'jdoe', '--password-stdin', '--lifetime', '31d'], { stdin: 'x' });
    expect(long.code).toBe(2);
    const noTty = await sb.run(['login', 'nomad']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--password-stdin/);
  });

  test('ORCID: --orcid is checked (ISO 7064) before anything is sent', async () => {
    const before = emu.server.state.log.length;
    const r = await sb.run(['login', 'orcid', '--with-token', '--orcid', '0000-0002-1825-0098'], { stdin: emu.tokens.orcid });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/check character should be 7/);
    expect(emu.server.state.log.length).toBe(before);
    const ok = await sb.run(['login', 'orcid', '--with-token', '--orcid', 'https://orcid.org/0000-0002-1825-0097'], { stdin: emu.tokens.orcid });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('0000-0002-1825-0097');
  });

  test('the environment wins over the keychain, and auth status says so', async () => {
    await sb.run(['login', 'dmptool', '--with-token'], { stdin: emu.tokens.dmptool });
    const other = emu.server.state.issue({ service: 'dmptool', userId: '4711', scopes: ['read_dmps'], kind: 'oauth' });
    sb.secret(other.token);
    const s = await sb.run(['auth', 'status', 'dmptool', '--json'], { env: { RDP_DMPTOOL_TOKEN: other.token } });
    expect(parseJson<Status>(s.stdout)).toMatchObject({ source: 'env', loggedIn: true });
    const t = await sb.run(['auth', 'token', 'dmptool'], { env: { RDP_DMPTOOL_TOKEN: other.token }, printsSecret: true });
    expect(t.stdout.trim()).toBe(other.token);
  });

  test('auth status --json is valid JSON listing all five services', async () => {
    const r = await sb.run(['auth', 'status', '--json']);
    expect(r.code).toBe(0);
    const all = parseJson<Status[]>(r.stdout);
    expect(all.map((s) => s.provider)).toEqual(['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero']);
    const human = await sb.run(['auth', 'status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/NOMAD/);
  });

  test('--debug logs requests with credentials redacted', async () => {
    const r = await sb.run(['login', 'zenodo', '--with-token', '--debug'], { stdin: emu.tokens.zenodo });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[debug\] → GET http:\/\/127\.0\.0\.1:\d+\/zenodo\/api\/deposit\/depositions/);
    expect(r.stderr).toMatch(/\[debug\] keychain set/);
  });

  test('logout --all removes every rdp item from the keychain (run in a keyring of its own)', async () => {
    // `logout --all` clears every host's logins, so it runs in a private keyring, not the one the
    // other test files share.
    const script = [
      'set -e',
      'printf %s "$T_ZENODO" | node "$BIN" login zenodo --with-token',
      'printf %s "$T_DMPTOOL" | node "$BIN" login dmptool --with-token',
      'printf %s "$T_ZENODO" | node "$BIN" config set zenodo.client_secret',
      'test "$(secret-tool search --all service rdp 2>&1 | grep -c "^attribute.username")" = 3',
      'node "$BIN" logout --all',
      'echo "left: $(secret-tool search --all service rdp 2>&1 | grep "^attribute.username" | tr "\\n" " ")"',
    ].join('\n');
    // Not spawnSync: the emulator answering the CLI runs in this very process.
    const child = spawn(join(ROOT, 'scripts', 'with-secret-service.sh'), ['bash', '-c', script], {
      env: Object.fromEntries(
        Object.entries({ ...sb.env, XDG_CONFIG_HOME: join(sb.dir, 'own-keyring-config'), BIN, T_ZENODO: emu.tokens.zenodo, T_DMPTOOL: emu.tokens.dmptool }).filter(
          (e): e is [string, string] => e[1] !== undefined && e[0] !== 'RDP_WSS_INNER',
        ),
      ),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((res) => child.on('close', res));
    const r = { status, stdout, stderr };
    expect(r.stderr).toMatch(/Logged out: zenodo@127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/Logged out: dmptool@127\.0\.0\.1:\d+/);
    expect(r.status).toBe(0);
    // the config's client secret is not a login: it stays
    expect(r.stdout.trim()).toBe('left: attribute.username = config:zenodo.client_secret');
  });

  test('config: a client secret goes to the keychain, never the file', async () => {
    const secret = 'client-secret-value-123';
    sb.secret(secret);
    const r = await sb.run(['config', 'set', 'zenodo.client_secret'], { stdin: secret });
    expect(r.code).toBe(0);
    expect(lookup('config:zenodo.client_secret')).toBe(secret);
    const g = await sb.run(['config', 'get', 'zenodo.client_secret']);
    expect(g.stdout).toMatch(/kept in the keychain/);
    expect(readFileSync(join(sb.configDir, 'rdp', 'config.json'), 'utf8')).not.toContain(secret);
    expect((await sb.run(['config', 'unset', 'zenodo.client_secret'])).code).toBe(0);
    expect(lookup('config:zenodo.client_secret')).toBe('');
  });
});
