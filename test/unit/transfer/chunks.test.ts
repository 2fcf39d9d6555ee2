// The chunk reader under uploads (src/transfer/chunks.ts): sizes at the edges of a chunk, empty files,
// short reads from the operating system, and files that change while they are read. Reads go through
// a wrapper of node:fs that can cap how many bytes one read returns (as a network file system may).
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { CHUNK_SIZE, FileReader, fileChunks, MIN_REUSED_CHUNK, reusedChunks, SLOW_READ_MS } from '../../../src/transfer/chunks.js';

const reads = vi.hoisted(() => ({
  cap: Number.POSITIVE_INFINITY,
  calls: 0,
  opened: 0,
  /** Blocking and thread-pool reads. */
  sync: 0,
  threaded: 0,
  /** The next this many blocking reads "take" this long (the faked Date moves on). */
  slowReads: 0,
  slowMs: 0,
}));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const cap = (len: number) => Math.min(len, reads.cap);
  return {
    ...fs,
    open: (...args: Parameters<typeof fs.open>) => {
      reads.opened += 1;
      return (fs.open as (...a: unknown[]) => void)(...args);
    },
    openSync: (...args: Parameters<typeof fs.openSync>) => {
      reads.opened += 1;
      return fs.openSync(...args);
    },
    read: (fd: number, buf: Buffer, off: number, len: number, pos: number, cb: (err: Error | null, n: number) => void) => {
      reads.calls += 1;
      reads.threaded += 1;
      fs.read(fd, buf, off, cap(len), pos, cb);
    },
    readSync: (fd: number, buf: Buffer, off: number, len: number, pos: number) => {
      reads.calls += 1;
      reads.sync += 1;
      if (reads.slowReads > 0) {
        reads.slowReads -= 1;
        vi.setSystemTime(Date.now() + reads.slowMs);
      }
      return fs.readSync(fd, buf, off, cap(len), pos);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'rdp-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let n = 0;
function file(size: number): { path: string; data: Buffer } {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) data[i] = (i * 31 + (i >> 12)) & 0xff;
  const path = join(dir, `f${(n += 1)}.bin`);
  writeFileSync(path, data);
  return { path, data };
}

/** Every chunk's length, and the bytes (copied: a chunk is valid only until the next is asked for). */
async function readAll(chunks: AsyncIterable<Buffer>, between?: (i: number) => void): Promise<{ sizes: number[]; bytes: Buffer }> {
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  for await (const c of chunks) {
    sizes.push(c.length);
    parts.push(Buffer.from(c));
    between?.(sizes.length);
  }
  return { sizes, bytes: Buffer.concat(parts) };
}

afterEach(() => {
  Object.assign(reads, { cap: Number.POSITIVE_INFINITY, calls: 0, opened: 0, sync: 0, threaded: 0, slowReads: 0, slowMs: 0 });
});

describe('fileChunks at the edges of a chunk', () => {
  test('a 0-byte file: no chunk, and the file is not even opened', async () => {
    const { path } = file(0);
    expect(await readAll(fileChunks(path, 0))).toEqual({ sizes: [], bytes: Buffer.alloc(0) });
    expect(reads.opened).toBe(0);
    let fills = 0;
    expect((await readAll(reusedChunks(0, async () => ++fills))).sizes).toEqual([]);
    expect(fills).toBe(0);
  });

  test('exactly 1 MiB: one full chunk', async () => {
    const { path, data } = file(CHUNK_SIZE);
    const got = await readAll(fileChunks(path, CHUNK_SIZE));
    expect(got.sizes).toEqual([CHUNK_SIZE]);
    expect(md5(got.bytes)).toBe(md5(data));
    expect(reads.opened).toBe(1);
  });

  test('1 MiB + 1: a full chunk, then one of 1 byte, in the other buffer', async () => {
    const { path, data } = file(CHUNK_SIZE + 1);
    const buffers: ArrayBufferLike[] = [];
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    for await (const c of fileChunks(path, CHUNK_SIZE + 1)) {
      buffers.push(c.buffer);
      sizes.push(c.length);
      parts.push(Buffer.from(c));
    }
    expect(sizes).toEqual([CHUNK_SIZE, 1]);
    expect(buffers[0]).not.toBe(buffers[1]);
    expect(md5(Buffer.concat(parts))).toBe(md5(data));
  });

  test('1 MiB - 1 and 2 MiB: one short chunk; two full ones', async () => {
    for (const size of [CHUNK_SIZE - 1, 2 * CHUNK_SIZE]) {
      const { path, data } = file(size);
      const got = await readAll(fileChunks(path, size));
      expect(got.sizes).toEqual(size < CHUNK_SIZE ? [size] : [CHUNK_SIZE, CHUNK_SIZE]);
      expect(md5(got.bytes)).toBe(md5(data));
    }
  });

  test('a range of a file (a multipart upload part): exactly those bytes', async () => {
    const { path, data } = file(3 * CHUNK_SIZE + 5);
    const got = await readAll(fileChunks(path, CHUNK_SIZE + 3, CHUNK_SIZE + 1));
    expect(got.sizes).toEqual([CHUNK_SIZE, 3]);
    expect(md5(got.bytes)).toBe(md5(data.subarray(CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 4)));
  });

  test('a range in smaller chunks (multipart parts, several at once): exactly those bytes, no chunk larger', async () => {
    const { path, data } = file(3 * CHUNK_SIZE + 5);
    const small = MIN_REUSED_CHUNK;
    const got = await readAll(fileChunks(path, CHUNK_SIZE + 3, CHUNK_SIZE + 1, small));
    expect(got.sizes).toEqual([...Array.from({ length: CHUNK_SIZE / small }, () => small), 3]);
    expect(md5(got.bytes)).toBe(md5(data.subarray(CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 4)));
  });
});

describe('short reads (the system returns fewer bytes than asked, as a network file system may)', () => {
  test('a file is read on until every chunk is full', async () => {
    const { path, data } = file(CHUNK_SIZE + 1);
    reads.cap = 4093;
    const got = await readAll(fileChunks(path, CHUNK_SIZE + 1));
    expect(got.sizes).toEqual([CHUNK_SIZE, 1]);
    expect(md5(got.bytes)).toBe(md5(data));
    expect(reads.calls).toBeGreaterThanOrEqual(Math.ceil(CHUNK_SIZE / 4093) + 1);
  });

  test('in both modes the reader stops at the end of the file, and a closed reader says so', async () => {
    const { path, data } = file(10_000);
    reads.cap = 999;
    const buf = Buffer.alloc(20_000);
    const s = FileReader.open(path);
    expect(s.read(buf, 5, 20_000, 9_000)).toBe(1_000);
    await s.close();
    expect(() => s.read(buf, 0, 1, 0)).toThrow(/is closed/);
    expect(buf.subarray(5, 1_005).equals(data.subarray(9_000))).toBe(true);
    // a reader whose first read was slow goes on through the thread pool, and stops the same way
    let t = 0;
    const a = FileReader.open(path, { now: () => (t += SLOW_READ_MS + 1) });
    expect(a.read(buf, 0, 20_000, 0)).toBe(10_000);
    expect(a.inThreadPool).toBe(true);
    await expect(a.read(buf, 0, 20_000, 0)).resolves.toBe(10_000);
    await a.close();
    expect(() => a.read(buf, 0, 1, 0)).toThrow(/is closed/);
  });
});

describe('blocking reads, and the thread pool once a read is slow (a network file system, a disk waking up)', () => {
  test('quick reads stay blocking: every read answers at once, with a number', () => {
    const { path, data } = file(3000);
    let t = 0;
    const r = FileReader.open(path, { now: () => (t += SLOW_READ_MS - 1) }); // each read takes just under the limit
    const buf = Buffer.alloc(1000);
    for (let pos = 0; pos < 3000; pos += 1000) {
      expect(r.read(buf, 0, 1000, pos)).toBe(1000);
      expect(buf.equals(data.subarray(pos, pos + 1000))).toBe(true);
    }
    expect(r.inThreadPool).toBe(false);
    expect(r.close()).toBeUndefined();
  });

  test('after one slow read the rest of the file goes through the thread pool, and the bytes are the same', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { path, data } = file(4 * CHUNK_SIZE + 17);
      // each chunk is read before the one before it is handed out: once the first is out, the next
      // blocking read (the third chunk's) is slow, and the fourth and the last go through the thread pool
      const got = await readAll(fileChunks(path, 4 * CHUNK_SIZE + 17), (i) => {
        if (i === 1) Object.assign(reads, { slowReads: 1, slowMs: SLOW_READ_MS + 1 });
      });
      expect(got.sizes).toEqual([CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE, 17]);
      expect(md5(got.bytes)).toBe(md5(data));
      expect(reads.sync).toBe(3);
      expect(reads.threaded).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a read just under the limit keeps the file on blocking reads', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { path, data } = file(3 * CHUNK_SIZE);
      Object.assign(reads, { slowReads: 3, slowMs: SLOW_READ_MS });
      const got = await readAll(fileChunks(path, 3 * CHUNK_SIZE));
      expect(md5(got.bytes)).toBe(md5(data));
      expect(reads.threaded).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a file that changes while it is read', () => {
  test('one that grows: exactly the planned bytes, no more', async () => {
    const { path, data } = file(3 * CHUNK_SIZE);
    const got = await readAll(fileChunks(path, 3 * CHUNK_SIZE), (i) => {
      if (i === 1) appendFileSync(path, Buffer.alloc(CHUNK_SIZE, 1));
    });
    expect(got.sizes).toEqual([CHUNK_SIZE, CHUNK_SIZE, CHUNK_SIZE]);
    expect(md5(got.bytes)).toBe(md5(data));
  });

  test('one that shrinks: fewer bytes, and the stream ends (the sender compares them with the plan: FILE_CHANGED)', async () => {
    const { path, data } = file(4 * CHUNK_SIZE);
    const got = await readAll(fileChunks(path, 4 * CHUNK_SIZE), (i) => {
      if (i === 1) truncateSync(path, 2 * CHUNK_SIZE + 10);
    });
    // the second chunk was read ahead before the cut; the third is short; then the end
    expect(got.sizes).toEqual([CHUNK_SIZE, CHUNK_SIZE, 10]);
    expect(md5(got.bytes)).toBe(md5(data.subarray(0, 2 * CHUNK_SIZE + 10)));
  });

  test('one that is removed before it is opened: the error of the open, and nothing is left open', async () => {
    const gen = fileChunks(join(dir, 'gone.bin'), 10);
    await expect(gen.next()).rejects.toThrow(/ENOENT/);
  });
});
