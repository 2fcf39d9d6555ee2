// `rdp dmps get <id> [--pdf] [-o FILE]`.
//   (default)        the plan's summary on stdout; `--json` prints the full RDA DMP JSON document
//   -o FILE          saves that JSON document to FILE (atomically)
//   --pdf -o FILE    streams the PDF into FILE: a temporary file beside it, checked (it must start with
//                    `%PDF-`, have the announced length and end with `%%EOF`), renamed over FILE only
//                    when whole; a cut transfer is retried, and a failed one leaves no file behind
//   --pdf [-o -]     the PDF on stdout, for pipes and redirects; refused when stdout is a terminal
// A FILE that is a directory gets `dmp-<id>.pdf` (or `.json`) inside it.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context.js';
import { CancelledError, errorMessage, FailureError, InputError, NetworkError, NotFoundError, RdpError, UsageError } from '../errors/errors.js';
import { header } from '../http/client.js';
import { isCutTransfer } from '../http/errors.js';
import { withRetries } from '../http/retry.js';
import type { DmptoolClient } from '../providers/dmptool/client.js';
import { num } from '../providers/dmptool/types.js';
import { urlEnv } from '../providers/registry.js';
import { writeStreamAtomic } from '../util/atomic.js';
import { dmptoolClient } from './dmp-list.js';
import { PdfCheck, PdfCheckError } from '../providers/dmptool/pdf-check.js';
import { parsePlanRef, type PlanRef } from '../providers/dmptool/ref.js';
import { privacyNote, renderPlan } from '../providers/dmptool/render.js';

export interface GetOptions {
  pdf?: boolean | undefined;
  output?: string | undefined;
}

/** Where the result goes. */
type Target = { kind: 'show' } | { kind: 'stdout' } | { kind: 'file'; path: string; isDir: boolean };

/** What `--json` prints after saving a file. */
export interface SavedFile {
  id: number;
  format: 'pdf' | 'json';
  file: string;
  bytes: number;
  sha256: string;
  privacy?: string | null | undefined;
}

const PDF_ATTEMPTS = 3;

export async function runGet(ctx: Context, input: string, opts: GetOptions): Promise<void> {
  const ref = parsePlanRef(input);
  const pdf = Boolean(opts.pdf) || /\.pdf$/i.test(opts.output ?? '');
  const target = await targetOf(ctx, pdf, opts.output);
  const client = await dmptoolClient(ctx);
  const id = await resolveId(ctx, client, ref);

  if (pdf) {
    await getPdf(ctx, client, id, target);
    return;
  }
  const plan = await client.plan(id);
  if (target.kind === 'show') {
    ctx.io.result(plan.document, () => renderPlan(ctx.io, plan));
    return;
  }
  const text = `${JSON.stringify(plan.document, null, 2)}\n`;
  if (target.kind === 'stdout') {
    ctx.io.document(text);
    return;
  }
  const file = target.isDir ? join(target.path, `dmp-${id}.json`) : target.path;
  await writeStreamAtomic(file, Readable.from([Buffer.from(text)]), [], { signal: ctx.signal }).catch((err: unknown) => {
    throw writeError(err, file);
  });
  const saved: SavedFile = {
    id,
    format: 'json',
    file,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    privacy: plan.summary.privacy,
  };
  ctx.io.result(saved, () => {
    ctx.io.success(`Saved the DMP JSON of plan ${id} to ${shown(ctx, file)}.`);
    const note = privacyNote(saved.privacy ?? null);
    if (note && note !== 'public') ctx.io.warn(`This plan is ${note}.`);
    return '';
  });
}

/** Check the flags and the output path before anything is fetched. */
async function targetOf(ctx: Context, pdf: boolean, output: string | undefined): Promise<Target> {
  const { io } = ctx;
  if (output === '-' || (pdf && output === undefined)) {
    if (pdf && io.flags.json) {
      throw new UsageError('--json cannot go with a PDF on stdout: stdout holds one or the other.', {
        hint: 'Save the PDF with -o FILE; --json then prints where it went.',
      });
    }
    if (pdf && io.stdoutIsTTY) {
      throw new UsageError('Not writing a PDF to the terminal.', {
        hint: 'Save it with -o FILE (e.g. -o plan.pdf), or redirect stdout: rdp dmps get <id> --pdf > plan.pdf.',
      });
    }
    return { kind: 'stdout' };
  }
  if (output === undefined) return { kind: 'show' };
  const path = resolve(ctx.cwd, output);
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const dir = isDir ? path : dirname(path);
  const dirOk = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!dirOk) throw new InputError('OUTPUT_PATH', `Cannot save to ${path}: the folder ${dir} does not exist.`, { hint: 'Create it first, or choose another -o path.' });
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new InputError('OUTPUT_PATH', `Cannot save to ${path}: the folder ${dir} is not writable.`, { hint: 'Choose another -o path.' });
  }
  return { kind: 'file', path, isDir };
}

/** The numeric id of a plan reference; a DOI is looked up among the plans the token can see. */
async function resolveId(ctx: Context, client: DmptoolClient, ref: PlanRef): Promise<number> {
  const { io } = ctx;
  if (ref.kind === 'id') {
    const host = new URL(client.http.base).host;
    if (ref.host && ref.host.toLowerCase() !== host.toLowerCase()) {
      io.warn(`That URL is on ${ref.host}, but rdp talks to DMPTool at ${host}: fetching plan ${ref.id} from ${host} (set ${urlEnv('dmptool')} to change).`);
    }
    return ref.id;
  }
  io.info(`Looking for DMP ID ${ref.doi} among your DMPTool plans…`);
  let seen = 0;
  const hit = await client.findPlanByDoi(ref.doi, (page) => {
    seen += page.items.length;
  });
  if (!hit) {
    throw new NotFoundError(`Plan not found: none of the ${seen} plans this DMPTool token can see has the DMP ID ${ref.doi}.`, {
      hint: "DMPTool's API finds plans by number: open the plan on DMPTool and use the number in its address (…/plans/123), or run `rdp dmps list`.",
      details: { doi: ref.doi },
    });
  }
  if (hit.id === null) {
    throw new FailureError('NO_PLAN_ID', `DMPTool lists the plan with DMP ID ${ref.doi} ("${hit.title}") without a link that gives its number.`, {
      hint: 'Open the plan on DMPTool and use the number in its address (…/plans/123).',
    });
  }
  io.info(`DMP ID ${ref.doi} is plan ${hit.id}: ${hit.title}`);
  return hit.id;
}

