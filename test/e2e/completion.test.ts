// The shipped completion scripts (completions/) in the shells themselves: a real interactive bash and zsh
// on a pseudo-terminal where TAB is pressed, and fish's own completion engine (`complete -C`). Paths
// are completed for `<path...>` and file-valued options, the values of --to, --on and --status are
// offered, free text gets nothing, and descriptions come through as written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireFeature } from '../helpers/features.js';
import { ROOT } from '../helpers/sandbox.js';
import { type InteractiveShell, interactiveShell } from '../helpers/shell.js';

const FILES = { bash: join(ROOT, 'completions', 'rdp.bash'), zsh: join(ROOT, 'completions', '_rdp'), fish: join(ROOT, 'completions', 'rdp.fish') };

let dir: string;
beforeAll(() => {
  // A folder to complete in: `da` is only data/; data/ holds a.csv and b.csv.
  dir = mkdtempSync(join(tmpdir(), 'rdp-complete-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'a.csv'), '1');
  writeFileSync(join(dir, 'data', 'b.csv'), '2');
  writeFileSync(join(dir, 'dump.txt'), '');
  writeFileSync(join(dir, 'meta.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (cmd: string) => spawnSync(cmd, ['--version']).status === 0;
const haveScript = requireFeature('script (util-linux)', spawnSync('script', ['--version']).status === 0, 'apt-get install util-linux');

for (const shell of ['bash', 'zsh'] as const) {
  const available = requireFeature(shell, has(shell), `apt-get install ${shell}`) && haveScript;
  describe.skipIf(!available)(`${shell}: TAB in an interactive shell`, () => {
    let sh: InteractiveShell;
    beforeAll(async () => {
      sh = await interactiveShell(shell, FILES[shell], dir);
    });
    afterAll(async () => {
      await sh?.close();
    });

    test('`rdp upload da<TAB>` completes the path', async () => {
      expect((await sh.complete('rdp upload da')).args).toEqual(['upload', 'data/']);
      expect((await sh.complete('rdp upload data/a')).args).toEqual(['upload', 'data/a.csv']);
      const both = await sh.complete('rdp upload data/');
      expect(both.shown).toMatch(/a\.csv/);
      expect(both.shown).toMatch(/b\.csv/);
      expect((await sh.complete('rdp upload data/a.csv me')).args).toEqual(['upload', 'data/a.csv', 'meta.json']);
    });

    test('`rdp upload x --to <TAB>` offers zenodo and nomad; a prefix is completed', async () => {
      const listed = await sh.complete('rdp upload x --to ');
      expect(listed.shown).toMatch(/nomad/);
      expect(listed.shown).toMatch(/zenodo/);
      expect(listed.shown).not.toMatch(/data|dump/);
      expect((await sh.complete('rdp upload x --to z')).args).toEqual(['upload', 'x', '--to', 'zenodo']);
      expect((await sh.complete('rdp upload data --to n')).args).toEqual(['upload', 'data', '--to', 'nomad']);
    });

    test('`rdp uploads list --status <TAB>` offers draft and published; --on offers the services', async () => {
      const listed = await sh.complete('rdp uploads list --status ');
      expect(listed.shown).toMatch(/draft/);
      expect(listed.shown).toMatch(/published/);
      expect((await sh.complete('rdp uploads list --status p')).args).toEqual(['uploads', 'list', '--status', 'published']);
      expect((await sh.complete('rdp uploads list --on n')).args).toEqual(['uploads', 'list', '--on', 'nomad']);
    });

    test('commands, providers, options and file-valued options; free text gets nothing', async () => {
      expect((await sh.complete('rdp uploa')).args).toEqual(['upload']);
      expect((await sh.complete('rdp uploads l')).args).toEqual(['uploads', 'list']);
      expect((await sh.complete('rdp login zen')).args).toEqual(['login', 'zenodo']);
      expect((await sh.complete('rdp upload x --dry')).args).toEqual(['upload', 'x', '--dry-run']);
      expect((await sh.complete('rdp upload x --js')).args).toEqual(['upload', 'x', '--json']);
      expect((await sh.complete('rdp upload x --metadata me')).args).toEqual(['upload', 'x', '--metadata', 'meta.json']);
      expect((await sh.complete('rdp dmps get 1 -o du')).args).toEqual(['dmps', 'get', '1', '-o', 'dump.txt']);
      const title = await sh.complete('rdp upload x --title d');
      expect(title.args).toEqual(['upload', 'x', '--title', 'd']);
      expect(title.shown).not.toMatch(/data|dump/);
    });

    if (shell === 'bash') {
      test('--option=value is completed too', async () => {
        expect((await sh.complete('rdp upload x --to=z')).args).toEqual(['upload', 'x', '--to=zenodo']);
      });
    }

    if (shell === 'zsh') {
      test('descriptions are shown as written (colons, apostrophes, brackets)', async () => {
        const commands = await sh.complete('rdp ');
        expect(commands.shown).toMatch(/auth\s+-- Inspect logins: who is logged in where, and print tokens for scripts/);
        const sandbox = await sh.complete('rdp logout --');
        expect(sandbox.shown).toContain("use Zenodo's or ORCID's sandbox, or NOMAD's test instance");
        const creator = await sh.complete('rdp upload x --cr');
        expect(creator.args).toEqual(['upload', 'x', '--creator']);
        const listed = await sh.complete('rdp upload x --c');
        expect(listed.shown).toContain('Zenodo: "Family, Given[;Affiliation][;ORCID]" (repeatable)');
      });
    }
  });
}

const fish = requireFeature('fish', has('fish'), 'apt-get install fish');
describe.skipIf(!fish)("fish: its completion engine (`complete -C`)", () => {
  /** Candidates (name -> description) fish offers for a command line. */
  const complete = (line: string): Map<string, string> => {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${FILES.fish}; complete -C ${JSON.stringify(line)}`], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return new Map(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t') as [string, string?])
        .map(([name, desc]) => [name, desc ?? '']),
    );
  };
  const names = (line: string) => [...complete(line).keys()].sort();

  test('paths for `rdp upload da`, and for file-valued options', () => {
    expect(names('rdp upload da')).toEqual(['data/']);
    expect(names('rdp upload data/')).toEqual(['data/a.csv', 'data/b.csv']);
    expect(names('rdp upload x --metadata me')).toEqual(['meta.json']);
  });

  test('values of --to, --on and --status; nothing for free text', () => {
    expect(names('rdp upload x --to ')).toEqual(['nomad', 'zenodo']);
    expect(names('rdp uploads list --on ')).toEqual(['nomad', 'zenodo']);
    expect(names('rdp uploads list --status ')).toEqual(['draft', 'published']);
    expect(names('rdp upload x --title ')).toEqual([]);
  });

  test('commands and options with their descriptions as written', () => {
    const commands = complete('rdp ');
    expect(commands.get('auth')).toBe('Inspect logins: who is logged in where, and print tokens for scripts');
    expect(names('rdp login z')).toEqual(['zenodo', 'zotero']);
    expect(complete('rdp logout --sa').get('--sandbox')).toBe("use Zenodo's or ORCID's sandbox, or NOMAD's test instance");
    expect(complete('rdp upload x --cre').get('--creator')).toBe('Zenodo: "Family, Given[;Affiliation][;ORCID]" (repeatable)');
    expect(names('rdp upload x --js')).toEqual(['--json']);
  });
});
