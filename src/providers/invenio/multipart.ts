// Multipart uploads to an InvenioRDM site (transfer type `M`, InvenioRDM >= v13): a large file goes in
// parts, several at a time, each part its own request; a connection cut resends that part only (the
// HTTP layer repeats the PUT from a fresh stream of the same byte range). A journal under
// $XDG_STATE_HOME/rdp/multipart records the parts the site has taken, so an interrupted upload (Ctrl-C,
// a crash, a failed run) resumes with the parts that are missing.
//
// What the site does (invenio-records-resources MultipartTransfer, test/contract/invenio/files-api.json):
// the init needs `size`, `transfer.parts` and `transfer.part_size`; every part but the last is exactly
// `part_size`; the entry's `links.parts[].url` says where each part goes (on the site itself for local
// storage, a presigned URL elsewhere for S3, which gets no token); the commit makes it an ordinary file.
// Nothing on the site checks that every part arrived, so rdp compares the site's checksum afterwards:
// `md5:<hex>` (local storage, computed by a background task shortly after the commit: waited for) with
// the file's MD5, or the S3-style `multipart:<hex>-<parts>-<part size>` with the MD5 of the parts' MD5s.
// Both are computed by one pass over the file on a worker thread while the parts go out. The checksum
// is never declared at init: the site would take it as given and never compute its own.
//
// A site that refuses multipart (Zenodo: the init is accepted, then every part is 403) is found out
// with the smallest part first, before any other part is sent; the entry is removed and the file goes
// as one stream, and so do the run's other files. The user notices nothing but the speed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, FailureError } from '../../errors/errors.js';
import { fileChunks } from '../../transfer/chunks.js';
import { runPool } from '../../transfer/pool.js';
import { sendSource } from '../../transfer/send.js';
import type { UploadSource } from '../../transfer/source.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { isObj } from '../../util/guards.js';
import { header } from '../../http/client.js';
import type { InitEntry, InvenioClient, UploadedFile, UploadFileOptions } from './client.js';
import { multipartChecksum, type RdmFile, toRdmFile } from './types.js';

const MiB = 1024 * 1024;

export interface MultipartOptions {
  /** Files on disk at least this large go in parts. */
  threshold: number;
  /** Bytes a part (raised when a file would need more than 10,000 parts). */
  partSize: number;
  /** Parts in flight at once. */
  concurrency: number;
  /** rdp's state folder ($XDG_STATE_HOME/rdp); journals live under `multipart/` in it. Undefined: no journal. */
  stateDir?: string | undefined;
}

export const MULTIPART_DEFAULTS: MultipartOptions = { threshold: 64 * MiB, partSize: 32 * MiB, concurrency: 4 };

/** S3's limit, which storages behind InvenioRDM share. */
export const MAX_PARTS = 10_000;

export function resolveMultipartOptions(p: Partial<MultipartOptions> = {}): MultipartOptions {
  const out = { ...MULTIPART_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as MultipartOptions;
  if (!(out.partSize >= 1) || !(out.threshold >= 1) || !(out.concurrency >= 1)) throw new Error('multipart options must be positive');
  return out;
}

/** How a file of `size` bytes is cut: at most MAX_PARTS parts, each `partSize` but the last. */
export function planParts(size: number, partSize: number): { parts: number; partSize: number } {
  let ps = partSize;
  if (Math.ceil(size / ps) > MAX_PARTS) ps = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return { parts: Math.max(1, Math.ceil(size / ps)), partSize: ps };
}

// ---------------------------------------------------------------------------------------------------
// The journal: one small JSON file per upload, written after every part (atomically).

export interface Journal {
  version: 1;
  /** The site's API base, the draft and the key: where the parts went. */
  api: string;
  record: string;
  key: string;
  /** The local file as it was when the upload began: a changed file starts over. */
  path: string;
  size: number;
  mtimeMs: number;
  parts: number;
  partSize: number;
  /** Parts the site has answered for. */
  done: number[];
  /** Their MD5s as sent (hex, by part number), so a resumed upload need not read them again. */
  md5s?: Record<string, string> | undefined;
  updated: string;
}

export function journalPath(stateDir: string, api: string, record: string, key: string): string {
  const h = createHash('sha256').update(JSON.stringify([api, record, key])).digest('hex').slice(0, 32);
  return join(stateDir, 'multipart', `${h}.json`);
}

/** Journals of uploads never resumed are removed after this long. */
const JOURNAL_MAX_AGE_MS = 30 * 86_400_000;

/** Remove journals nobody resumed for a month (best effort). */
async function pruneJournals(dir: string, now = Date.now()): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const p = join(dir, name);
    const st = await stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > JOURNAL_MAX_AGE_MS) await rm(p, { force: true }).catch(() => {});
  }
}

