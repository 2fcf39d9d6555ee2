// Syncing local files into a Zenodo draft through the bucket API:
//   - a remote file with the same name, size and MD5 is skipped (the local MD5 is computed only when
//     a same-name, same-size file is there, so a first upload reads every file once);
//   - a new or changed file is PUT to {bucket}/{name} (replacing the old one), streamed, hashed while
//     it goes out, and the server's checksum must match;
//   - with --delete-extra, remote files that are not local are deleted (first, to make room);
//   - afterwards the draft's file list is read once more and must match the local files exactly.
import type { DepositPorts } from '../../types.js';
import { CancelledError, FailureError, InputError, RdpError } from '../../../errors/errors.js';
import { formatBytes } from '../../../output/format.js';
import { TransferProgress } from '../../../output/progress.js';
import type { Deposition, RemoteFile, ZenodoClient } from '../client.js';
import { sendBatch } from '../../../transfer/batch.js';
import { md5Of } from '../../../transfer/hash.js';
import { runPool } from '../../../transfer/pool.js';
import type { UploadSource } from '../../../transfer/source.js';
import { ZENODO_LIMITS } from './sources.js';

export type FileAction = 'upload' | 'replace' | 'skip' | 'delete' | 'keep';

export interface FilePlan {
  name: string;
  size: number;
  action: FileAction;
  source?: UploadSource | undefined;
  /** The MD5 of the local content, when it was computed. */
  md5?: string | undefined;
  remote?: RemoteFile | undefined;
}

/** Decide what happens to every file. Reads local files only where a remote twin might match. */
export async function planFiles(
  ctx: Pick<DepositPorts, 'log' | 'signal'>,
  sources: UploadSource[],
  remote: RemoteFile[],
  opts: { deleteExtra: boolean; concurrency: number },
): Promise<FilePlan[]> {
  const byName = new Map(remote.map((f) => [f.name, f]));
  const plans: FilePlan[] = sources.map((source) => {
    const r = byName.get(source.name);
    const action: FileAction = !r ? 'upload' : r.size !== source.size || !r.md5 ? 'replace' : 'skip';
    return { name: source.name, size: source.size, action, source, remote: r };
  });
  const toHash = plans.filter((p) => p.action === 'skip');
  if (toHash.length) {
    const bytes = toHash.reduce((n, p) => n + p.size, 0);
    ctx.log.info(`Comparing ${toHash.length} file${toHash.length === 1 ? '' : 's'} (${formatBytes(bytes)}) with the copies already on Zenodo (MD5)…`);
    const results = await runPool(toHash, opts.concurrency, async (p) => {
      p.md5 = await md5Of(p.source as UploadSource, ctx.signal);
      if (p.md5 !== p.remote?.md5) p.action = 'replace';
    }, ctx.signal);
    if (ctx.signal.aborted) throw new CancelledError();
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw failed.error;
  }
  const local = new Set(sources.map((s) => s.name));
  for (const r of remote) {
    if (!local.has(r.name)) plans.push({ name: r.name, size: r.size, action: opts.deleteExtra ? 'delete' : 'keep', remote: r });
  }
  return plans;
}

/** The record as it will be after the plan: within Zenodo's limits? Checked before any byte is sent. */
export function checkRecordLimits(plans: FilePlan[]): void {
  const after = plans.filter((p) => p.action !== 'delete');
  const bytes = after.reduce((n, p) => n + p.size, 0);
  const kept = plans.filter((p) => p.action === 'keep').length;
  const extra = kept ? ` (with the ${kept} file${kept === 1 ? '' : 's'} already in the draft that are not local; --delete-extra removes them)` : '';
  if (after.length > ZENODO_LIMITS.files) {
    throw new InputError('TOO_MANY_FILES', `The record would hold ${after.length} files${extra}; Zenodo allows ${ZENODO_LIMITS.files}. Nothing was sent.`, {
      hint: 'Send the files as one archive with --zip NAME.zip, or use --delete-extra.',
    });
  }
  if (bytes > ZENODO_LIMITS.recordBytes) {
    throw new InputError('RECORD_TOO_LARGE', `The record would hold ${formatBytes(bytes)}${extra}; Zenodo allows ${formatBytes(ZENODO_LIMITS.recordBytes)}. Nothing was sent.`, {
      hint: 'Use --delete-extra, or spread the data over several records.',
    });
  }
}

export function changesFiles(plans: FilePlan[]): boolean {
  return plans.some((p) => p.action === 'upload' || p.action === 'replace' || p.action === 'delete');
}

export class ChecksumError extends FailureError {
  constructor(name: string, sent: string, server: string) {
    super('CHECKSUM_MISMATCH', `${name}: Zenodo's checksum (md5:${server}) does not match what rdp sent (md5:${sent}); the file was corrupted on the way.`, {
      hint: 'Run the command again: the damaged copy is replaced.',
      details: { file: name, sent, server },
    });
  }
}

export interface SyncOutcome {
  sent: { name: string; bytes: number; md5: string }[];
  /** Files whose upload answer had no checksum to compare (then the draft's list is checked after). */
  unverified: string[];
  deleted: string[];
  failures: { name: string; error: unknown }[];
  bytesSent: number;
}

