// The keychain when it is not there or does not answer (keychain.md "Failure modes"): no D-Bus at all,
// and a bus that accepts connections and never replies. rdp must end promptly with a clear error that
// offers --insecure-storage and the environment variables, and must never store anything silently.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, ROOT, Sandbox } from '../helpers/sandbox.js';
import { wedgedBus } from '../helpers/wedged-bus.js';

let emu: TestEmulator;
let sb: Sandbox;
let noBus: Record<string, string | undefined>;

beforeAll(async () => {
  emu = await startTestEmulator();
  sb = new Sandbox(emu.env);
  sb.secret(...Object.values(emu.tokens));
  const runtime = join(sb.dir, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  // No session bus address, and no bus socket where libdbus would look for one.
  noBus = { DBUS_SESSION_BUS_ADDRESS: undefined, XDG_RUNTIME_DIR: runtime, DISPLAY: undefined };
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

describe('no D-Bus session', () => {
  test('login fails with a clear error naming --insecure-storage, before reading or storing anything', async () => {
    const r = await sb.run(['login', 'zenodo', '--with-token'], { stdin: emu.tokens.zenodo, env: noBus });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No usable OS keychain/);
    expect(r.stderr).toMatch(/--insecure-storage/);
    expect(r.stderr).toMatch(/RDP_ZENODO_TOKEN/);
    expect(readdirSync(sb.dir)).not.toContain('config');
  });

  test('every command that reads the store says so, naming --insecure-storage (--json gives the error as JSON)', async () => {
    writeFileSync(join(sb.dir, 'data.csv'), 'a,b\n1,2\n');
    // A command that needs a token: not logged in (exit 4), and why (no keychain here).
    const cases: [string[], number, string][] = [
      [['auth', 'token', 'zenodo'], 4, 'AUTH_REQUIRED'],
      [['auth', 'status', 'nomad'], 4, 'AUTH_REQUIRED'],
      [['upload', 'data.csv', '--to', 'zenodo'], 4, 'AUTH_REQUIRED'],
      [['dmps', 'list'], 4, 'AUTH_REQUIRED'],
    ];
    for (const [args, code, errorCode] of cases) {
      const r = await sb.run([...args, '--json'], { env: noBus });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      const e = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr);
      expect(e.error.code, args.join(' ')).toBe(errorCode);
      expect(`${e.error.message} ${e.error.hint}`).toMatch(/No usable OS keychain|no usable OS keychain/);
      expect(e.error.hint).toMatch(/--insecure-storage/);
      // Plain words, not the library's D-Bus text.
      expect(`${e.error.message} ${e.error.hint}`).not.toMatch(/autolaunch|Platform failure|zbus|os error|DBus error/);
    }
  });

  test('the error says in plain words that no keychain runs, how to get one, and the variable that fits what was being stored (--debug shows the raw reason)', async () => {
    const login = await sb.run(['login', 'zenodo', '--with-token', '--debug'], { stdin: emu.tokens.zenodo, env: noBus });
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/No usable OS keychain \(Secret Service keyring\): no keychain is running here/);
    expect(login.stderr).toMatch(/GNOME Keyring, or KeePassXC/);
    expect(login.stderr).toMatch(/set RDP_ZENODO_TOKEN instead, or add --insecure-storage/);
    expect(login.stderr).not.toMatch(/RDP_NOMAD_TOKEN|RDP_ZENODO_CLIENT_SECRET/);
    expect(login.stderr).toMatch(/\[debug\] keychain: .*(autolaunch|Failed to connect|zbus|DBus)/);
    const human = login.stderr.split('\n').filter((l) => !l.startsWith('[debug]')).join('\n');
    expect(human).not.toMatch(/autolaunch|Platform failure|zbus|DBus error/);

    const secret = await sb.run(['config', 'set', 'zenodo.client_secret'], { stdin: 'a-client-secret', env: noBus });
    sb.secret('a-client-secret');
    expect(secret.code).toBe(1);
    expect(secret.stderr).toMatch(/set RDP_ZENODO_CLIENT_SECRET instead/);
    expect(secret.stderr).toMatch(/--insecure-storage to keep it in the config file/);
    expect(secret.stderr).not.toMatch(/RDP_ZENODO_TOKEN/);
  });

  test('flags and configuration are checked before the keychain: a missing OAuth client or a bad --timeout is the error, not D-Bus', async () => {
    const notEmulator = { ...noBus, RDP_ZENODO_URL: 'http://127.0.0.1:9/zenodo', RDP_ZENODO_CLIENT_ID: undefined, RDP_ZENODO_CLIENT_SECRET: undefined };
    const client = await sb.run(['login', 'zenodo'], { env: notEmulator });
    expect(client.code).toBe(2);
    expect(client.stderr).toMatch(/No OAuth client for Zenodo is configured/);
    expect(client.stderr).not.toMatch(/keychain/i);
    const timeout = await sb.run(['login', 'zenodo', '--timeout', 'abc'], { env: noBus });
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/"abc" is not a duration/);
    expect(timeout.stderr).not.toMatch(/keychain/i);
    const empty = await sb.run(['login', 'nomad', '--with-token'], { stdin: '', env: noBus });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No NOMAD token was given on stdin/);
    expect(empty.stderr).toMatch(/rdp login nomad --username/);
    expect(empty.stderr).not.toMatch(/browser|keychain/i);
    // On a terminal, the guided registration would need the keychain for the secret: the missing
    // client is still said first, with the way around the keychain.
    const tty = sb.start(['login', 'zenodo'], { pty: true, env: notEmulator });
    const t = await tty.done;
    expect(t.code).toBe(2);
    const text = t.stdout.replace(/\u001b\[[0-9;]*m/g, ''); // (colours: NO_COLOR on a terminal is another change)
    expect(text).toMatch(/^Error: No OAuth client for Zenodo is configured/m);
    expect(text).toMatch(/rdp could walk you through registering one here, but no usable OS keychain .* Run it again with --insecure-storage/s);
    expect(text).not.toMatch(/Register one now/);
    // Everything checked and fine: the keychain is the error, before any browser is opened.
    const ok = await sb.run(['login', 'orcid', '--no-browser'], { env: noBus });
    expect(ok.code).toBe(1);
    expect(ok.stderr).toMatch(/No usable OS keychain/);
    expect(ok.stderr).not.toMatch(/oauth\/authorize/);
  });

  test('logout without a keychain: file logins are removed, exit 0, and nothing is said about a keychain', async () => {
    expect((await sb.run(['login', 'zotero', '--with-token', '--insecure-storage'], { stdin: emu.tokens.zotero, env: noBus })).code).toBe(0);
    expect((await sb.run(['login', 'nomad', '--with-token', '--insecure-storage'], { stdin: emu.tokens.nomad, env: noBus })).code).toBe(0);
    const one = await sb.run(['logout', 'zotero'], { env: noBus });
    expect(one.code).toBe(0);
    expect(one.stderr).toMatch(/Logged out: zotero@/);
    expect(one.stderr).not.toMatch(/keychain/i);
    const none = await sb.run(['logout', 'orcid'], { env: noBus });
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/Not logged in as orcid@/);
    expect(none.stderr).not.toMatch(/keychain/i);
    const all = await sb.run(['logout', '--all', '--json'], { env: noBus });
    expect(all.code).toBe(0);
    expect(all.stderr).not.toMatch(/keychain/i);
    expect(parseJson<{ removed: { account: string }[] }>(all.stdout).removed.map((x) => x.account)).toEqual([emu.account('nomad')]);
    expect((await sb.run(['auth', 'token', 'nomad'], { env: noBus })).code).toBe(4);
  });

  test('npm run demo on a machine without a keychain says so once, plainly, and finishes', async () => {
    const r = await sb.run([], { env: noBus, timeoutMs: 180_000, script: join(ROOT, 'scripts', 'demo.mjs') });
    expect(r.code).toBe(0);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(all.match(/no usable OS keychain/gi)).toHaveLength(1);
    expect(all).toMatch(/keeps its logins in a throwaway plaintext file \(--insecure-storage/);
    expect(all).not.toMatch(/autolaunch|Platform failure|zbus|DBus error|demo failed/);
    expect(all).toMatch(/Demo finished/);
  }, 200_000);

  test('auth status shows the environment\'s tokens (CI); without a keychain the rest are simply not logged in, said once', async () => {
    const r = await sb.run(['auth', 'status', '--json'], { env: { ...noBus, RDP_ZENODO_TOKEN: emu.tokens.zenodo } });
    expect(r.code).toBe(0);
    const all = parseJson<{ provider: string; loggedIn: boolean; source?: string; error?: { code: string } }[]>(r.stdout);
    expect(all.find((s) => s.provider === 'zenodo')).toMatchObject({ loggedIn: true, source: 'env' });
    const rest = all.filter((s) => s.provider !== 'zenodo');
    // Not logged in, and why (for scripts): no keychain here.
    expect(rest.every((s) => s.loggedIn === false && s.error?.code === 'KEYCHAIN_UNAVAILABLE')).toBe(true);
    const human = await sb.run(['auth', 'status'], { env: { ...noBus, RDP_ZENODO_TOKEN: emu.tokens.zenodo } });
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(/could not be read/);
    expect(human.stdout).toMatch(/NOMAD.*\n\s+✗ not logged in; run `rdp login nomad`/);
    expect(human.stderr.match(/No usable OS keychain/g)).toHaveLength(1);
    expect(human.stderr).toMatch(/RDP_<ID>_TOKEN/);
    // No login anywhere: a list of services not logged in (exit 0, as on a machine with a keychain), not an error.
    const none = await sb.run(['auth', 'status', '--json'], { env: noBus });
    expect(none.code, none.stderr).toBe(0);
    expect(parseJson<{ loggedIn: boolean }[]>(none.stdout).every((s) => !s.loggedIn)).toBe(true);
  });

  test('a token from the environment works without any keychain', async () => {
    const r = await sb.run(['auth', 'token', 'zenodo'], { env: { ...noBus, RDP_ZENODO_TOKEN: emu.tokens.zenodo }, printsSecret: true });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(emu.tokens.zenodo);
  });

  test('--insecure-storage keeps the token in a 0600 file, and later commands find it without the flag', async () => {
    const r = await sb.run(['login', 'zotero', '--with-token', '--insecure-storage'], { stdin: emu.tokens.zotero, env: noBus });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stored in a plaintext file/);
    const dir = join(sb.configDir, 'rdp');
    const file = join(dir, 'tokens.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(emu.tokens.zotero);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const s = await sb.run(['auth', 'status', 'zotero', '--json'], { env: noBus });
    expect(s.code).toBe(0);
    expect(parseJson<{ source: string; user: { id: string } }>(s.stdout)).toMatchObject({ source: 'file', user: { id: '123456' } });
    const t = await sb.run(['auth', 'token', 'zotero'], { env: noBus, printsSecret: true });
    expect(t.stdout.trim()).toBe(emu.tokens.zotero);

    const out = await sb.run(['logout', 'zotero'], { env: noBus });
    expect(out.code).toBe(0);
    expect(readdirSync(dir)).not.toContain('tokens.json');
  });
});

