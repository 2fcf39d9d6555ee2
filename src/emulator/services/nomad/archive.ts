// What the NOMAD emulator does with a received file: like NOMAD, it looks at the first bytes (not the
// name) to decide whether the file is a zip or a (gzipped) tar archive to extract, or a plain file to
// keep as it is. Archives are read as streams (a zip through yauzl, which reads the central directory
// and then one entry at a time; a tar through ./tar.ts, gunzipped on the fly), so nothing is ever held
// in memory whole. Each extracted file is recorded as path -> {size, md5}: what the tests compare with
// the local tree. Bytes are not kept (except small *.archive.json files, whose content is checked).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SNIFF_BYTES, sniffBytes } from './sniff.js';
import { readTar } from './tar.js';

export interface RawFile {
  size: number;
  md5: string;
}

/** A file found in an upload; `content` is kept only for small files a parser would look into. */
export interface ExtractedFile extends RawFile {
  path: string;
  content?: Buffer | undefined;
}

export type FileKind = 'zip' | 'tar' | 'tar.gz' | 'file';

/** Keep the bytes of files like these (small), so processing can check them. */
const KEEP_CONTENT = /\.archive\.json$/;
const KEEP_LIMIT = 1 << 20;

export class ArchiveError extends Error {}

/** NOMAD's rule: the first bytes decide (a .zip that is not a zip is kept as a plain file). */
export async function sniff(path: string): Promise<FileKind> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
    const kind = sniffBytes(head.subarray(0, bytesRead));
    return kind === 'gzip' ? 'tar.gz' : kind === 'plain' ? 'file' : kind;
  } finally {
    await fh.close();
  }
}

/** A path inside an archive, made relative to the target folder; unsafe paths are errors. */
function safeJoin(dir: string, name: string): string {
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || n.split('/').includes('..')) throw new ArchiveError(`unsafe path in archive: ${name}`);
  return posix.normalize(posix.join(dir, n)).replace(/^\.\//, '').replace(/^\.$/, '');
}

class Collector {
  private readonly hash = createHash('md5');
  private size = 0;
  private readonly chunks: Buffer[] | undefined;
  constructor(private readonly path: string) {
    this.chunks = KEEP_CONTENT.test(path) ? [] : undefined;
  }
  add = (chunk: Buffer): void => {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.chunks && this.size <= KEEP_LIMIT) this.chunks.push(Buffer.from(chunk));
  };
  done(): ExtractedFile {
    return {
      path: this.path,
      size: this.size,
      md5: this.hash.digest('hex'),
      content: this.chunks && this.size <= KEEP_LIMIT ? Buffer.concat(this.chunks) : undefined,
    };
  }
}

async function drainInto(stream: Readable, sink: (chunk: Buffer) => void): Promise<void> {
  for await (const chunk of stream) sink(chunk as Buffer);
}

async function extractZip(path: string, dir: string, out: ExtractedFile[]): Promise<void> {
  const yauzl = (await import('yauzl')).default;
  let zip: Awaited<ReturnType<typeof yauzl.openPromise>>;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw new ArchiveError(`not a valid zip archive (${(err as Error).message})`);
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue; // a directory
      const target = safeJoin(dir, entry.fileName);
      const c = new Collector(target);
      await drainInto(await zip.openReadStreamPromise(entry), c.add);
      out.push(c.done());
    }
  } catch (err) {
    zip.close();
    throw err instanceof ArchiveError ? err : new ArchiveError(`corrupt zip archive (${(err as Error).message})`);
  }
}

async function extractTar(stream: Readable, dir: string, out: ExtractedFile[]): Promise<void> {
  let current: Collector | undefined;
  try {
    await readTar(stream, (entry) => {
      if (current) out.push(current.done());
      current = undefined;
      if (entry.type !== 'file') return undefined;
      current = new Collector(safeJoin(dir, entry.name));
      return current.add;
    });
    if (current) out.push(current.done());
  } catch (err) {
    stream.destroy();
    throw err instanceof ArchiveError ? err : new ArchiveError(`corrupt tar archive (${(err as Error).message})`);
  }
}

/**
 * The files a received file contributes to an upload under `dir` ('' = the root): the entries of a
 * zip or tar archive, or the file itself under `name`.
 */
export async function extract(path: string, name: string, dir: string): Promise<{ kind: FileKind; files: ExtractedFile[] }> {
  const kind = await sniff(path);
  const files: ExtractedFile[] = [];
  if (kind === 'zip') await extractZip(path, dir, files);
  else if (kind === 'tar') await extractTar(createReadStream(path), dir, files);
  else if (kind === 'tar.gz') {
    const gunzip = createGunzip();
    const src = createReadStream(path);
    src.on('error', (err) => gunzip.destroy(err));
    await extractTar(src.pipe(gunzip), dir, files).catch((err: unknown) => {
      src.destroy();
      throw err instanceof ArchiveError ? err : new ArchiveError(`corrupt gzip stream (${(err as Error).message})`);
    });
  } else {
    const c = new Collector(safeJoin(dir, name));
    await drainInto(createReadStream(path), c.add);
    files.push(c.done());
  }
  return { kind, files };
}
