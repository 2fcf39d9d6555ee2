// A zip archive of files on disk, streamed: stored entries (no compression), so that its exact size
// is known before the first byte and a request can carry it as Content-Length. The layout is planned
// once (every header's size and offset); the size and the bytes written both come from that one plan,
// so they cannot disagree.
//
// Why not yazl (used before): yazl 3.3.1 announces a size that counts the ZIP64 end records as soon as
// the central directory reaches 64 KiB (about 1,025 entries), while its writer adds them only at
// 4 GiB, so every archive of more than ~1,025 files came out 76 bytes short of its Content-Length;
// and it looks for the next entry to write from the first one each time, which costs minutes of CPU
// for 65,000 files. This writer is linear, hashes with zlib's native CRC-32, and is checked against
// independent readers (Python's zipfile, which NOMAD uses; yauzl; Info-ZIP) by the tests.
//
// Format (PKWARE APPNOTE 6.3): per entry a local header (sizes and CRC deferred: general purpose bit
// 3), the bytes, and a data descriptor; then the central directory, with a ZIP64 extra field for an
// entry whose size or offset does not fit in 32 bits, and the ZIP64 end records when the entry count,
// the directory's size or its offset do not fit in the classic end record.
import { Readable } from 'node:stream';
import { CHUNK_SIZE, copied, type EntryReader, reusedChunks } from './chunks.js';

export interface ZipInput {
  /** Name inside the archive (POSIX separators). */
  rel: string;
  size: number;
  mtimeMs: number;
  mode: number;
}

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const DESCRIPTOR = 16;
const DESCRIPTOR64 = 24;
/** Info-ZIP extended timestamp (modification time) in the central directory: 2+2+1+4. */
const TIMESTAMP_EXTRA = 9;
/** ZIP64 extended information in the central directory: 2+2 + uncompressed, compressed, offset (8 each). */
const ZIP64_EXTRA = 28;
const END = 22;
const ZIP64_END = 56;
const ZIP64_LOCATOR = 20;

const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** UNIX (3) << 8 | spec version 4.5. */
const MADE_BY = (3 << 8) | 45;
/** Data descriptor follows (bit 3) | names are UTF-8 (bit 11). */
const FLAGS = 0x0008 | 0x0800;

interface Item<T extends ZipInput> {
  entry: T;
  name: Buffer;
  offset: number;
  zip64: boolean;
}

export interface ZipPlan<T extends ZipInput> {
  items: Item<T>[];
  directoryOffset: number;
  directorySize: number;
  zip64End: boolean;
  /** The archive's exact size in bytes. */
  size: number;
}

export function planZip<T extends ZipInput>(entries: readonly T[]): ZipPlan<T> {
  const items: Item<T>[] = [];
  let offset = 0;
  let directorySize = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.rel, 'utf8');
    if (name.length > MAX16) throw new Error(`name too long for a zip archive: ${entry.rel.slice(0, 80)}…`);
    const zip64 = entry.size >= MAX32 || offset >= MAX32;
    items.push({ entry, name, offset, zip64 });
    offset += LOCAL_HEADER + name.length + entry.size + (zip64 ? DESCRIPTOR64 : DESCRIPTOR);
    directorySize += CENTRAL_HEADER + name.length + TIMESTAMP_EXTRA + (zip64 ? ZIP64_EXTRA : 0);
  }
  const zip64End = items.length >= MAX16 || directorySize >= MAX32 || offset >= MAX32;
  return { items, directoryOffset: offset, directorySize, zip64End, size: offset + directorySize + (zip64End ? ZIP64_END + ZIP64_LOCATOR : 0) + END };
}

