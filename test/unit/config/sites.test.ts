// The sites in the config file: read at start-up (synchronously), changed under the file's lock, and
// kept when `rdp config set|unset` rewrites the file (and the other way round).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigStore } from '../../../src/config/config.js';
import { paths } from '../../../src/config/paths.js';
import { configPath, readSites, readSitesSync, updateSites } from '../../../src/config/sites.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-sites-'));
  env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sites in the config file', () => {
  test('the start-up reader finds the same file as config/paths.ts, for every way of choosing it', () => {
    for (const e of [env, { HOME: dir }, { HOME: dir, RDP_CONFIG_DIR: join(dir, 'elsewhere') }]) expect(configPath(e)).toBe(paths(e).config);
  });

  test('added and removed under the lock; `config set` and `config unset` keep them, and they keep the values', async () => {
    const path = configPath(env);
    expect(readSitesSync(env)).toEqual([]);
    await updateSites(path, (s) => [...s, { name: 'tuwien', url: 'https://researchdata.tuwien.ac.at', added: '2026-12-01T00:00:00.000Z' }]);
    const config = new ConfigStore(path);
    await config.put('zenodo.url', 'https://sandbox.zenodo.org');
    await updateSites(path, (s) => [...s, { name: 'caltech', url: 'https://data.caltech.edu', sandboxUrl: 'https://data.caltechlibrary.dev', added: '2026-12-01T00:00:00.000Z' }]);
    await config.remove('zenodo.url');
    await config.put('nomad.url', 'https://nomad.example.org/api/v1');
    expect(readSitesSync(env).map((s) => [s.name, s.url, s.sandboxUrl])).toEqual([
      ['caltech', 'https://data.caltech.edu', 'https://data.caltechlibrary.dev'],
      ['tuwien', 'https://researchdata.tuwien.ac.at', undefined],
    ]);
    expect(await new ConfigStore(path).value('nomad.url')).toBe('https://nomad.example.org/api/v1');
    await updateSites(path, (s) => s.filter((x) => x.name !== 'tuwien'));
    expect((await readSites(path)).map((s) => s.name)).toEqual(['caltech']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, values: { 'nomad.url': 'https://nomad.example.org/api/v1' }, sites: { caltech: { url: 'https://data.caltech.edu' } } });
  });

  test('a broken file holds no sites at start-up (the commands that read it say what is wrong)', () => {
    mkdirSync(join(dir, 'config', 'rdp'), { recursive: true });
    writeFileSync(configPath(env), '{ not json');
    expect(readSitesSync(env)).toEqual([]);
    writeFileSync(configPath(env), JSON.stringify({ version: 1, values: {}, sites: { x: { url: 5 }, ok: { url: 'https://a.example' } } }));
    expect(readSitesSync(env).map((s) => s.name)).toEqual(['ok']);
  });
});
