// Adding a provider is one new folder plus one line in src/providers/index.ts (and the README, and
// regenerated completions). This test adds a throwaway provider at run time, as a site from the config
// would be added (registerProviders, before the command tree is built), and drives it through every
// command that takes providers, in-process through main(): nothing outside its descriptor names it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerProviders, resetProviders } from '../../src/providers/index.js';
import type { Deposit, Provider } from '../../src/providers/types.js';
import { NO_KEYCHAIN, runMain } from '../helpers/run-main.js';
import { Sandbox } from '../helpers/sandbox.js';

const TOKEN = 'figtest-token-0123456789';
const uploads: { title?: string; paths: string[] }[] = [];

/** A provider with a token login and two capabilities, talking to no server (it keeps its uploads here). */
const figtest: Provider = {
  id: 'figtest',
  name: 'Figtest',
  endpoints: {
    production: { web: 'https://figtest.invalid', api: 'https://api.figtest.invalid', accountHost: 'figtest.invalid' },
    fromOverride: (base) => ({ web: base, api: base }),
  },
  env: { token: 'RDP_FIGTEST_TOKEN', url: 'RDP_FIGTEST_URL' },
  errorBody: () => undefined,
  auth: {
    header: (token) => ({ authorization: `Token ${token}` }),
    classify: () => undefined,
    tokenHelp: 'make one at <web>/tokens',
    verify: async (_ports, _ep, token) => {
      if (token !== TOKEN) throw new Error('not the figtest token');
      return { user: { username: 'fig' }, expiresAt: null, grant: 'token' };
    },
  },
  deposit: {
    options: [{ flags: '--fig-title <text>', description: 'Figtest: the title' }],
    readOptions: (input) => ({ title: input.options.figTitle as string | undefined }),
    help: '\nFigtest (--to figtest): a test provider.\n',
    examples: ['rdp upload data --to figtest --fig-title T'],
    load: async () => ({
      run: async (ports, input) => {
        const login = await ports.login();
        uploads.push({ title: (input.read as { title?: string }).title, paths: input.paths });
        const d: Deposit = {
          provider: 'figtest',
          dryRun: input.dryRun,
          id: `fig-${uploads.length}`,
          url: `${login?.endpoints.web}/${uploads.length}`,
          doi: null,
          published: input.publish,
          files: input.paths.map((name) => ({ name, size: 0, action: 'upload' })),
          skipped: [],
          bytesSent: 0,
          notes: [],
        };
        return d;
      },
      render: (_io, r) => `figtest deposit ${r.id}`,
    }),
  },
  list: {
    columns: 'Columns for Figtest: ID, TITLE.',
    load: async () => ({
      list: async () => ({ rows: uploads.map((u, i) => ({ id: `fig-${i + 1}`, title: u.title ?? '' })), more: false }),
      render: (_io, rows) => (rows as { id: string; title: string }[]).map((r) => `${r.id}\t${r.title}`).join('\n'),
    }),
  },
};

let sb: Sandbox;
let env: Record<string, string | undefined>;

beforeAll(() => {
  registerProviders([figtest]);
  sb = new Sandbox();
  mkdirSync(join(sb.dir, 'data'));
  writeFileSync(join(sb.dir, 'data', 'a.txt'), 'a');
  env = { ...NO_KEYCHAIN, XDG_CONFIG_HOME: join(sb.dir, 'config'), XDG_STATE_HOME: join(sb.dir, 'state') };
});
afterAll(() => {
  resetProviders();
  sb.cleanup();
});

const rdp = (argv: string[], opts: { stdin?: string; env?: Record<string, string | undefined> } = {}) => runMain(argv, { env: { ...env, ...opts.env }, stdin: opts.stdin, cwd: sb.dir });