/** Carry out the plan. Failures of single files are collected, not thrown. */
export async function executePlan(ctx: Pick<DepositPorts, 'log' | 'signal' | 'terminal'>, client: ZenodoClient, dep: Deposition, plans: FilePlan[], concurrency: number): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { sent: [], unverified: [], deleted: [], failures: [], bytesSent: 0 };
  const deletes = plans.filter((p) => p.action === 'delete');
  if (deletes.length) {
    const res = await runPool(deletes, concurrency, async (p) => {
      await client.deleteFile(dep, p.name);
      ctx.log.info(`${ctx.terminal.style.dim('−')} ${p.name} deleted (not in the local files)`);
      return p.name;
    }, ctx.signal);
    res.forEach((r, i) => (r.ok ? outcome.deleted.push(r.value) : outcome.failures.push({ name: deletes[i]?.name ?? '?', error: r.error })));
  }

  const sends = plans.filter((p) => p.action === 'upload' || p.action === 'replace');
  if (!sends.length) return outcome;
  const total = sends.reduce((n, p) => n + p.size, 0);
  ctx.log.info(`Uploading ${sends.length} file${sends.length === 1 ? '' : 's'} (${formatBytes(total)}) to deposition ${dep.id}, ${Math.min(concurrency, sends.length)} at a time…`);
  const send = async (batch: FilePlan[]) => {
    const progress = new TransferProgress(ctx.terminal, { verb: 'Uploading', totalBytes: batch.reduce((n, p) => n + p.size, 0), totalItems: batch.length });
    try {
      const items = batch.map((p) => ({ source: p.source as UploadSource, method: 'PUT' as const, path: client.fileUrl(dep, p.name), plan: p }));
      return await sendBatch({
        http: client.http,
        items,
        concurrency,
        progress,
        signal: ctx.signal,
        accept: [200, 201],
        verify: (item, sent) => {
          const answer = client.uploadAnswer(sent.text);
          const md5 = sent.md5 as string;
          if (answer?.md5 && answer.md5 !== md5) throw new ChecksumError(item.source.name, md5, answer.md5);
          if (answer && answer.size !== item.source.size) {
            throw new FailureError('SIZE_MISMATCH', `${item.source.name}: Zenodo stored ${answer.size} bytes, rdp sent ${item.source.size}.`, { hint: 'Run the command again: the damaged copy is replaced.' });
          }
          if (!answer?.md5) outcome.unverified.push(item.source.name);
          return md5;
        },
      });
    } finally {
      progress.end();
    }
  };
  const results = await send(sends);
  // A copy that arrived damaged (the server's MD5 is not that of what was sent) is sent once more at
  // once: a PUT of the same name replaces it. A second damaged copy fails the file.
  const damaged = sends.filter((_p, i) => {
    const r = results[i];
    return r && !r.ok && r.error instanceof ChecksumError;
  });
  if (damaged.length && !ctx.signal.aborted) {
    for (const p of damaged) ctx.log.warn(`${p.name} arrived damaged (Zenodo's checksum is not that of what rdp sent); sending it again.`);
    const again = await send(damaged);
    damaged.forEach((p, j) => {
      const r = again[j];
      if (r) results[sends.indexOf(p)] = r;
    });
  }
  results.forEach((r, i) => {
    const p = sends[i] as FilePlan;
    if (r.ok) {
      p.md5 = r.value.value;
      outcome.sent.push({ name: p.name, bytes: p.size, md5: r.value.value });
      outcome.bytesSent += p.size;
    } else {
      outcome.failures.push({ name: p.name, error: r.error });
    }
  });
  // A copy known to be damaged is not left in the draft.
  for (const f of outcome.failures) {
    if (f.error instanceof ChecksumError && !ctx.signal.aborted) await client.deleteFile(dep, f.name).catch(() => {});
  }
  return outcome;
}

/** One error for what failed (the first failure's own error when there is only one). */
export function failureError(outcome: SyncOutcome, total: number, resume: string): RdpError {
  const [first] = outcome.failures;
  const hint = `What arrived is kept; send the rest with: ${resume} (or the same command again on this machine)`;
  if (outcome.failures.length === 1 && first?.error instanceof RdpError) {
    const e = first.error;
    const message = e.message.startsWith(first.name) ? e.message : `${first.name}: ${e.message}`;
    // The file's own code, and so its own exit code (an expired token mid-upload exits 4).
    return new RdpError(e.code === 'API_ERROR' || e.code === 'NETWORK_ERROR' ? 'UPLOAD_FAILED' : e.code, message, { hint: `${e.hint ? `${e.hint} ` : ''}${hint}`, details: e.details, cause: e });
  }
  const lines = outcome.failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
  const code = outcome.failures.every((f) => f.error instanceof ChecksumError) ? 'CHECKSUM_MISMATCH' : 'UPLOAD_FAILED';
  return new FailureError(code, `${outcome.failures.length} of ${total} files failed: ${lines.join('; ')}`, {
    hint,
    details: { failed: outcome.failures.map((f) => f.name) },
  });
}

/**
 * The draft's files after the sync must be exactly the local ones (name, size, MD5). Run when an
 * upload answer had no checksum to compare, or files were deleted; otherwise every file was already
 * checked against the server's own checksum as it arrived.
 */
export function verifyFinal(plans: FilePlan[], remote: RemoteFile[]): void {
  const byName = new Map(remote.map((f) => [f.name, f]));
  for (const p of plans) {
    if (p.action === 'delete') {
      if (byName.has(p.name)) throw new FailureError('VERIFY_FAILED', `${p.name} is still in the draft after it was deleted.`, { hint: 'Run the command again.' });
      continue;
    }
    if (p.action === 'keep') continue;
    const r = byName.get(p.name);
    if (!r) throw new FailureError('VERIFY_FAILED', `${p.name} is missing from the draft after the upload.`, { hint: 'Run the command again: what is missing is sent.' });
    if (r.size !== p.size || (r.md5 && p.md5 && r.md5 !== p.md5)) {
      throw new FailureError('CHECKSUM_MISMATCH', `${p.name}: the draft holds ${r.size} bytes with md5:${r.md5 ?? '?'}, the local file has ${p.size} bytes with md5:${p.md5}.`, {
        hint: 'Run the command again: the damaged copy is replaced.',
      });
    }
  }
}
