// `rdp dmps list|templates|get`: plans and templates from the DMP service (the provider with the `dmp`
// capability: DMPTool), paged to a limit; one plan as its summary, its RDA DMP JSON document, or its
// PDF streamed into a file (a temporary file beside it, checked: it must start with `%PDF-`, have the
// announced length and end with `%%EOF`, renamed over FILE only when whole; a cut transfer is made again
// by the HTTP layer's retry policy, and a failed one leaves no file behind) or onto stdout. A FILE that
// is a directory gets `dmp-<id>.pdf` (or `.json`) inside it. Returns data; commands/dmps.ts renders it.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { apiClient, requireCredential } from '../auth/credentials.js';
import type { AuthPorts } from '../auth/ports.js';
import { CancelledError, errorMessage, FailureError, InputError, NetworkError, NotFoundError, RdpError, UsageError } from '../errors/errors.js';
import { header } from '../http/client.js';
import { isCutTransfer } from '../http/errors.js';
import { withRetries } from '../http/retry.js';
import { withCapability } from '../providers/index.js';
import type { DmptoolClient, Page } from '../providers/dmptool/client.js';
import type { PlanRef } from '../providers/dmptool/ref.js';
import type { Plan, PlanSummary, TemplateSummary } from '../providers/dmptool/types.js';
import type { Provider } from '../providers/types.js';
import { writeStreamAtomic } from '../util/atomic.js';

export const DEFAULT_LIMIT = 30;
const MAX_PER_PAGE = 100;

/** The DMP service and its code. */
function dmpProvider(): Provider & Required<Pick<Provider, 'dmp'>> {
  const p = withCapability('dmp')[0];
  if (!p) throw new UsageError('No provider of this build holds data management plans.');
  return p;
}

async function dmpModule() {
  return dmpProvider().dmp.load();
}

/** The DMP service's renderers (its tables and its plan summary), for the command. */
export async function dmpRender() {
  const m = await dmpModule();
  return { renderPlans: m.renderPlans, renderTemplates: m.renderTemplates, renderPlan: m.renderPlan, privacyNote: m.privacyNote };
}

/** An authenticated client of the DMP service. */
async function dmpClient(ports: AuthPorts): Promise<{ p: Provider; client: DmptoolClient }> {
  const p = dmpProvider();
  const m = await p.dmp.load();
  const cred = await requireCredential(ports, p);
  return { p, client: new m.DmptoolClient(await apiClient(ports, cred)) };
}

/** Collect up to `limit` items from pages; `more` = the server has items beyond them. */
export async function collect<T>(
  pages: AsyncGenerator<Page<T>>,
  limit: number,
): Promise<{ items: T[]; total: number | undefined; more: boolean; skipped: number }> {
  const items: T[] = [];
  let total: number | undefined;
  let more = false;
  let skipped = 0;
  for await (const page of pages) {
    total ??= page.total;
    skipped += page.skipped;
    const room = limit - items.length;
    items.push(...page.items.slice(0, room));
    if (items.length >= limit) {
      more = page.items.length > room || page.hasMore;
      break; // leaving the loop ends the generator: no further page is requested
    }
  }
  return { items, total, more, skipped };
}

/** Pages sized to the limit: `--limit 5` costs one small request, `--all` the fewest requests. */
const perPage = (limit: number) => Math.min(MAX_PER_PAGE, limit);

export interface Collected<T> {
  items: T[];
  /** The server's total, when it said. */
  total: number | undefined;
  /** The server has items beyond `items`. */
  more: boolean;
  /** Items left out because they are not in the service's shape. */
  skipped: number;
}

/** Your plans, newest first, up to `limit` (Infinity: all). */
export async function listPlans(ports: AuthPorts, limit: number): Promise<Collected<PlanSummary>> {
  const { client } = await dmpClient(ports);
  return collect(client.planPages({ perPage: perPage(limit) }), limit);
}

/** The public templates, up to `limit` (Infinity: all). */
export async function listTemplates(ports: AuthPorts, limit: number): Promise<Collected<TemplateSummary>> {
  const { client } = await dmpClient(ports);
  return collect(client.templatePages({ perPage: perPage(limit) }), limit);
}

/** Where the result goes: shown (a summary, or the document with --json), stdout (bytes), or a file. */
export type Output = { kind: 'show' } | { kind: 'stdout'; stream: NodeJS.WritableStream & { destroyed?: boolean } } | { kind: 'file'; path: string };

type Target = { kind: 'show' } | { kind: 'stdout'; stream: NodeJS.WritableStream & { destroyed?: boolean } } | { kind: 'file'; path: string; isDir: boolean };

/** What `rdp dmps get` ends with, for the command to render. */
export type GetResult =
  | { kind: 'plan'; plan: Plan }
  | { kind: 'document'; text: string }
  | { kind: 'saved'; saved: SavedFile; shown: string }
  | { kind: 'streamed' };

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

export interface DmpPorts extends AuthPorts {
  cwd: string;
}