describe('a provider added at run time takes part in every command, from its descriptor alone', () => {
  test('the command tree offers it: login, --to, --on, its upload option and help', async () => {
    expect((await rdp(['login', '--help'])).stdout).toMatch(/zenodo, nomad, dmptool, orcid, zotero or figtest/);
    const upload = (await rdp(['upload', '--help'])).stdout;
    expect(upload).toMatch(/Upload files and folders to Zenodo, NOMAD or Figtest/);
    expect(upload).toMatch(/--fig-title <text>\s+Figtest: the title/);
    expect(upload).toMatch(/Figtest \(--to figtest\): a test provider\./);
    expect((await rdp(['uploads', 'list', '--help'])).stdout).toMatch(/Columns for Figtest: ID, TITLE\./);
  });

  test('login with a token (checked by its verify), status, token, logout', async () => {
    const bad = await rdp(['login', 'figtest', '--with-token', '--insecure-storage', '--json'], { stdin: 'wrong' });
    expect(bad.code).toBe(1);
    const login = await rdp(['login', 'figtest', '--with-token', '--insecure-storage', '--json'], { stdin: TOKEN });
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ provider: 'figtest', account: 'figtest@figtest.invalid', storage: 'file', user: { username: 'fig' } });
    const status = await rdp(['auth', 'status', 'figtest', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ provider: 'figtest', name: 'Figtest', loggedIn: true, source: 'file' });
    const out = await rdp(['logout', 'figtest', '--json']);
    expect(JSON.parse(out.stdout).removed).toEqual([{ account: 'figtest@figtest.invalid', from: ['file'] }]);
  });

  test('its environment token and URL variables work like any other', async () => {
    const t = await rdp(['auth', 'token', 'figtest'], { env: { RDP_FIGTEST_TOKEN: TOKEN } });
    expect(t.stdout.trim()).toBe(TOKEN);
    const s = await rdp(['auth', 'status', 'figtest', '--json'], { env: { RDP_FIGTEST_TOKEN: TOKEN, RDP_FIGTEST_URL: 'https://fig.example.org' } });
    expect(JSON.parse(s.stdout)).toMatchObject({ host: 'fig.example.org', source: 'env', location: 'RDP_FIGTEST_TOKEN' });
  });

  test('upload --to it: its own option reaches it as data; the Deposit comes back as --json; others refuse its flag', async () => {
    const r = await rdp(['upload', 'data', '--to', 'figtest', '--fig-title', 'Hello', '--json'], { env: { RDP_FIGTEST_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'figtest', id: 'fig-1', url: 'https://figtest.invalid/1', published: false, files: [{ name: 'data', action: 'upload' }] });
    expect(uploads).toEqual([{ title: 'Hello', paths: ['data'] }]);
    const human = await rdp(['upload', 'data', '--to', 'figtest'], { env: { RDP_FIGTEST_TOKEN: TOKEN } });
    expect(human.stdout).toBe('figtest deposit fig-2\n');
    const mixed = await rdp(['upload', 'data', '--to', 'nomad', '--fig-title', 'x', '--json']);
    expect(mixed.code).toBe(2);
    expect(JSON.parse(mixed.stderr).error.message).toBe('--fig-title works only with --to figtest, not with --to nomad.');
    const noLogin = await rdp(['upload', 'data', '--to', 'figtest', '--json']);
    expect(noLogin.code).toBe(4);
    expect(JSON.parse(noLogin.stderr).error).toMatchObject({ code: 'AUTH_REQUIRED', hint: expect.stringMatching(/RDP_FIGTEST_TOKEN.*rdp login figtest/) });
  });

  test('uploads list --on it, and among every service logged in to', async () => {
    const one = await rdp(['uploads', 'list', '--on', 'figtest', '--json'], { env: { RDP_FIGTEST_TOKEN: TOKEN } });
    expect(JSON.parse(one.stdout)).toEqual([
      { id: 'fig-1', title: 'Hello' },
      { id: 'fig-2', title: '' },
    ]);
    const all = await rdp(['uploads', 'list', '--json'], { env: { RDP_FIGTEST_TOKEN: TOKEN } });
    expect(Object.keys(JSON.parse(all.stdout))).toEqual(['figtest']);
  });

  test('its config key exists', async () => {
    const keys = JSON.parse((await rdp(['config', 'list', '--json'])).stdout) as { key: string }[];
    expect(keys.map((k) => k.key)).toContain('figtest.url');
    expect((await rdp(['config', 'set', 'figtest.url', 'https://fig.example.org'])).code).toBe(0);
  });
});
