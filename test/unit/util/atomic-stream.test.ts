// writeStreamAtomic: the target appears only whole; a failing source or check leaves no temporary
// file and the previous target untouched.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { writeStreamAtomic } from '../../../src/util/atomic.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function failingSource(afterChunks: number): Readable {
  let n = 0;
  return new Readable({
    read() {
      if (n++ < afterChunks) this.push(Buffer.from('data '));
      else this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    },
  });
}

test('streams into a temporary file and renames it into place', async () => {
  const file = join(dir, 'out.bin');
  await writeStreamAtomic(file, Readable.from([Buffer.from('hello '), Buffer.from('world')]));
  expect(readFileSync(file, 'utf8')).toBe('hello world');
  expect(readdirSync(dir)).toEqual(['out.bin']);
});

test.each([0, 1, 50])('a source that fails after %i chunks leaves no file and no temporary file', async (chunks) => {
  const file = join(dir, 'out.bin');
  await expect(writeStreamAtomic(file, failingSource(chunks))).rejects.toThrow(/other side closed/);
  expect(readdirSync(dir)).toEqual([]);
});

test('a transform that refuses the data leaves the previous file as it was', async () => {
  const file = join(dir, 'out.bin');
  writeFileSync(file, 'previous');
  const refuse = new Transform({
    transform(_c, _e, cb) {
      cb(new Error('not a PDF'));
    },
  });
  await expect(writeStreamAtomic(file, Readable.from([Buffer.from('junk')]), [refuse])).rejects.toThrow(/not a PDF/);
  expect(readFileSync(file, 'utf8')).toBe('previous');
  expect(readdirSync(dir)).toEqual(['out.bin']);
});

test('an abort signal stops the write and cleans up', async () => {
  const file = join(dir, 'out.bin');
  const ac = new AbortController();
  const slow = new Readable({
    read() {
      this.push(Buffer.from('x'));
      ac.abort();
    },
  });
  await expect(writeStreamAtomic(file, slow, [], { signal: ac.signal })).rejects.toThrow(/abort/i);
  expect(readdirSync(dir)).toEqual([]);
});
