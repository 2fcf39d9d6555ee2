// Syncing local files into an InvenioRDM draft, the way re-runs stay safe (SPEC.md, Sites: everything
// the Zenodo upload promises):
//   - a file the draft holds, committed, with the same name, size and checksum is skipped (the local MD5
//     is computed only for a same-name, same-size file; an S3-style `multipart:` checksum is compared
//     with the MD5 of the local parts);
//   - a file that differs is replaced; an unfinished one (pending) is resumed from the journal when it
//     is a multipart upload of the same file, else sent again;
//   - with deleteExtra, files of the draft that are not local are removed (first, to make room).
// The provider-agnostic upload workflow (a later step) calls planSync and syncFiles.
import { CancelledError } from '../../errors/errors.js';
import { md5Of as localMd5 } from '../../transfer/hash.js';
import { runPool } from '../../transfer/pool.js';
import type { UploadSource } from '../../transfer/source.js';
import { ChecksumMismatchError, compositeMd5, type InvenioClient, type UploadedFile } from './client.js';
import { hashParts } from './multipart.js';
import { multipartChecksum, type RdmFile } from './types.js';

export type SyncAction = 'upload' | 'replace' | 'resume' | 'skip' | 'delete' | 'keep';

export interface SyncItem {
  name: string;
  size: number;
  action: SyncAction;
  source?: UploadSource | undefined;
  remote?: RdmFile | undefined;
  /** Why a file that is there is sent again (for messages and --dry-run). */
  reason?: string | undefined;
}

/** The part of TransferProgress the sync reports to. */
export interface ProgressSink {
  begin(name: string, size: number): void;
  update(name: string, sent: number): void;
  restart(name: string, why?: string): void;
  complete(name: string, note?: string): void;
  fail(name: string, message: string): void;
}

/** Whether a local source has the same content as a committed remote file; undefined: cannot tell. */
async function sameContent(client: InvenioClient, id: string, source: UploadSource, remote: RdmFile, signal?: AbortSignal): Promise<boolean | undefined> {
  let r = remote;
  if (!r.checksum) r = await client.waitForChecksum(id, r, signal);
  if (r.md5) return (await localMd5(source, signal)) === r.md5;
  const mp = multipartChecksum(r.checksum);
  if (mp?.partSize && source.file) {
    const h = await hashParts(source.file, source.size, mp.partSize, signal, true, false); // the parts' MD5s are all it takes
    return h.parts.length === mp.parts && compositeMd5(h.parts) === mp.hex;
  }
  return undefined;
}

/** Decide what happens to every file (reads local files only where a remote twin might match). */
export async function planSync(
  client: InvenioClient,
  id: string,
  sources: UploadSource[],
  remote: RdmFile[],
  opts: { deleteExtra?: boolean | undefined; concurrency: number; signal?: AbortSignal | undefined },
): Promise<SyncItem[]> {
  const byKey = new Map(remote.map((f) => [f.key, f]));
  const items: SyncItem[] = sources.map((source) => {
    const r = byKey.get(source.name);
    if (!r) return { name: source.name, size: source.size, action: 'upload', source };
    if (r.status !== 'completed') return { name: source.name, size: source.size, action: 'resume', source, remote: r, reason: 'its upload did not finish' };
    if (r.size !== source.size) return { name: source.name, size: source.size, action: 'replace', source, remote: r, reason: 'its size changed' };
    return { name: source.name, size: source.size, action: 'skip', source, remote: r };
  });
  const toCompare = items.filter((i) => i.action === 'skip');
  const results = await runPool(
    toCompare,
    opts.concurrency,
    async (i) => {
      const same = await sameContent(client, id, i.source as UploadSource, i.remote as RdmFile, opts.signal);
      if (same === false) Object.assign(i, { action: 'replace', reason: 'its content changed' });
      if (same === undefined) Object.assign(i, { action: 'replace', reason: `${client.site.name} has no checksum to compare it with` });
    },
    opts.signal,
  );
  if (opts.signal?.aborted) throw new CancelledError();
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) throw failed.error;
  const local = new Set(sources.map((s) => s.name));
  for (const r of remote) {
    if (!local.has(r.key)) items.push({ name: r.key, size: r.size ?? 0, action: opts.deleteExtra ? 'delete' : 'keep', remote: r });
  }
  return items;
}

export interface SyncOutcome {
  sent: UploadedFile[];
  skipped: string[];
  deleted: string[];
  /** Sent, but the site had not computed its checksum yet (the next run compares it). */
  unverified: string[];
  failures: { name: string; error: unknown }[];
  bytesSent: number;
}

/** Carry out a plan: deletions first, then the uploads N at a time. Single failures are collected. */
export async function syncFiles(
  client: InvenioClient,
  id: string,
  plan: SyncItem[],
  opts: { concurrency: number; signal?: AbortSignal | undefined; progress?: ProgressSink | undefined },
): Promise<SyncOutcome> {
  const out: SyncOutcome = { sent: [], skipped: plan.filter((p) => p.action === 'skip').map((p) => p.name), deleted: [], unverified: [], failures: [], bytesSent: 0 };
  const deletes = plan.filter((p) => p.action === 'delete');
  const del = await runPool(deletes, opts.concurrency, async (p) => client.deleteFile(id, p.name), opts.signal);
  del.forEach((r, i) => (r.ok ? out.deleted.push((deletes[i] as SyncItem).name) : out.failures.push({ name: (deletes[i] as SyncItem).name, error: r.error })));

  const sends = plan.filter((p) => p.action === 'upload' || p.action === 'replace' || p.action === 'resume');
  const res = await runPool(
    sends,
    opts.concurrency,
    async (p) => {
      const source = p.source as UploadSource;
      opts.progress?.begin(p.name, p.size);
      const send = (existing: RdmFile | null) =>
        client.uploadFile(id, source, {
          existing,
          signal: opts.signal,
          onProgress: (n) => opts.progress?.update(p.name, n),
          onRestart: () => opts.progress?.restart(p.name, 'the connection was cut'),
        });
      try {
        let done: UploadedFile;
        try {
          done = await send(p.remote ?? null);
        } catch (err) {
          // A copy that arrived damaged (the client removed it) is sent once more at once, as on Zenodo.
          if (!(err instanceof ChecksumMismatchError) || opts.signal?.aborted) throw err;
          opts.progress?.restart(p.name, 'it arrived damaged (the checksum did not match)');
          done = await send(null);
        }
        opts.progress?.complete(p.name);
        return done;
      } catch (err) {
        if (!opts.signal?.aborted) opts.progress?.fail(p.name, err instanceof Error ? err.message : String(err));
        throw err;
      }
    },
    opts.signal,
  );
  res.forEach((r, i) => {
    const p = sends[i] as SyncItem;
    if (r.ok) {
      out.sent.push(r.value);
      out.bytesSent += p.size;
      if (!r.value.verified) out.unverified.push(p.name);
    } else {
      out.failures.push({ name: p.name, error: r.error });
    }
  });
  if (opts.signal?.aborted) throw new CancelledError();
  return out;
}
