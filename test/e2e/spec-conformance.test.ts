// Statements of SPEC.md checked line by line against the built CLI (an audit's findings, each a case
// that the CLI once got wrong).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;

beforeAll(() => {
  sb = new Sandbox();
});
afterAll(() => {
  sb.cleanup();
});

/** SPEC.md section 4: "--json: on failure stdout is empty and stderr holds {"error":{"code",...}}". */
function jsonError(r: { stdout: string; stderr: string }): { code: string; message: string; hint?: string } {
  expect(r.stdout).toBe('');
  const doc = JSON.parse(r.stderr) as { error: { code: string; message: string; hint?: string } };
  return doc.error;
}

describe('--json usage errors', () => {
  test('`rdp --json` and a command group without its subcommand: exit 2, the error document on stderr (not the help)', async () => {
    for (const [args, path] of [
      [['--json'], ''],
      [['uploads', '--json'], 'uploads '],
      [['auth', '--json'], 'auth '],
      [['config', '--json'], 'config '],
      [['dmps', '--json'], 'dmps '],
      [['sites', '--json'], 'sites '],
    ] as const) {
      const r = await sb.run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      const e = jsonError(r);
      expect(e.code).toBe('USAGE');
      expect(e.hint).toBe(`Run \`rdp ${path}--help\` for usage.`);
    }
    const groups = jsonError(await sb.run(['uploads', '--json']));
    expect(groups.message).toBe('`rdp uploads` needs a subcommand: list.');
    // Without --json the help still goes to stderr, with exit 2.
    const plain = await sb.run(['uploads']);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/^Usage: rdp uploads/);
  });

  test('`rdp help <unknown>` reports the unknown command (exit 2), also as JSON', async () => {
    const plain = await sb.run(['help', 'bogus']);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/^Error: Unknown command "bogus"\./);
    for (const args of [['help', 'bogus', '--json'], ['--json', 'help', 'bogus']]) {
      const r = await sb.run(args);
      expect(r.code).toBe(2);
      expect(jsonError(r).message).toMatch(/^Unknown command "bogus"\./);
    }
    // `rdp help <command>` still prints that command's help (exit 0).
    const ok = await sb.run(['help', 'upload']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Usage: rdp upload/);
  });
});

describe('errors name the next step (SPEC.md section 4)', () => {
  test('`rdp publish` with a site record id or a NOMAD upload id, without --on, says which --on it needs', async () => {
    const site = await sb.run(['publish', '8zys3-ajw3a', '--json']);
    expect(site.code).toBe(2);
    expect(jsonError(site).hint).toBe('"8zys3-ajw3a" looks like the id of a record on an InvenioRDM site: name the site, `rdp publish 8zys3-ajw3a --on <site>` (`rdp sites list` shows your sites).');
    const nomad = await sb.run(['publish', 'pClJqVZa7c7cj4Qu6Arrrg', '--json']);
    expect(nomad.code).toBe(2);
    expect(jsonError(nomad).hint).toBe('"pClJqVZa7c7cj4Qu6Arrrg" looks like a NOMAD upload id: `rdp publish pClJqVZa7c7cj4Qu6Arrrg --on nomad`.');
    // Anything else keeps the Zenodo hint.
    expect(jsonError(await sb.run(['publish', 'abc', '--json'])).hint).toBe('`rdp uploads list --on zenodo` shows your depositions and their ids.');
  });
});

describe('a token typed on the command line is never printed (SPEC.md section 3, token store)', () => {
  test('`--with-token=TOKEN`, `login --with-token TOKEN` and `--password-stdin=PW`: exit 2, nothing stored, the value in no output', async () => {
    const token = 'Zq7TokenOnTheCommandLine4815162342abcdefXYZ';
    const password = 'hunter2-Correct-Horse';
    const own = new Sandbox();
    own.secret(token, password);
    try {
      for (const [args, flag] of [
        [['login', 'zenodo', `--with-token=${token}`], '--with-token'],
        [['login', '--with-token', token], '--with-token'], // the token where the service goes: was "Unknown provider "<token>""
        [['login', 'zenodo', '--with-token', token], '--with-token'],
        [['login', 'nomad', '--username', 'jdoe', `--password-stdin=${password}`], '--password-stdin'],
      ] as const) {
        const r = await own.run([...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`Error: ${flag} reads the `);
        expect(r.stderr).toMatch(/printf %s "\$(TOKEN|PASSWORD)" \| rdp login /);
        const json = await own.run([...args, '--json']);
        expect(json.code).toBe(2);
        expect(jsonError(json).code).toBe('USAGE');
      }
      // A typo in the service's name is still reported as one.
      const typo = await own.run(['login', 'zenodoo', '--with-token']);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/Unknown provider "zenodoo"/);
      own.assertNoLeaks();
    } finally {
      own.cleanup();
    }
  });
});

describe('a secret in `rdp config set KEY=VALUE` is not printed back', () => {
  test('the key is refused without its value (exit 2), with the piped form for a secret', async () => {
    const own = new Sandbox();
    const secret = 'Cl1entSecretTypedWithAnEqualsSign';
    own.secret(secret);
    try {
      const r = await own.run(['config', 'set', `zenodo.client_secret=${secret}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Error: "zenodo.client_secret=…" is not a config key: give the key and its value apart.');
      expect(r.stderr).toContain('printf %s "$VALUE" | rdp config set zenodo.client_secret');
      const json = await own.run(['config', 'set', `zenodo.client_secret=${secret}`, '--json']);
      expect(json.code).toBe(2);
      expect(jsonError(json).code).toBe('USAGE');
      const plain = await own.run(['config', 'set', 'zenodo.port=21931']);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain('rdp config set zenodo.port <value>');
      own.assertNoLeaks();
    } finally {
      own.cleanup();
    }
  });
});

describe('prompts', () => {
  test('on a terminal with --json rdp asks nothing, and says that --json is why (not "without a terminal")', async () => {
    const own = new Sandbox();
    try {
      const p = own.start(['login', 'zenodo', '--with-token', '--json', '--insecure-storage'], { pty: true });
      const r = await p.done;
      expect(r.code).toBe(2);
      const out = r.stdout + r.stderr;
      expect(out).toContain('"code":"USAGE"');
      expect(out).toContain('with --json, which asks nothing (leave out --json to be asked)');
      expect(out).not.toContain('without a terminal');
      // Without a terminal the reason stays the terminal.
      const piped = await own.run(['login', 'nomad', '--username', 'jdoe', '--insecure-storage', '--json']);
      expect(piped.code).toBe(2);
      expect(jsonError(piped).message).toContain('without a terminal');
    } finally {
      own.cleanup();
    }
  });
});
