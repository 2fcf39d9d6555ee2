// The built CLI's contract (SPEC.md section 4): help, version, usage errors and their exit codes, the
// --json error document, completion scripts that match the committed ones, config, and clear errors
// when a provider answers HTML or cannot be reached.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireFeature } from '../helpers/features.js';
import { parseJson, ROOT, Sandbox } from '../helpers/sandbox.js';

const sb = new Sandbox();
afterAll(() => sb.cleanup());

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('help, version, usage', () => {
  test('--version prints the package version (fast path and through commander)', async () => {
    expect((await sb.run(['--version'])).stdout).toBe(`${pkg.version}\n`);
    const viaCommander = await sb.run(['--no-color', '--version']);
    expect(viaCommander.stdout).toBe(`${pkg.version}\n`);
    expect(viaCommander.code).toBe(0);
  });

  test('--help lists the commands with examples and exit codes', async () => {
    const r = await sb.run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['login', 'logout', 'auth', 'config', 'emulator', 'completion']) expect(r.stdout).toContain(c);
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 failure, 2 usage, 4 authentication/);
  });

  test('every command and subcommand has a help text with examples (found by walking the help itself)', async () => {
    const walk = async (path: string[]): Promise<string[][]> => {
      const r = await sb.run([...path, '--help']);
      expect(r.code).toBe(0);
      const section = r.stdout.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
      const names = section
        .split('\n')
        .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined && n !== 'help');
      const below = await Promise.all(names.map((n) => walk([...path, n])));
      return [path, ...below.flat()];
    };
    const paths = await walk([]);
    const found = paths.map((p) => p.join(' '));
    for (const c of ['auth', 'auth status', 'auth token', 'uploads', 'uploads list', 'config', 'config get', 'config set', 'config unset', 'config list', 'dmps', 'completion']) {
      expect(found).toContain(c);
    }
    const without: string[] = [];
    for (const p of paths) {
      const help = (await sb.run([...p, '--help'])).stdout;
      const examples = help.split(/\nExamples:\n/)[1] ?? '';
      if (!/^ {2}\$ rdp /m.test(examples)) without.push(`rdp ${p.join(' ')}`.trim());
    }
    expect(without).toEqual([]);
  });

  test('usage errors exit 2 with what to do next; --json prints them as JSON on stderr only', async () => {
    const unknown = await sb.run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/i);
    expect(unknown.stderr).toMatch(/--help/);

    const bad = await sb.run(['login', 'figshare', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(parseJson(bad.stderr)).toEqual({
      error: { code: 'USAGE', message: 'Unknown provider "figshare".', hint: 'Choose one of: zenodo, nomad, dmptool, orcid, zotero.' },
    });

    const missing = await sb.run(['login']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Missing the provider argument\.\nRun `rdp login --help` for usage\./);
    const flag = await sb.run(['auth', 'status', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/i);
    const both = await sb.run(['logout', 'zenodo', '--all']);
    expect(both.code).toBe(2);
    const neither = await sb.run(['logout']);
    expect(neither.code).toBe(2);
  });

  test('a mistyped command, provider or value: the nearest valid one is suggested, with the help of the command at hand', async () => {
    const doc = async (args: string[]) => {
      const r = await sb.run([...args, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      return parseJson<{ error: { message: string; hint?: string } }>(r.stderr).error;
    };
    expect(await doc(['login', 'zenodoo'])).toEqual({ code: 'USAGE', message: 'Unknown provider "zenodoo". Did you mean "zenodo"?', hint: 'Choose one of: zenodo, nomad, dmptool, orcid, zotero.' });
    expect((await doc(['logout', 'zotro'])).message).toBe('Unknown provider "zotro". Did you mean "zotero"?');
    expect(await doc(['uplaod', 'x'])).toMatchObject({ message: 'Unknown command "uplaod". Did you mean "upload"?', hint: 'Run `rdp --help` for usage.' });
    expect(await doc(['uploads', 'lst'])).toMatchObject({ message: 'Unknown command "lst". Did you mean "list"?', hint: 'Run `rdp uploads --help` for usage.' });
    // something shaped like an id that begins with a dash, but no id the command takes (a NOMAD upload id,
    // 22 characters, is taken: test/commands/dash-led-ids.test.ts): the hint says to put it after --
    expect(await doc(['publish', '-l0OabHPLGSpqOi-5turj', '--on', 'nomad'])).toMatchObject({ message: "Unknown option '-l0OabHPLGSpqOi-5turj'.", hint: expect.stringContaining('rdp publish [options] -- -l0OabHPLGSpqOi-5turj') });
    expect(await doc(['upload', 'x', '--to', 'zenodoo'])).toMatchObject({ message: '--to cannot be "zenodoo". Did you mean "zenodo"?', hint: 'Choose one of: zenodo, nomad.' });
    expect((await doc(['uploads', 'list', '--on', 'nomda'])).message).toBe('--on cannot be "nomda". Did you mean "nomad"?');
    expect((await doc(['completion', 'zhs'])).message).toBe('Unknown shell "zhs". Did you mean "zsh"?');
    expect(await doc(['upload', 'x', '--to', 'zenodo', '--tite', 'T'])).toMatchObject({ message: "Unknown option '--tite'. Did you mean '--title'?", hint: 'Run `rdp upload --help` for usage.' });
    expect((await doc(['upload', 'x'])).message).toBe('--to <service> is required.');
    // nothing close: no guess
    expect((await doc(['login', 'figshare'])).message).toBe('Unknown provider "figshare".');
    expect((await doc(['frobnicate'])).message).toBe('Unknown command "frobnicate".');
  });

  test('--limit that is not a count says it must be a positive whole number (no 2^53 in sight)', async () => {
    for (const v of ['abc', '0', '-3', '2.5']) {
      const r = await sb.run(['uploads', 'list', '--limit', v]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--limit must be a positive whole number (1, 2, 3, …), not "${v}".`);
      expect(r.stderr).not.toMatch(/9007199254740991/);
    }
    expect((await sb.run(['dmps', 'list', '-n', 'x'])).stderr).toMatch(/--limit must be a positive whole number/);
    expect((await sb.run(['upload', 'x', '--to', 'zenodo', '--concurrency', '17'])).stderr).toMatch(/--concurrency must be a whole number from 1 to 16, not "17"/);
  });

  test('login without a token and without a terminal explains the --with-token way (exit 2)', async () => {
    const r = await sb.run(['login', 'zenodo', '--insecure-storage']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--with-token/);
    const scoped = await sb.run(['login', 'zenodo', '--username', 'x', '--insecure-storage']);
    expect(scoped.code).toBe(2);
    expect(scoped.stderr).toMatch(/NOMAD only/);
  });

  test('a bad RDP_<ID>_URL is a usage error naming the variable', async () => {
    const r = await sb.run(['auth', 'status', 'zenodo'], { env: { RDP_ZENODO_URL: 'ftp://example.org' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RDP_ZENODO_URL must be an http/);
  });

  test('--sandbox for a provider without a sandbox is a usage error', async () => {
    const r = await sb.run(['auth', 'status', 'dmptool', '--sandbox']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DMPTool has no sandbox/);
  });
});

describe('completion scripts', () => {
  const files = { bash: 'completions/rdp.bash', zsh: 'completions/_rdp', fish: 'completions/rdp.fish' } as const;

  test.each(Object.entries(files))('`rdp completion %s` matches the committed %s (run `npm run completions` when this fails)', async (shell, file) => {
    const r = await sb.run(['completion', shell]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });

  test('the bash script completes commands, providers and options', () => {
    const complete = (line: string) => {
      const words = line.split(' ');
      const script = `source ${join(ROOT, files.bash)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rdp; echo "\${COMPREPLY[*]}"`;
      return spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.trim();
    };
    expect(complete('rdp lo')).toBe('login logout');
    expect(complete('rdp login z').split(' ')).toEqual(['zenodo', 'zotero']);
    expect(complete('rdp auth st')).toBe('status');
    expect(complete('rdp login zenodo --with')).toBe('--with-token');
  });

  const zsh = requireFeature('zsh', spawnSync('zsh', ['--version']).status === 0, 'apt-get install zsh');
  test.skipIf(!zsh)('the zsh script parses', () => {
    expect(spawnSync('zsh', ['-n', join(ROOT, files.zsh)]).status).toBe(0);
  });
  const fish = requireFeature('fish', spawnSync('fish', ['--version']).status === 0, 'apt-get install fish');
  test.skipIf(!fish)('the fish script parses', () => {
    expect(spawnSync('fish', ['--no-execute', join(ROOT, files.fish)]).status).toBe(0);
  });
});

describe('config', () => {
  test('list with nothing set prints every known key: "(not set)" on a terminal, empty values piped, all keys in --json', async () => {
    const fresh = new Sandbox();
    try {
      const piped = await fresh.run(['config', 'list']);
      expect(piped.code).toBe(0);
      const rows = piped.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
      const keys = rows.map((r) => r[0]);
      for (const k of ['zenodo.url', 'zenodo.client_id', 'zenodo.client_secret', 'zenodo.port', 'nomad.url', 'dmptool.url', 'orcid.client_id', 'zotero.url']) expect(keys).toContain(k);
      expect(rows.every((r) => r.length === 3 && r[1] === '' && (r[2] ?? '').length > 0)).toBe(true);
      const json = parseJson<{ key: string; set: boolean }[]>((await fresh.run(['config', 'list', '--json'])).stdout);
      expect(json.map((e) => e.key)).toEqual(keys);
      expect(json.every((e) => !e.set)).toBe(true);
      const term = fresh.start(['config', 'list'], { pty: true });
      const t = await term.done;
      expect(t.code).toBe(0);
      expect(t.stdout).toMatch(/KEY\s+VALUE\s+DESCRIPTION/);
      expect(t.stdout).toMatch(/zenodo\.url\s+\(not set\)\s+base URL/);
    } finally {
      fresh.cleanup();
    }
  });

  test('set, get, list and unset a URL; bad keys and values are refused', async () => {
    expect((await sb.run(['config', 'set', 'zenodo.url', 'https://sandbox.zenodo.org'])).code).toBe(0);
    const g = await sb.run(['config', 'get', 'zenodo.url']);
    expect(g.stdout).toBe('https://sandbox.zenodo.org\n');
    const list = await sb.run(['config', 'list', '--json']);
    expect(parseJson<{ key: string; value?: string }[]>(list.stdout)).toContainEqual(expect.objectContaining({ key: 'zenodo.url', value: 'https://sandbox.zenodo.org' }));
    const rows = (await sb.run(['config', 'list'])).stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.find((r) => r[0] === 'zenodo.url')?.slice(0, 2)).toEqual(['zenodo.url', 'https://sandbox.zenodo.org']);
    const st = await sb.run(['auth', 'status', 'zenodo', '--json'], { env: { RDP_ZENODO_TOKEN: 'x'.repeat(60) } });
    expect(parseJson<{ host: string }>(st.stdout).host).toBe('sandbox.zenodo.org');
    expect((await sb.run(['config', 'unset', 'zenodo.url'])).code).toBe(0);
    expect((await sb.run(['config', 'get', 'zenodo.url'])).stdout).toBe('');

    const badKey = await sb.run(['config', 'set', 'zenodo.colour', 'blue']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/Known keys: zenodo.url/);
    const badUrl = await sb.run(['config', 'set', 'nomad.url', 'not a url']);
    expect(badUrl.code).toBe(2);
  });
});

describe('providers that answer badly', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Login required</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('an HTML page instead of the API is a clear error, and nothing is stored', async () => {
    const r = await sb.run(['login', 'nomad', '--with-token', '--insecure-storage', '--json'], {
      stdin: 'a-token-value',
      env: { RDP_NOMAD_URL: `${base}/api/v1` },
    });
    expect(r.code).toBe(1);
    const e = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr);
    expect(e.error.code).toBe('BAD_RESPONSE');
    expect(e.error.message).toMatch(/HTML page/);
    expect(e.error.hint).toMatch(/RDP_NOMAD_URL/);
  });

  test('a server that is not there is a network error after retries', async () => {
    const r = await sb.run(['login', 'zenodo', '--with-token', '--insecure-storage'], {
      stdin: 'a-token-value',
      env: { RDP_ZENODO_URL: 'http://127.0.0.1:9', RDP_RETRY_BASE_MS: '10' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot reach Zenodo at 127\.0\.0\.1:9: connection refused/);
    expect(r.stderr).toMatch(/retrying in/);
  });
});
