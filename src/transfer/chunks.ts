// Reading for uploads without garbage. A Node read stream allocates a fresh buffer for every read, and
// V8 collects such off-heap buffers only after ~64 MB of them have piled up: a 1 GiB upload used to
// peak 40 MB above its working set that way (bench/NOTES.md). Here a source is read into two buffers
// that are used again and again: while one is out with the consumer (being written to the socket), the
// next bytes are read into the other. Reads block while they are quick (FileReader, SLOW_READ_MS).
//
// The contract that makes reuse safe: a chunk is valid only until the consumer asks for the next one.
// undici's body writer keeps to it: it asks for the next chunk only once socket.write() has returned
// true or the socket has drained, and a Node stream's write() of a chunk at least as large as its
// highWaterMark (16 KiB for sockets; 64 KiB from Node 22) returns false until the chunk has been
// handed on, so every chunk but the last is a full buffer of at least MIN_REUSED_CHUNK bytes. A consumer
// that keeps chunks (a test collecting them) must copy them: copied() does.
import { close, closeSync, openSync, read, readSync } from 'node:fs';
import { type Clock, systemClock } from '../ports.js';

/**
 * Read size: large enough for few syscalls and socket writes, small enough that a chunk is still in the
 * CPU's cache when it is hashed and copied to the socket. 1 GiB to the emulator, paired runs: 1 MiB
 * chunks 3.54-3.57 s of CPU, 512 KiB 3.09-3.11 s, 384 KiB 3.06 s, 256 KiB 3.32 s (more chunks, more
 * per-chunk work); the kernel's copy from the page cache is most of the difference (bench/NOTES.md).
 */
export const CHUNK_SIZE = 512 * 1024;

/** Buffers smaller than this are never handed out twice (see above: a socket's highWaterMark). */
export const MIN_REUSED_CHUNK = 256 * 1024;

/**
 * Files are read with blocking calls, the chunk landing in the cache of the core that then hashes it and
 * copies it to the socket: through the thread pool, another core's copy had to travel back first, and
 * each read was a round trip of two threads (1 GiB to the emulator, paired: 0.15 s less CPU, 3-7 % less
 * time; bench/NOTES.md 12). A read that takes longer than this (a network file system, a disk spinning
 * up) moves the rest of its file to the thread pool, so a slow disk never holds rdp's event loop
 * (Ctrl-C, timeouts, the other transfers) for more than one read.
 */
export const SLOW_READ_MS = 50;

/**
 * Fills `buf` with the next bytes of a stream; returns how many. Fewer than `buf.length` means the end
 * (or a file that shrank: the caller compares the total with the size it planned).
 */
export type Fill = (buf: Buffer) => Promise<number>;

/**
 * The bytes `fill` produces, `total` at most, in chunks of `chunkSize` read into two reused buffers
 * (one when everything fits in one chunk). The next chunk is read while the current one is out with the
 * consumer. `cleanup` runs once when the stream ends, fails or is abandoned (return()).
 */
export async function* reusedChunks(total: number, fill: Fill, cleanup: () => Promise<void> | void = () => {}, chunkSize = CHUNK_SIZE): AsyncGenerator<Buffer, void, undefined> {
  const size = Math.max(1, Math.min(chunkSize, total));
  // One chunk (a small file) needs one buffer. Below MIN_REUSED_CHUNK a buffer could be handed back
  // before the socket is done with it, so small chunk sizes (tests) get a fresh buffer each time.
  const reuse = size >= MIN_REUSED_CHUNK || size >= total;
  const bufs = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size < total && reuse ? size : 0)];
  let which = 0;
  let left = total;
  const next = (): Promise<number> => {
    if (left <= 0) return Promise.resolve(0);
    if (!reuse) bufs[which] = Buffer.allocUnsafeSlow(size);
    const buf = bufs[which] as Buffer;
    const p = fill(left < buf.length ? buf.subarray(0, left) : buf);
    p.catch(() => {}); // awaited below; a failure while the consumer holds the other buffer is not unhandled
    return p;
  };
  let pending = next();
  try {
    for (;;) {
      const n = await pending;
      if (n <= 0) return;
      const buf = bufs[which] as Buffer;
      // A short read is the end (a file that shrank: the caller compares the total with its plan).
      left = n < Math.min(buf.length, left) ? 0 : left - n;
      which = 1 - which;
      pending = next(); // into the other buffer, while the consumer has this one
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    await pending.catch(() => {});
    await cleanup();
  }
}

const fsRead = (fd: number, buf: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
const fsClose = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()));

/** Reads a file at given positions (reads go on until the buffer is full or the file ends). */
export interface EntryReader {
  /** Up to `length` bytes at `position` into buf[offset..]; fewer only at the end of the file. */
  read(buf: Buffer, offset: number, length: number, position: number): number | Promise<number>;
  close(): void | Promise<void>;
}

/**
 * A file read with blocking calls until one is slow, then through the thread pool (see SLOW_READ_MS).
 * Reads go on until the buffer is full or the file ends.
 */
export class FileReader implements EntryReader {
  /** Set once a read was slow: the rest of the file goes through the thread pool. */
  private threaded = false;

  private constructor(
    readonly path: string,
    private fd: number | undefined,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  static open(path: string, clock: Pick<Clock, 'now'> = systemClock): FileReader {
    return new FileReader(path, openSync(path, 'r'), clock);
  }

  /** Whether the reads have moved to the thread pool. */
  get inThreadPool(): boolean {
    return this.threaded;
  }

  read(buf: Buffer, offset: number, length: number, position: number): number | Promise<number> {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    if (this.threaded) return this.readThreaded(this.fd, buf, offset, length, position);
    const started = this.clock.now();
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, offset + got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    if (this.clock.now() - started > SLOW_READ_MS) this.threaded = true;
    return got;
  }

  private async readThreaded(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    let got = 0;
    while (got < length) {
      const n = await fsRead(fd, buf, offset + got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  close(): void | Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    // A file whose reads were slow may be slow to close as well.
    if (this.threaded) return fsClose(fd);
    closeSync(fd);
  }
}

/**
 * `size` bytes of a file from byte `start` (the whole file by default: no more, if it grew; fewer, if
 * it shrank) in reused chunks.
 */
export function fileChunks(path: string, size: number, start = 0, chunkSize = CHUNK_SIZE): AsyncGenerator<Buffer, void, undefined> {
  let reader: EntryReader | undefined;
  let pos = start;
  return reusedChunks(
    size,
    async (buf) => {
      reader ??= FileReader.open(path);
      const got = reader.read(buf, 0, buf.length, pos);
      const n = typeof got === 'number' ? got : await got;
      pos += n;
      return n;
    },
    () => reader?.close(),
    chunkSize,
  );
}

/** The chunks of `source`, each copied: for consumers that keep them. */
export async function* copied(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of source) yield Buffer.from(chunk);
}
