// The yes/no question before a permanent change (a NOMAD DOI): asked on a terminal, refused without one
// (exit 2, with the flag that answers it in scripts), and only "y"/"yes" counts as yes.
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors/errors.js';
import { IO } from '../../../src/output/io.js';
import { confirm } from '../../../src/output/prompt.js';

function terminal(tty: boolean, json = false): { io: IO; stdin: PassThrough; stderr: PassThrough; said: () => string } {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  const io = new IO({ stdin, stdout: new PassThrough(), stderr }, {}, { json });
  return { io, stdin, stderr, said: () => text };
}

describe('confirm', () => {
  test('without a terminal (or with --json): a usage error naming the flag, nothing asked', async () => {
    for (const t of [terminal(false), terminal(true, true)]) {
      const err = await confirm(t.io, 'Mint a DOI?', 'Add --yes to confirm it in a script.').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).hint).toMatch(/--yes/);
      expect(t.said()).toBe('');
    }
  });

  test.each([
    ['y', true],
    ['YES', true],
    ['n', false],
    ['', false],
    ['yep', false],
  ])('on a terminal: %j is %s', async (answer, yes) => {
    const t = terminal(true);
    const asked = confirm(t.io, 'Mint a DOI?', 'Add --yes.');
    t.stdin.write(`${answer}\n`);
    expect(await asked).toBe(yes);
    expect(t.said()).toMatch(/Mint a DOI\? \[y\/N\]/);
  });
});
