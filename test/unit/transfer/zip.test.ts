// The stored-zip stream (src/transfer/zip.ts): its announced size is the number of bytes it writes,
// whatever the entry count (around the 64 KiB central directory where yazl 3.3.1 miscounted, and past
// 65,535 entries where the ZIP64 end records take over), and independent readers accept what it writes:
// Python's zipfile (what NOMAD unpacks uploads with; it checks every CRC) and Info-ZIP's unzip.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { CHUNK_SIZE, FileReader } from '../../../src/transfer/chunks.js';
import { zipSource, type ZipEntry } from '../../../src/transfer/source.js';
import { planZip, zipChunks, zipStream } from '../../../src/transfer/zip.js';

const dir = mkdtempSync(join(tmpdir(), 'rdp-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const tiny = join(dir, 'tiny.txt');
writeFileSync(tiny, 'abc');
const empty = join(dir, 'empty');
writeFileSync(empty, '');

/** Python's view of a zip: entry count, whether the ZIP64 end record is there, and a CRC check. */
function python(path: string): { count: number; zip64: boolean; bad: string | null; sample: Record<string, string> } {
  const script = [
    'import sys, json, zipfile, hashlib',
    'z = zipfile.ZipFile(sys.argv[1])',
    'data = open(sys.argv[1], "rb").read()',
    'names = z.namelist()',
    'sample = {n: hashlib.md5(z.read(n)).hexdigest() for n in names[:3] + names[-2:]}',
    'print(json.dumps({"count": len(names), "zip64": data.find(b"PK\\x06\\x06") >= 0, "bad": z.testzip(), "sample": sample}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, path]).toString()) as ReturnType<typeof python>;
}

async function write(entries: ZipEntry[], name: string): Promise<{ path: string; announced: number; written: number }> {
  const src = await zipSource(entries, name, name);
  const path = join(dir, name);
  let written = 0;
  const out = createWriteStream(path);
  const s = src.open();
  s.on('data', (c: Buffer) => (written += c.length));
  await pipeline(s, out);
  return { path, announced: src.size, written };
}

const entries = (n: number, path = tiny, size = 3): ZipEntry[] =>
  Array.from({ length: n }, (_, i) => ({ path, rel: `f${String(i).padStart(5, '0')}.txt`, size, mtimeMs: Date.UTC(2026, 0, 2, 3, 4, 6), mode: 0o100644 }));

describe('zip size', () => {
  // 1,023 entries of this name length keep the central directory under 64 KiB; 1,024 reach it.
  test.each([1, 500, 1023, 1024, 1025, 1100, 3000])('%i entries: the announced size is the size written, and Python reads every entry', async (n) => {
    const { path, announced, written } = await write(entries(n), `n${n}.zip`);
    expect(written).toBe(announced);
    const py = python(path);
    expect(py).toMatchObject({ count: n, zip64: false, bad: null });
    expect(Object.values(py.sample)).toEqual(Array(Math.min(n, 5)).fill(md5('abc')));
  });

  test('65,536 entries: ZIP64 end records, read by Python and Info-ZIP', { timeout: 120_000 }, async () => {
    const n = 65_536;
    const list = entries(n, empty, 0);
    list[0] = { ...list[0], path: tiny, size: 3 } as ZipEntry;
    const { path, announced, written } = await write(list, 'n65536.zip');
    expect(written).toBe(announced);
    expect(python(path)).toMatchObject({ count: n, zip64: true, bad: null });
    expect(execFileSync('unzip', ['-tq', path]).toString()).toMatch(/No errors detected/);
    // yauzl (the emulator's reader) is given the same shape end to end in test/e2e/nomad-many-files.
  });

  test('an entry whose size needs 64 bits and an offset past 4 GiB are planned in ZIP64 form', () => {
    const plan = planZip([
      { rel: 'big', size: 5 * 1024 ** 3, mtimeMs: 0, mode: 0o644 },
      { rel: 'after', size: 1, mtimeMs: 0, mode: 0o644 },
    ]);
    expect(plan.items.map((i) => i.zip64)).toEqual([true, true]);
    expect(plan.zip64End).toBe(true);
    // local headers (30 + name), data, ZIP64 descriptors (24); central records (46 + name + 9 + 28); ZIP64 end (56 + 20) + end (22)
    const data = 30 + 3 + 5 * 1024 ** 3 + 24 + 30 + 5 + 1 + 24;
    expect(plan.directoryOffset).toBe(data);
    expect(plan.size).toBe(data + (46 + 3 + 9 + 28) + (46 + 5 + 9 + 28) + 56 + 20 + 22);
  });

  test('a file that yields fewer bytes than planned fails the stream instead of making a corrupt archive', async () => {
    const plan = planZip([{ rel: 'x', size: 10, mtimeMs: 0, mode: 0o644, path: tiny }]);
    const s = zipStream(plan, (e) => FileReader.open(e.path));
    await expect(pipeline(s, createWriteStream(join(dir, 'short.zip')))).rejects.toThrow(/3 bytes read where 10 were planned/);
  });

  test('chunks are packed full: headers, file bytes and directory side by side, only the last chunk shorter', async () => {
    const kib = join(dir, 'kib.bin');
    writeFileSync(kib, Buffer.alloc(1000, 9));
    const list = entries(3000, kib, 1000);
    const plan = planZip(list);
    const sizes: number[] = [];
    const whole: Buffer[] = [];
    for await (const c of zipChunks(plan, (e) => FileReader.open(e.path))) {
      sizes.push(c.length);
      whole.push(Buffer.from(c));
    }
    expect(plan.size).toBeGreaterThan(CHUNK_SIZE);
    expect(sizes.slice(0, -1).every((n) => n === CHUNK_SIZE)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(plan.size);
    const path = join(dir, 'packed.zip');
    writeFileSync(path, Buffer.concat(whole));
    expect(python(path)).toMatchObject({ count: 3000, zip64: false, bad: null });
    // a smaller archive cut at every 7 bytes (headers, data and directory split across chunks in
    // every possible way) is the same archive as one read in 1 MiB chunks
    const few = planZip(entries(300, kib, 1000));
    const big: Buffer[] = [];
    for await (const c of zipChunks(few, (e) => FileReader.open(e.path))) big.push(Buffer.from(c));
    const small: Buffer[] = [];
    for await (const c of zipChunks(few, (e) => FileReader.open(e.path), 7)) small.push(c);
    expect(small.slice(0, -1).every((c) => c.length === 7)).toBe(true);
    expect(md5(Buffer.concat(small))).toBe(md5(Buffer.concat(big)));
    expect(Buffer.concat(small).length).toBe(few.size);
  });
});
