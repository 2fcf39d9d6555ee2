// src/output: colour levels from the flags and the environment, and data on stdout that never lands
// inside the progress line redrawn on stderr when both share one terminal.
import { Readable, Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { colorLevel, IO, type Streams } from '../../../src/output/io.js';
import { TransferProgress } from '../../../src/output/progress.js';
import { screenLines, SGR } from '../../helpers/terminal.js';

/** A terminal: stdout and stderr write into the same screen, in order. */
function terminal(tty = true): { streams: Streams; text: () => string } {
  let text = '';
  const sink = () => {
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }) as Writable & { isTTY?: boolean; columns?: number; getColorDepth?: () => number };
    w.isTTY = tty;
    w.columns = 100;
    w.getColorDepth = () => 8;
    return w;
  };
  const stdin = Readable.from([]) as Streams['stdin'];
  return { streams: { stdin, stdout: sink(), stderr: sink() }, text: () => text };
}

describe('colorLevel', () => {
  const tty = { isTTY: true, getColorDepth: () => 24 } as unknown as Streams['stdout'];
  const pipe = { isTTY: false } as unknown as Streams['stdout'];
  test('a terminal gets the depth it reports; a pipe gets none', () => {
    expect(colorLevel({}, tty, undefined)).toBe(3);
    expect(colorLevel({}, pipe, undefined)).toBe(0);
    expect(colorLevel({ TERM: 'dumb' }, tty, undefined)).toBe(0);
  });
  test('NO_COLOR with any value, even empty, turns colour off on a terminal', () => {
    expect(colorLevel({ NO_COLOR: '1' }, tty, undefined)).toBe(0);
    expect(colorLevel({ NO_COLOR: '' }, tty, undefined)).toBe(0);
    expect(colorLevel({ NO_COLOR: 'false' }, tty, undefined)).toBe(0);
  });
  test('FORCE_COLOR forces colour, also on a pipe (chalk: "0"/"false" off, a number is the level)', () => {
    expect(colorLevel({ FORCE_COLOR: '1' }, pipe, undefined)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '' }, pipe, undefined)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: 'true' }, pipe, undefined)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '3' }, pipe, undefined)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '9' }, pipe, undefined)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '0' }, tty, undefined)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: 'false' }, tty, undefined)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '1' }, tty, undefined)).toBe(1);
  });
  test('--no-color (and --json) win over everything', () => {
    expect(colorLevel({ FORCE_COLOR: '3' }, tty, false)).toBe(0);
  });
  test('IO styles follow it: plain text with NO_COLOR, SGR codes without', async () => {
    const plain = new IO(terminal().streams, { NO_COLOR: '1' });
    await plain.enableColor();
    expect(plain.style.red('x')).toBe('x');
    expect(plain.outStyle.bold('x')).toBe('x');
    const coloured = new IO(terminal().streams, {});
    await coloured.enableColor();
    expect(coloured.style.red('x')).toMatch(SGR);
    expect(coloured.outStyle.bold('x')).toMatch(SGR);
  });
});

describe('stdout and the progress line on one terminal', () => {
  test('a line of data clears the progress line first and the progress line comes back under it', async () => {
    const term = terminal();
    const io = new IO(term.streams, {});
    const progress = new TransferProgress(io, { verb: 'Uploading', totalBytes: 1000, totalItems: 2 });
    try {
      progress.begin('big.bin', 900);
      progress.update('big.bin', 450);
      progress.skip('small.txt', '(already there)'); // a line above the status line, which is then drawn
      expect(screenLines(term.text()).at(-1)).toMatch(/Uploading 1\/2 files, 45%/);
      io.out('YXUIZpw5RJyV3LAsFI2MmQ');
      io.warn('a warning on stderr');
      const screen = screenLines(term.text());
      expect(screen).toContain('YXUIZpw5RJyV3LAsFI2MmQ');
      expect(screen).toContain('! a warning on stderr');
      expect(screen.at(-1)).toMatch(/Uploading 1\/2 files, 45%/);
    } finally {
      progress.end();
    }
    // end() leaves no status line behind, and later output is not redrawn around it
    io.out('done');
    expect(screenLines(term.text()).filter((l) => /Uploading/.test(l))).toEqual([]);
    expect(screenLines(term.text()).at(-1)).toBe('done');
  });
});