export async function readJournal(path: string): Promise<Journal | undefined> {
  try {
    const j = JSON.parse(await readFile(path, 'utf8')) as Journal;
    return isObj(j) && j.version === 1 && Array.isArray(j.done) ? j : undefined;
  } catch {
    return undefined; // missing or unreadable: nothing to resume
  }
}

class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly path: string | undefined,
    readonly journal: Journal,
  ) {}
  save(): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    const text = `${JSON.stringify({ ...this.journal, updated: new Date().toISOString() })}\n`;
    // Written one after another (a later write never lands before an earlier one); a journal that cannot
    // be written only costs the resume.
    this.chain = this.chain.then(() => writeFileAtomic(path, text, 0o600)).catch(() => {});
    return this.chain;
  }
  async remove(): Promise<void> {
    await this.chain;
    if (this.path) await rm(this.path, { force: true }).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// Hashing: the file's MD5 and every part's MD5 in one pass, on a worker thread.

const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, size, partSize, wantParts, wantWhole } = workerData;
const buf = Buffer.allocUnsafe(128 * 1024); // small enough to stay in the core's cache (bench/NOTES.md 14)
const whole = createHash('md5');
let part = createHash('md5');
let inPart = 0;
const parts = [];
const fd = openSync(path, 'r');
let left = size;
try {
  while (left > 0) {
    // the size planned, no more (a file that grew since is found out by the size check)
    const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
    if (n === 0) throw new Error(path + ' is shorter than the ' + size + ' bytes planned: it changed');
    left -= n;
    let off = 0;
    while (off < n) {
      const take = Math.min(n - off, partSize - inPart);
      const slice = buf.subarray(off, off + take);
      if (wantWhole) whole.update(slice);
      if (wantParts) part.update(slice);
      inPart += take;
      off += take;
      if (inPart === partSize) {
        parts.push(part.digest('hex'));
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
} finally {
  closeSync(fd);
}
if (inPart > 0 || parts.length === 0) parts.push(part.digest('hex'));
parentPort.postMessage({ md5: wantWhole ? whole.digest('hex') : '', parts: wantParts ? parts : [] });
`;

/**
 * MD5 of the first `size` bytes of the file and of each `partSize` slice of them, read on a worker
 * thread (with `wantParts` false, the file's MD5 alone: `parts` is empty; with `wantWhole` false, the
 * parts' alone: `md5` is empty, and every byte is hashed once instead of twice). A file shorter than
 * `size` fails it.
 */
export function hashParts(path: string, size: number, partSize: number, signal?: AbortSignal, wantParts = true, wantWhole = true): Promise<{ md5: string; parts: string[] }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: { path, size, partSize, wantParts, wantWhole }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(new CancelledError()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { md5: string; parts: string[] }) => finish(() => resolve(m)));
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`the hashing thread for ${path} stopped (exit ${code})`))));
  });
}

// ---------------------------------------------------------------------------------------------------

/** The site refused a part (403): multipart is not for this site. */
class PartRefused extends Error {}

function rangeSource(path: string, name: string, start: number, end: number, verify: UploadSource['verify']): UploadSource {
  return {
    name,
    label: name,
    size: end - start,
    // The whole file's check: a file that changes while its parts go out is an error of its own (exit 1,
    // FILE_CHANGED), never a checksum that "does not match" after the commit.
    verify,
    // No `file`: the part is not the whole file (its MD5 is taken on the way out).
    // Several parts go out at once, each with two buffers of its own: smaller ones keep the sum small.
    chunks: () => fileChunks(path, end - start, start),
    open: () => createReadStream(path, { start, end: end - 1, highWaterMark: Math.min(MiB, Math.max(16 * 1024, end - start)) }),
  };
}

function parseEntry(text: string): RdmFile | undefined {
  try {
    return toRdmFile(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Upload `source` (a file on disk) in parts; resume an unfinished upload of the same file when the
 * journal and the site's entry agree. 'refused' when the site does not take multipart uploads here (the
 * entry is gone again and the caller sends one stream).
 */
export async function sendMultipart(client: InvenioClient, id: string, source: UploadSource, existing: RdmFile | undefined, opts: UploadFileOptions): Promise<UploadedFile | 'refused'> {
  const file = source.file as string;
  const key = source.name;
  const { http } = client;
  const { parts, partSize } = planParts(source.size, client.multipart.partSize);
  const st = await stat(file);
  const api = http.base;
  const jpath = client.multipart.stateDir ? journalPath(client.multipart.stateDir, api, id, key) : undefined;
  const old = jpath ? await readJournal(jpath) : undefined;
  const sameFile = old !== undefined && old.api === api && old.record === id && old.key === key && old.path === file && old.size === source.size && old.mtimeMs === st.mtimeMs && old.parts === parts && old.partSize === partSize;
  const resumable =
    sameFile && existing !== undefined && existing.status === 'pending' && existing.transfer.type === 'M' && existing.transfer.parts === parts && existing.transfer.partSize === partSize && (existing.links.parts?.length ?? 0) > 0;

  let entry: RdmFile;
  let journal: Journal;
  if (resumable) {
    entry = existing as RdmFile;
    journal = old as Journal;
  } else {
    if (existing) await client.deleteFile(id, key);
    const entry0: InitEntry = { key, size: source.size, transfer: { type: 'M', parts, part_size: partSize } };
    let init = await client.initFiles(id, [entry0], [400, 403]);
    if (init.status === 400 && (await client.getFile(id, key))) {
      // The key exists: a stale entry (an attempt whose answer was lost), not a site without multipart.
      await client.deleteFile(id, key);
      init = await client.initFiles(id, [entry0], [400, 403]);
    }
    const got = init.files.find((f) => f.key === key);
    if (init.status === 400 || init.status === 403 || !got || got.transfer.type !== 'M' || !got.links.parts?.length) {
      // Refused (403), or a site without multipart (an older InvenioRDM: 400, or no part links).
      if (got) await client.deleteFile(id, key);
      client.multipartRefused = true;
      return 'refused';
    }
    entry = got;
    journal = { version: 1, api, record: id, key, path: file, size: source.size, mtimeMs: st.mtimeMs, parts, partSize, done: [], updated: '' };
    if (jpath) await pruneJournals(dirname(jpath));
  }
  const writer = new JournalWriter(jpath, journal);
  await writer.save();

  // Each part's MD5 is taken as its bytes go out (one read, one hash: the S3-style checksum is made of
  // them); the file's own MD5 is needed only where the site reports one (local storage computes it in
  // a background task after the commit), so it is read then, on a thread, while rdp waits for the
  // site's. Stopped when this function leaves early, so no thread reads on for nothing.
  const stopHashing = new AbortController();
  const hashSignal = opts.signal ? AbortSignal.any([opts.signal, stopHashing.signal]) : stopHashing.signal;
  journal.md5s ??= {};
  const partMd5 = journal.md5s;
  try {
    const urls = new Map((entry.links.parts ?? []).map((p) => [p.part, p.url]));
    const origin = new URL(api).origin;
    const done = new Set(journal.done);
    const missing = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !done.has(n));
    const partBytes = (n: number) => Math.min(source.size, n * partSize) - (n - 1) * partSize;
    let doneBytes = [...done].reduce((s, n) => s + partBytes(n), 0);
    const inFlight = new Map<number, number>();
    const report = () => {
      let s = doneBytes;
      for (const b of inFlight.values()) s += b;
      opts.onProgress?.(s);
    };
    report();
    let partRequests = 0;
    const etags = new Map<number, string>();

    const sendPart = async (n: number): Promise<void> => {
      const url = urls.get(n) ?? `${http.url(client.filePath(id, key))}/content/${n}`;
      const foreign = new URL(url).origin !== origin;
      const start = (n - 1) * partSize;
      const end = Math.min(source.size, n * partSize);
      inFlight.set(n, 0);
      const sent = await sendSource({
        http,
        method: 'PUT',
        path: url,
        source: rangeSource(file, `${key} (part ${n} of ${parts})`, start, end, source.verify),
        accept: [403],
        anonymous: foreign, // a presigned URL on another host (S3) gets no token
        signal: opts.signal,
        onProgress: (b) => {
          inFlight.set(n, b);
          report();
        },
        onRestart: () => {
          inFlight.set(n, 0);
          opts.onRestart?.();
        },
      }).finally(() => {
        inFlight.delete(n);
      });
      partRequests += sent.attempts;
      if (sent.status === 403) throw new PartRefused();
      const answer = parseEntry(sent.text);
      if (answer?.errors) {
        throw new FailureError('TRANSFER_FAILED', `${key}: ${client.site.name} failed part ${n} of ${parts} (${answer.errors}).`, { hint: 'Run the command again: the missing parts are sent.' });
      }
      const etag = header(sent.headers, 'etag')?.replace(/"/g, '');
      if (etag && /^[0-9a-f]{32}$/i.test(etag)) etags.set(n, etag.toLowerCase());
      doneBytes += end - start;
      if (sent.md5) partMd5[String(n)] = sent.md5;
      journal.done.push(n);
      report();
      await writer.save();
    };

    if (!client.multipartAccepted && missing.length > 0) {
      // The smallest part first, alone: a site that refuses multipart costs at most that part.
      const first = missing.includes(parts) ? parts : (missing[0] as number);
      try {
        await sendPart(first);
      } catch (err) {
        if (!(err instanceof PartRefused)) throw err;
        await client.deleteFile(id, key);
        await writer.remove();
        client.multipartRefused = true;
        return 'refused';
      }
      client.multipartAccepted = true;
      missing.splice(missing.indexOf(first), 1);
    }
    const results = await runPool(missing, client.multipart.concurrency, sendPart, opts.signal);
    if (opts.signal?.aborted) throw new CancelledError();
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) {
      if (failed.error instanceof PartRefused) {
        throw new FailureError('PART_REFUSED', `${key}: ${client.site.name} refused a part (403) after accepting others.`, {
          hint: `Check that your token still works (\`rdp login ${client.site.id} --with-token\`), then run the command again: the missing parts are sent.`,
        });
      }
      throw failed.error;
    }

    // Parts sent by an earlier run whose journal kept no MD5 for them: read once more.
    let md5s = Array.from({ length: parts }, (_, i) => partMd5[String(i + 1)]);
    let whole: Promise<string> | undefined;
    if (md5s.some((m) => m === undefined)) {
      const h = await hashParts(file, source.size, partSize, hashSignal);
      md5s = h.parts;
      whole = Promise.resolve(h.md5);
    }
    let committed = await client.commitFile(id, key);
    if (!multipartChecksum(committed.checksum ?? '')) {
      whole ??= hashParts(file, source.size, partSize, hashSignal, false).then((h) => h.md5);
      whole.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
      if (!committed.checksum) committed = await client.waitForChecksum(id, committed, opts.signal);
    }
    let md5: string | undefined;
    let verified: boolean;
    try {
      md5 = multipartChecksum(committed.checksum ?? '') ? undefined : await whole;
      for (const [n, etag] of etags) {
        if (md5s[n - 1] !== etag) throw new FailureError('CHECKSUM_MISMATCH', `${key}: part ${n} arrived damaged (its ETag ${etag} is not the MD5 of the part).`, { hint: 'Run the command again: the damaged copy is replaced.' });
      }
      verified = client.checkChecksum(key, committed.checksum, md5 ?? '', { md5s: md5s as string[], partSize });
    } catch (err) {
      await client.deleteFile(id, key).catch(() => {});
      await writer.remove();
      // A file changed since its parts went out reads differently now: say that, not "damaged".
      throw (await source.verify?.().catch(() => undefined)) ?? err;
    }
    await writer.remove();
    return { key, size: source.size, md5, checksum: committed.checksum ?? null, verified, multipart: true, partRequests, fellBack: false };
  } finally {
    stopHashing.abort();
  }
}
