// Local files given to rdp (issue 17): --metadata with an absolute path, a metadata file far too
// large to be one (refused by its size, before it is read), and where `config get` says a client
// secret is kept.
import { closeSync, mkdirSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator();
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_RETRY_BASE_MS: '10' });
  sb.secret(emu.tokens.zenodo);
  mkdirSync(join(sb.dir, 'data'));
  writeFileSync(join(sb.dir, 'data', 'a.csv'), 'a\n');
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

describe('--metadata', () => {
  test('an absolute path is read from where it is, not joined to the working directory', async () => {
    const abs = join(sb.dir, 'elsewhere', 'meta.json');
    mkdirSync(join(sb.dir, 'elsewhere'));
    writeFileSync(abs, JSON.stringify({ metadata: { title: 'From an absolute path' } }));
    const r = await sb.run(['upload', '.', '--to', 'zenodo', '--dry-run', '--json', '--metadata', abs], { cwd: join(sb.dir, 'data') });
    expect(r.stderr).not.toMatch(/no such file/);
    expect(r.code).toBe(0);
    expect(parseJson<{ metadata: { title: string } }>(r.stdout).metadata.title).toBe('From an absolute path');
  });

  test('a file far too large to be metadata is refused by its size, before it is read (exit 2)', async () => {
    const huge = join(sb.dir, 'huge.json');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 1024 ** 3); // 1 GiB, sparse: costs no disk
    closeSync(fd);
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--dry-run', '--metadata', huge]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: ${huge} is 1.07 GB; a metadata file (.zenodo.json, CITATION.cff) is a few kB, and rdp reads at most 4.19 MB.`);
  });
});

describe('config get of a secret', () => {
  test('says the plaintext file when it is there (and the keychain only when it is there)', async () => {
    const set = await sb.run(['config', 'set', 'zenodo.client_secret', '--insecure-storage'], { stdin: 'a-client-secret-value\n' });
    // (kept in config.json on purpose, so not in the sandbox's leak scan of the config files)
    expect(set.code).toBe(0);
    const get = await sb.run(['config', 'get', 'zenodo.client_secret']);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe(`(set; kept in plaintext in ${join(sb.configDir, 'rdp', 'config.json')})\n`);
    const json = await sb.run(['config', 'get', 'zenodo.client_secret', '--json']);
    expect(parseJson(json.stdout)).toMatchObject({ secret: true, set: true, storage: 'file' });
    for (const r of [set, get, json]) expect(r.stdout + r.stderr).not.toContain('a-client-secret-value');
  });
});
