// `rdp <command> --help` for every command and subcommand, frozen as files under test/commands/help/
// (np treats help as the spec). Run in-process through main(argv, {streams, env}); the tree is found by
// walking the help itself, so a new command gets a snapshot (and fails here until one is written).
import { describe, expect, test } from 'vitest';
import { runMain } from '../helpers/run-main.js';

async function walk(path: string[]): Promise<string[][]> {
  const r = await runMain([...path, '--help']);
  const section = r.stdout.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const names = section
    .split('\n')
    .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
  const below: string[][][] = [];
  for (const n of names) below.push(await walk([...path, n]));
  return [path, ...below.flat()];
}

const paths = await walk([]);

describe('--help of every command is frozen', () => {
  test('the walk finds the whole tree', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['', 'login', 'upload', 'uploads list', 'dmps get', 'config set', 'auth token', 'emulator', 'completion']));
  });

  test.each(paths.map((p) => [p.join(' ') || '(rdp)', p]))('rdp %s --help', async (_name, path) => {
    const r = await runMain([...(path as string[]), '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const file = `help/${(path as string[]).join('-') || 'rdp'}.txt`;
    await expect(r.stdout).toMatchFileSnapshot(file);
  });
});
