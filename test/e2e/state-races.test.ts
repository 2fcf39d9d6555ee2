// rdp processes running at the same time must not lose each other's changes to the state files
// (issue 17: concurrent `login --with-token --insecure-storage` each said "Logged in" and one token was
// gone). Ten logins at once, to ten accounts (five services on two emulators), in several rounds;
// then concurrent `config set`; and a lock left behind by a process that died is taken over.
import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServiceId as ProviderId } from '../../src/emulator/ids.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { Sandbox } from '../helpers/sandbox.js';

const IDS: ProviderId[] = ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero'];
let emus: TestEmulator[] = [];

beforeAll(async () => {
  emus = [await startTestEmulator(), await startTestEmulator()];
});
afterAll(async () => {
  for (const e of emus) await e.close();
});

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('concurrent rdp processes', () => {
  test('10 logins --with-token --insecure-storage at once: every token and every account record survives (3 rounds)', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const sb = new Sandbox({ RDP_RETRY_BASE_MS: '10' });
      try {
        const runs = emus.flatMap((emu) =>
          IDS.map((id) => {
            sb.secret(emu.tokens[id]);
            return sb.run(['login', id, '--with-token', '--insecure-storage'], {
              env: { [`RDP_${id.toUpperCase()}_URL`]: emu.env[`RDP_${id.toUpperCase()}_URL`] },
              stdin: `${emu.tokens[id]}\n`,
              timeoutMs: 120_000,
            });
          }),
        );
        const results = await Promise.all(runs);
        for (const r of results) expect(r.stderr).toMatch(/Logged in to/);
        expect(results.map((r) => r.code)).toEqual(Array(10).fill(0));
        const tokens = readJson<{ credentials: Record<string, { token: string }> }>(join(sb.configDir, 'rdp', 'tokens.json')).credentials;
        const accounts = readJson<{ accounts: Record<string, unknown> }>(join(sb.configDir, 'rdp', 'accounts.json')).accounts;
        const expected = Object.fromEntries(emus.flatMap((emu) => IDS.map((id) => [emu.account(id), { token: emu.tokens[id] }])));
        expect(tokens).toEqual(expected);
        expect(Object.keys(accounts).sort()).toEqual(Object.keys(expected).sort());
        sb.assertNoLeaks();
      } finally {
        sb.cleanup();
      }
    }
  });

  test('concurrent `config set` of different keys: all of them are kept', { timeout: 120_000 }, async () => {
    const sb = new Sandbox();
    try {
      const values = IDS.map((id, i) => [`${id}.url`, `https://${id}.example.org/base${i}`] as const);
      // NOMAD has no browser login and DMPTool logs in out-of-band: neither has a port key.
      const ports = IDS.filter((id) => id !== 'nomad' && id !== 'dmptool').map((id, i) => [`${id}.port`, String(8000 + i)] as const);
      const all = [...values, ...ports];
      const results = await Promise.all(all.map(([k, v]) => sb.run(['config', 'set', k, v])));
      expect(results.map((r) => r.code)).toEqual(all.map(() => 0));
      const file = readJson<{ values: Record<string, string> }>(join(sb.configDir, 'rdp', 'config.json'));
      expect(file.values).toEqual(Object.fromEntries(all));
    } finally {
      sb.cleanup();
    }
  });

  test('a lock left behind by a process that died (not refreshed for a while) is taken over', async () => {
    const sb = new Sandbox();
    try {
      const lock = join(sb.configDir, 'rdp', 'config.json.lock');
      mkdirSync(lock, { recursive: true });
      const old = new Date(Date.now() - 60_000);
      utimesSync(lock, old, old);
      const r = await sb.run(['config', 'set', 'zenodo.url', 'https://zenodo.example.org']);
      expect(r.code).toBe(0);
      expect(readJson<{ values: Record<string, string> }>(join(sb.configDir, 'rdp', 'config.json')).values).toEqual({ 'zenodo.url': 'https://zenodo.example.org' });
    } finally {
      sb.cleanup();
    }
  });
});