async function getPdf(ctx: Context, client: DmptoolClient, id: number, target: Target): Promise<void> {
  const { io } = ctx;
  if (target.kind === 'file') {
    const file = target.isDir ? join(target.path, `dmp-${id}.pdf`) : target.path;
    const saved = await downloadPdf(ctx, client, id, file);
    ctx.io.result(saved, () => {
      io.success(`Saved the PDF of plan ${id} to ${shown(ctx, file)} (${saved.bytes} bytes).`);
      return '';
    });
    return;
  }
  // stdout: nothing is written before the PDF's first bytes are checked; no retry once bytes are out.
  const res = await client.pdf(id);
  const check = new PdfCheck(num(header(res.headers, 'content-length')));
  try {
    await pipeline(res.body, check, toStdout(io.streams.stdout), { signal: ctx.signal });
  } catch (err) {
    // The reader went away (`| head -c 100`): it had what it wanted.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw pdfError(ctx, err, id, check, false);
  }
}

/** A writable over stdout that honours its backpressure and fails (EPIPE) when the reader is gone. */
function toStdout(stdout: NodeJS.WritableStream & { destroyed?: boolean }): Writable {
  const gone = () => Object.assign(new Error('stdout was closed'), { code: 'EPIPE' });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (stdout.destroyed) {
        cb(gone());
        return;
      }
      if (stdout.write(chunk)) {
        cb();
        return;
      }
      const done = () => {
        stdout.removeListener('drain', done);
        stdout.removeListener('close', done);
        cb(stdout.destroyed ? gone() : undefined);
      };
      stdout.on('drain', done);
      stdout.on('close', done);
    },
  });
}

/**
 * Download into `file` atomically; a transfer cut after its headers is made again from the start by the
 * HTTP layer's retry policy (http/retry.ts: the same backoff as every request). Returns what was saved.
 */
async function downloadPdf(ctx: Context, client: DmptoolClient, id: number, file: string): Promise<SavedFile> {
  return withRetries(
    async () => {
      const res = await client.pdf(id);
      const check = new PdfCheck(num(header(res.headers, 'content-length')));
      try {
        await writeStreamAtomic(file, res.body, [check], { signal: ctx.signal });
        return { id, format: 'pdf', file, bytes: check.bytes, sha256: check.sha256 };
      } catch (err) {
        throw pdfError(ctx, err, id, check, true);
      }
    },
    {
      attempts: PDF_ATTEMPTS,
      retryable: (err) => err instanceof NetworkError,
      settings: client.http.retry,
      sleep: (ms) => client.http.clock.sleep(ms, ctx.signal),
      onRetry: (err, ms, next) => ctx.io.info(`${(err as Error).message.replace(/\. Nothing was saved\.$/, '')}; retrying in ${ms} ms (attempt ${next} of ${PDF_ATTEMPTS}).`),
    },
  );
}

/** The error for a failed PDF transfer: cut (a NetworkError, retryable), not a PDF, or a local write. */
function pdfError(ctx: Context, err: unknown, id: number, check: PdfCheck, toFile: boolean): RdpError {
  if (ctx.signal.aborted) return new CancelledError(undefined, { hint: toFile ? 'Nothing was saved.' : undefined });
  if (err instanceof RdpError) return err;
  const saved = toFile ? ' Nothing was saved.' : '';
  if (err instanceof PdfCheckError && err.reason === 'not-pdf') {
    return new FailureError('NOT_A_PDF', `DMPTool's answer for plan ${id} is not a PDF: ${err.message}.${saved}`, {
      hint: `Check that ${urlEnv('dmptool')} points at DMPTool, then try again.`,
    });
  }
  if (err instanceof PdfCheckError || isCutTransfer(err)) {
    const of = check.expectedBytes !== undefined ? ` of ${check.expectedBytes}` : '';
    const why = err instanceof PdfCheckError ? `: ${err.message}` : ` after ${check.bytes}${of} bytes (${errorMessage(err)})`;
    return new NetworkError(`The download of the PDF of plan ${id} was cut${why}.${saved}`, {
      hint: toFile ? 'Run the command again.' : 'Run the command again; what was written to stdout is incomplete.',
      cause: err,
    });
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (toFile && code && /^E[A-Z]+$/.test(code)) return writeError(err, '');
  return new FailureError('DOWNLOAD_FAILED', `The download of the PDF of plan ${id} failed: ${errorMessage(err)}.${saved}`, { cause: err });
}

function writeError(err: unknown, file: string): RdpError {
  if (err instanceof RdpError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const where = file || ((err as NodeJS.ErrnoException).path ?? 'the output file');
  return new FailureError('WRITE_FAILED', `Cannot write ${where}: ${code === 'ENOSPC' ? 'the disk is full' : errorMessage(err)}. Nothing was saved.`, {
    hint: 'Free some space or choose another -o path.',
    cause: err,
  });
}

/** A path as the user would write it: relative to the working directory when inside it. */
function shown(ctx: Context, file: string): string {
  const rel = relative(ctx.cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
