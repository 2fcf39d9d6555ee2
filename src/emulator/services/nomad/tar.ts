// A streaming tar reader for the NOMAD emulator: ustar, GNU (long names, base-256 sizes) and pax
// headers. Entries are handed over chunk by chunk as they come off the stream, so an archive of any
// size is read in constant memory. A header whose checksum does not add up, or a stream that ends in
// the middle of an entry, is an error: what NOMAD reports as a processing failure.
import type { Readable } from 'node:stream';
import { tarHeaderValid } from './sniff.js';

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive (as stored; the caller checks that it is safe). */
  name: string;
  size: number;
  type: 'file' | 'directory' | 'other';
}

export class TarError extends Error {}

/** Reads exactly N bytes at a time from an async byte source, keeping the remainder. */
class Bytes {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    return this.buf.length >= n;
  }

  /** The next N bytes, or null at a clean end of stream (nothing left at all). */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) {
      if (this.buf.length === 0) return null;
      throw new TarError('unexpected end of archive');
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Hand the next N bytes to `sink` in the chunks they arrive in. */
  async forward(n: number, sink: (chunk: Buffer) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill(1))) throw new TarError('unexpected end of archive');
      const take = Math.min(left, this.buf.length);
      sink(this.buf.subarray(0, take));
      this.buf = this.buf.subarray(take);
      left -= take;
    }
  }
}

function cstr(b: Buffer, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? len : end).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  const field = b.subarray(start, start + len);
  if ((field[0] as number) & 0x80) {
    // GNU base-256 (sizes of 8 GiB and more)
    let v = (field[0] as number) & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + (field[i] as number);
    return v;
  }
  const text = cstr(field, 0, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`malformed number field "${text}" in a tar header`);
  return Number.parseInt(text, 8);
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = Number.parseInt(data.subarray(i, sp).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) throw new TarError('malformed pax header');
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Read a tar stream, calling `onEntry` for every entry; for a file, `onData` receives its bytes.
 * Small metadata records (pax, GNU long names) are the only thing held in memory.
 */
export async function readTar(
  stream: Readable,
  onEntry: (entry: TarEntry) => ((chunk: Buffer) => void) | undefined,
): Promise<void> {
  const bytes = new Bytes(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  let sawHeader = false;
  for (;;) {
    const header = await bytes.read(BLOCK);
    if (header === null || header.every((b) => b === 0)) {
      if (!sawHeader) throw new TarError('empty or truncated tar archive');
      return; // end-of-archive marker (or a stream that simply ends after the last entry)
    }
    if (!tarHeaderValid(header)) throw new TarError('invalid tar header (checksum mismatch)');
    sawHeader = true;
    const flag = String.fromCharCode(header[156] as number);
    let size = octal(header, 124, 12);
    const magic = header.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? cstr(header, 345, 155) : '';
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > 1 << 20) throw new TarError('oversized tar metadata record');
      const data = await bytes.read(size);
      if (data === null) throw new TarError('unexpected end of archive');
      await bytes.read(padding(size));
      if (flag === 'x') pax = paxRecords(data);
      if (flag === 'L') longName = cstr(data, 0, data.length);
      continue;
    }
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${cstr(header, 0, 100)}` : cstr(header, 0, 100));
    if (pax.size !== undefined) size = Number(pax.size);
    pax = {};
    longName = undefined;
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    if (type === 'directory') name = name.replace(/\/+$/, '');
    const sink = onEntry({ name, size: type === 'file' ? size : 0, type });
    const dataSize = type === 'directory' || flag === '1' || flag === '2' ? 0 : size;
    await bytes.forward(dataSize, sink ?? (() => {}));
    if (dataSize > 0) await bytes.forward(padding(dataSize), () => {});
  }
}