describe('a D-Bus that accepts connections and never answers', () => {
  let bus: Awaited<ReturnType<typeof wedgedBus>>;
  beforeAll(async () => {
    bus = await wedgedBus(sb.dir);
  });
  afterAll(async () => {
    await bus.close();
  });

  const commands: [string[], string | undefined][] = [
    [['login', 'zenodo', '--with-token'], 'token'],
    [['auth', 'status'], undefined],
    [['auth', 'status', 'zenodo'], undefined],
    [['auth', 'token', 'dmptool'], undefined],
    [['logout', 'nomad'], undefined],
    [['logout', '--all'], undefined],
    [['config', 'set', 'orcid.client_secret'], 'a-client-secret'],
  ];

  // The bound itself (3 s, then the helper is killed) is timed on an injected clock in
  // test/unit/store/keychain.test.ts; here the built CLI must end (the run is killed after 15 s, which
  // fails it) with the keychain's error and the way around it.
  test.each(commands)('rdp %j ends with a clear error (the keychain bound)', async (args, stdin) => {
    const r = await sb.run(args, {
      env: { DBUS_SESSION_BUS_ADDRESS: bus.address, DISPLAY: undefined, RDP_KEYCHAIN_TIMEOUT_MS: undefined }, // the product's 3 s bound
      stdin: stdin === 'token' ? emu.tokens.zenodo : stdin,
      timeoutMs: 15_000,
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not answer within 3 s/);
    expect(r.stderr).toMatch(/--insecure-storage/);
  });
});
