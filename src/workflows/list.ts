// `rdp uploads list [--on zenodo|nomad]`: one service's uploads, or, without --on, those of every
// upload service the user is logged in to. Each service brings a lister (its rows and its table);
// a service without one in this build is reported as such.
import type { Context } from '../context.js';
import { AuthRequiredError, UsageError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import { findLogin } from '../auth/find.js';
import { type Credential, requireCredential } from '../auth/credentials.js';
import { PROVIDERS } from '../providers/registry.js';

export const UPLOAD_SERVICES = ['zenodo', 'nomad'] as const;
export type UploadService = (typeof UPLOAD_SERVICES)[number];

export interface ListQuery {
  status?: 'draft' | 'published' | undefined;
  /** undefined = every upload (--all). */
  limit?: number | undefined;
}

/** A service's rows, and what --limit left out. */
export interface Listed<Row> {
  rows: Row[];
  /** Uploads beyond `rows`: a count when the service states one, true when it only shows that more exist. */
  more: number | boolean;
}

export interface UploadLister<Row> {
  service: UploadService;
  list(ctx: Context, cred: Credential, q: ListQuery): Promise<Listed<Row>>;
  render(io: IO, rows: Row[]): string;
}

/** The listers of this build, loaded on use. */
const LISTERS: Partial<Record<UploadService, () => Promise<UploadLister<unknown>>>> = {
  zenodo: async () => (await import('../providers/zenodo/list.js')).zenodoLister as UploadLister<unknown>,
  nomad: async () => (await import('../providers/nomad/list.js')).nomadLister as UploadLister<unknown>,
};

export interface UploadsListOptions extends ListQuery {
  on?: UploadService | undefined;
  sandbox?: boolean | undefined;
}

/** One service's uploads, with the table to show them in. */
export interface UploadsSection {
  service: UploadService;
  rows: unknown[];
  table: (io: IO) => string;
}

export interface UploadsListResult {
  /** Set when one service was asked for (--on). */
  on?: UploadService | undefined;
  sections: UploadsSection[];
}

async function lister(service: UploadService): Promise<UploadLister<unknown>> {
  const load = LISTERS[service];
  if (!load) throw new UsageError(`Listing ${PROVIDERS[service].name} uploads is not available in this build.`, { hint: `Use --on ${UPLOAD_SERVICES.filter((s) => LISTERS[s]).join(' or --on ')}.` });
  return load();
}

async function section(ctx: Context, l: UploadLister<unknown>, cred: Credential, q: ListQuery): Promise<UploadsSection> {
  const { rows, more } = await l.list(ctx, cred, q);
  if (more !== false && more !== 0 && !ctx.io.flags.quiet) ctx.io.notice(moreNote(l.service, rows.length, more));
  return { service: l.service, rows, table: (io) => l.render(io, rows) };
}

/** The stderr note when --limit cut a list short (SPEC.md: it says how many more exist, for every service). */
export function moreNote(service: UploadService, shown: number, more: number | true): string {
  const name = PROVIDERS[service].name;
  const what = `${name} upload${shown === 1 ? '' : 's'}`;
  return more === true
    ? `Showing the newest ${shown} ${what}; more exist: use --limit N or --all to see them.`
    : `Showing the newest ${shown} of ${shown + more} ${name} uploads (${more} more); use --limit N or --all to see them.`;
}

export async function runUploadsList(ctx: Context, opts: UploadsListOptions): Promise<UploadsListResult> {
  const q: ListQuery = { status: opts.status, limit: opts.limit };
  if (opts.on) {
    const l = await lister(opts.on);
    const cred = await requireCredential(ctx, opts.on, opts.sandbox);
    return { on: opts.on, sections: [await section(ctx, l, cred, q)] };
  }
  const sections: UploadsSection[] = [];
  const missing: UploadService[] = [];
  for (const service of UPLOAD_SERVICES) {
    const load = LISTERS[service];
    if (!load) continue;
    const cred = await findLogin(ctx, service, opts.sandbox);
    if (cred) sections.push(await section(ctx, await load(), cred, q));
    else missing.push(service);
  }
  if (sections.length === 0) {
    const names = missing.map((s) => PROVIDERS[s].name).join(' or ');
    throw new AuthRequiredError(`Not logged in to ${names}, so there are no uploads to list.`, {
      hint: `Run ${missing.map((s) => `\`rdp login ${s}\``).join(' or ')} (in CI, set ${missing.map((s) => PROVIDERS[s].tokenEnv).join(' or ')}).`,
    });
  }
  for (const s of missing) ctx.io.info(`Not logged in to ${PROVIDERS[s].name}: skipped (\`rdp login ${s}\`).`);
  return { sections };
}

/** JSON: the rows (with --on), or `{"nomad": [...], "zenodo": [...]}`. */
export function uploadsListJson(r: UploadsListResult): unknown {
  if (r.on) return r.sections[0]?.rows ?? [];
  return Object.fromEntries(r.sections.map((s) => [s.service, s.rows]));
}

/** Tables: one per service (titled when there are several); TSV rows start with the service id. */
export function renderUploadsList(io: IO, r: UploadsListResult): string {
  const parts: string[] = [];
  for (const s of r.sections) {
    const name = PROVIDERS[s.service].name;
    if (s.rows.length === 0) {
      io.info(`No ${name} uploads.`);
      continue;
    }
    const table = s.table(io);
    if (r.on) parts.push(table);
    else if (io.stdoutIsTTY) parts.push(`${io.outStyle.bold(name)}\n${table}`);
    else parts.push(table.split('\n').map((line) => `${s.service}\t${line}`).join('\n'));
  }
  return parts.join(io.stdoutIsTTY ? '\n\n' : '\n');
}