/** Fetch one plan (a number, a URL or a DMP ID) as its summary, its JSON document, or its PDF. */
export async function getPlan(ports: DmpPorts, input: string, opts: { pdf: boolean; output: Output }): Promise<GetResult> {
  const m = await dmpModule();
  const ref = m.parsePlanRef(input);
  const target = await targetOf(ports, opts.output);
  const { client, p } = await dmpClient(ports);
  const id = await resolveId(ports, p, client, ref);

  if (opts.pdf) return getPdf(ports, p, client, id, target);
  const plan = await client.plan(id);
  if (target.kind === 'show') return { kind: 'plan', plan };
  const text = `${JSON.stringify(plan.document, null, 2)}\n`;
  if (target.kind === 'stdout') return { kind: 'document', text };
  const file = target.isDir ? join(target.path, `dmp-${id}.json`) : target.path;
  await writeStreamAtomic(file, Readable.from([Buffer.from(text)]), [], { signal: ports.signal }).catch((err: unknown) => {
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
  return { kind: 'saved', saved, shown: shown(ports.cwd, file) };
}

/** Check the output path before anything is fetched. */
async function targetOf(ports: DmpPorts, output: Output): Promise<Target> {
  if (output.kind !== 'file') return output;
  const path = resolve(ports.cwd, output.path);
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
async function resolveId(ports: DmpPorts, p: Provider, client: DmptoolClient, ref: PlanRef): Promise<number> {
  const io = ports.log;
  if (ref.kind === 'id') {
    const host = new URL(client.http.base).host;
    if (ref.host && ref.host.toLowerCase() !== host.toLowerCase()) {
      io.warn(`That URL is on ${ref.host}, but rdp talks to DMPTool at ${host}: fetching plan ${ref.id} from ${host} (set ${p.env.url} to change).`);
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

async function getPdf(ports: DmpPorts, p: Provider, client: DmptoolClient, id: number, target: Target): Promise<GetResult> {
  const m = await dmpModule();
  if (target.kind === 'file') {
    const file = target.isDir ? join(target.path, `dmp-${id}.pdf`) : target.path;
    const saved = await downloadPdf(ports, p, client, id, file);
    return { kind: 'saved', saved, shown: shown(ports.cwd, file) };
  }
  if (target.kind !== 'stdout') throw new UsageError('A PDF is saved to a file or written to stdout.');
  // stdout: nothing is written before the PDF's first bytes are checked; no retry once bytes are out.
  const res = await client.pdf(id);
  const check = new m.PdfCheck(m.num(header(res.headers, 'content-length')));
  try {
    await pipeline(res.body, client.http.paced(res), check, toStdout(target.stream), { signal: ports.signal });
  } catch (err) {
    // The reader went away (`| head -c 100`): it had what it wanted.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return { kind: 'streamed' };
    throw pdfError(ports, p, err, id, check, false);
  }
  return { kind: 'streamed' };
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
async function downloadPdf(ports: DmpPorts, p: Provider, client: DmptoolClient, id: number, file: string): Promise<SavedFile> {
  const m = await dmpModule();
  return withRetries(
    async () => {
      const res = await client.pdf(id);
      const check = new m.PdfCheck(m.num(header(res.headers, 'content-length')));
      try {
        await writeStreamAtomic(file, res.body, [client.http.paced(res), check], { signal: ports.signal });
        return { id, format: 'pdf' as const, file, bytes: check.bytes, sha256: check.sha256 };
      } catch (err) {
        throw pdfError(ports, p, err, id, check, true);
      }
    },
    {
      attempts: PDF_ATTEMPTS,
      retryable: (err) => err instanceof NetworkError,
      settings: client.http.retry,
      sleep: (ms) => client.http.clock.sleep(ms, ports.signal),
      onRetry: (err, ms, next) => ports.log.info(`${(err as Error).message.replace(/\. Nothing was saved\.$/, '')}; retrying in ${ms} ms (attempt ${next} of ${PDF_ATTEMPTS}).`),
    },
  );
}

/** The error for a failed PDF transfer: cut (a NetworkError, retryable), not a PDF, or a local write. */
function pdfError(ports: DmpPorts, p: Provider, err: unknown, id: number, check: InstanceType<Awaited<ReturnType<typeof dmpModule>>['PdfCheck']>, toFile: boolean): RdpError {
  if (ports.signal.aborted) return new CancelledError(undefined, { hint: toFile ? 'Nothing was saved.' : undefined });
  if (err instanceof RdpError) return err;
  const saved = toFile ? ' Nothing was saved.' : '';
  if (err instanceof Error && err.name === 'PdfCheckError' && (err as { reason?: string }).reason === 'not-pdf') {
    return new FailureError('NOT_A_PDF', `${p.name}'s answer for plan ${id} is not a PDF: ${err.message}.${saved}`, {
      hint: `Check that ${p.env.url} points at ${p.name}, then try again.`,
    });
  }
  if ((err instanceof Error && err.name === 'PdfCheckError') || isCutTransfer(err)) {
    const of = check.expectedBytes !== undefined ? ` of ${check.expectedBytes}` : '';
    const why = err instanceof Error && err.name === 'PdfCheckError' ? `: ${err.message}` : ` after ${check.bytes}${of} bytes (${errorMessage(err)})`;
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
function shown(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