/** MS-DOS date and time (local time, 2-second steps, 1980-2107), as zip tools write them. */
function dosDateTime(ms: number): { date: number; time: number } {
  let d = new Date(ms);
  if (!(d.getFullYear() >= 1980)) d = new Date(1980, 0, 1);
  if (d.getFullYear() > 2107) d = new Date(2107, 11, 31, 23, 59, 58);
  return {
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

function localHeader(item: Item<ZipInput>): Buffer {
  const b = Buffer.alloc(LOCAL_HEADER + item.name.length);
  const { date, time } = dosDateTime(item.entry.mtimeMs);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(item.zip64 ? 45 : 20, 4); // version needed
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(0, 8); // stored
  b.writeUInt16LE(time, 10);
  b.writeUInt16LE(date, 12);
  // CRC-32 and sizes (14..25) stay 0: they follow in the data descriptor. No extra field.
  b.writeUInt16LE(item.name.length, 26);
  b.writeUInt16LE(0, 28);
  item.name.copy(b, LOCAL_HEADER);
  return b;
}

function descriptor(item: Item<ZipInput>, crc: number): Buffer {
  const size = item.entry.size;
  if (!item.zip64) {
    const b = Buffer.alloc(DESCRIPTOR);
    b.writeUInt32LE(0x08074b50, 0);
    b.writeUInt32LE(crc, 4);
    b.writeUInt32LE(size, 8);
    b.writeUInt32LE(size, 12);
    return b;
  }
  const b = Buffer.alloc(DESCRIPTOR64);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(crc, 4);
  b.writeBigUInt64LE(BigInt(size), 8);
  b.writeBigUInt64LE(BigInt(size), 16);
  return b;
}

function centralHeader(item: Item<ZipInput>, crc: number): Buffer {
  const { entry, name, zip64 } = item;
  const extra = TIMESTAMP_EXTRA + (zip64 ? ZIP64_EXTRA : 0);
  const b = Buffer.alloc(CENTRAL_HEADER + name.length + extra);
  const { date, time } = dosDateTime(entry.mtimeMs);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(MADE_BY, 4);
  b.writeUInt16LE(zip64 ? 45 : 20, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt16LE(time, 12);
  b.writeUInt16LE(date, 14);
  b.writeUInt32LE(crc, 16);
  b.writeUInt32LE(zip64 ? MAX32 : entry.size, 20);
  b.writeUInt32LE(zip64 ? MAX32 : entry.size, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt16LE(extra, 30);
  b.writeUInt16LE(0, 32); // comment length
  b.writeUInt16LE(0, 34); // disk number
  b.writeUInt16LE(0, 36); // internal attributes
  b.writeUInt32LE((((entry.mode & 0o7777) | 0o100000) << 16) >>> 0, 38); // UNIX mode, regular file
  b.writeUInt32LE(zip64 ? MAX32 : item.offset, 42);
  let at = CENTRAL_HEADER;
  name.copy(b, at);
  at += name.length;
  b.writeUInt16LE(0x5455, at); // extended timestamp
  b.writeUInt16LE(5, at + 2);
  b.writeUInt8(1, at + 4); // modification time present
  b.writeInt32LE(Math.max(-0x80000000, Math.min(0x7fffffff, Math.floor(entry.mtimeMs / 1000))), at + 5);
  at += TIMESTAMP_EXTRA;
  if (zip64) {
    b.writeUInt16LE(0x0001, at);
    b.writeUInt16LE(ZIP64_EXTRA - 4, at + 2);
    b.writeBigUInt64LE(BigInt(entry.size), at + 4);
    b.writeBigUInt64LE(BigInt(entry.size), at + 12);
    b.writeBigUInt64LE(BigInt(item.offset), at + 20);
  }
  return b;
}

function endRecords(plan: ZipPlan<ZipInput>): Buffer {
  const count = plan.items.length;
  const end = Buffer.alloc(END);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, MAX16), 8);
  end.writeUInt16LE(Math.min(count, MAX16), 10);
  end.writeUInt32LE(Math.min(plan.directorySize, MAX32), 12);
  end.writeUInt32LE(Math.min(plan.directoryOffset, MAX32), 16);
  if (!plan.zip64End) return end;
  const rec = Buffer.alloc(ZIP64_END);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(BigInt(ZIP64_END - 12), 4);
  rec.writeUInt16LE(MADE_BY, 12);
  rec.writeUInt16LE(45, 14);
  rec.writeBigUInt64LE(BigInt(count), 24);
  rec.writeBigUInt64LE(BigInt(count), 32);
  rec.writeBigUInt64LE(BigInt(plan.directorySize), 40);
  rec.writeBigUInt64LE(BigInt(plan.directoryOffset), 48);
  const loc = Buffer.alloc(ZIP64_LOCATOR);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(plan.directoryOffset + plan.directorySize), 8);
  loc.writeUInt32LE(1, 16); // total number of disks
  return Buffer.concat([rec, loc, end]);
}

/** The bytes of an entry did not add up to its planned size (the file changed while being read). */
export class EntrySizeError extends Error {
  constructor(
    readonly entry: ZipInput,
    readonly got: number,
  ) {
    super(`${entry.rel}: ${got} bytes read where ${entry.size} were planned`);
  }
}

/** node:zlib's CRC-32, loaded with the first zip (see zipChunks). */
let crc32: typeof import('node:zlib').crc32 | undefined;

/**
 * The archive of `plan` in chunks of `chunkSize` packed full (headers, file bytes and directory records
 * side by side; only the last chunk is shorter), read into reused buffers (see ./chunks.ts: a chunk is
 * valid until the next one is asked for). `open` gives each entry's reader (./chunks.ts: FileReader). An entry that ends before its
 * planned size fails the stream (EntrySizeError) instead of producing a corrupt archive; one that grew
 * gives its planned size only (the sender looks at the files again afterwards).
 */
export function zipChunks<T extends ZipInput>(plan: ZipPlan<T>, open: (entry: T) => EntryReader | Promise<EntryReader>, chunkSize = CHUNK_SIZE): AsyncGenerator<Buffer, void, undefined> {
  const crcs = new Uint32Array(plan.items.length);
  // The archive as a sequence of pieces: bytes to copy, or an entry's data (by index).
  function* pieces(): Generator<Buffer | number> {
    for (let i = 0; i < plan.items.length; i++) {
      const item = plan.items[i] as Item<T>;
      yield localHeader(item);
      yield i;
      yield descriptor(item, crcs[i] as number); // made after the data: its CRC is known by then
    }
    for (let i = 0; i < plan.items.length; i++) yield centralHeader(plan.items[i] as Item<T>, crcs[i] as number);
    yield endRecords(plan);
  }
  const queue = pieces();
  let piece: Buffer | number | undefined;
  /** Bytes of the current piece written so far (for an entry: the position in its file). */
  let done = 0;
  let crc = 0;
  let reader: EntryReader | undefined;
  const fill = async (buf: Buffer): Promise<number> => {
    // node:zlib (~3 ms of start-up) only when a zip is written, not on every upload's path.
    crc32 ??= (await import('node:zlib')).crc32;
    let at = 0;
    while (at < buf.length) {
      if (piece === undefined) {
        const r = queue.next();
        if (r.done) break;
        piece = r.value;
        done = 0;
        crc = 0;
      }
      if (typeof piece !== 'number') {
        const n = piece.copy(buf, at, done);
        at += n;
        done += n;
        if (done === piece.length) piece = undefined;
        continue;
      }
      const entry = (plan.items[piece] as Item<T>).entry;
      if (done < entry.size) {
        reader ??= await open(entry);
        const got = reader.read(buf, at, Math.min(entry.size - done, buf.length - at), done);
        const n = typeof got === 'number' ? got : await got;
        if (n === 0) throw new EntrySizeError(entry, done);
        crc = crc32(buf.subarray(at, at + n), crc);
        at += n;
        done += n;
      }
      if (done >= entry.size) {
        const r = reader;
        reader = undefined;
        await r?.close();
        crcs[piece] = crc;
        piece = undefined;
      }
    }
    return at;
  };
  return reusedChunks(plan.size, fill, () => reader?.close(), chunkSize);
}

/** The archive of `plan` as a byte stream of fresh buffers (for consumers that keep them). */
export function zipStream<T extends ZipInput>(plan: ZipPlan<T>, open: (entry: T) => EntryReader | Promise<EntryReader>, chunkSize?: number): Readable {
  return Readable.from(copied(zipChunks(plan, open, chunkSize)), { objectMode: false });
}
