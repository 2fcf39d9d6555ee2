// `rdp dmps list` and `rdp dmps templates`: page through DMPTool's envelope until the limit (default
// 30, like gh) or the end (--all), and say on stderr when more exist than were shown.
import { apiClient, requireCredential } from '../auth/credentials.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { DmptoolClient, MAX_PER_PAGE, type Page } from '../providers/dmptool/client.js';
import { renderPlans, renderTemplates } from '../providers/dmptool/render.js';

export const DEFAULT_LIMIT = 30;

export interface ListOptions {
  limit?: number | undefined;
  all?: boolean | undefined;
}

export async function dmptoolClient(ctx: Context): Promise<DmptoolClient> {
  const cred = await requireCredential(ctx, 'dmptool');
  return new DmptoolClient(await apiClient(ctx, cred));
}

/** The number of items to fetch; Infinity for --all. */
export function limitOf(opts: ListOptions): number {
  if (opts.all && opts.limit !== undefined) {
    throw new UsageError('Use either --limit or --all, not both.', { hint: '--all lists everything; --limit N stops after N.' });
  }
  return opts.all ? Number.POSITIVE_INFINITY : (opts.limit ?? DEFAULT_LIMIT);
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

export async function runList(ctx: Context, opts: ListOptions): Promise<void> {
  await listing(ctx, opts, ['plan', 'plans'], (client, n) => client.planPages({ perPage: n }), renderPlans);
}

export async function runTemplates(ctx: Context, opts: ListOptions): Promise<void> {
  await listing(ctx, opts, ['template', 'templates'], (client, n) => client.templatePages({ perPage: n }), renderTemplates);
}

async function listing<T>(
  ctx: Context,
  opts: ListOptions,
  names: [one: string, many: string],
  pages: (client: DmptoolClient, perPage: number) => AsyncGenerator<Page<T>>,
  render: (io: Context['io'], items: T[]) => string,
): Promise<void> {
  const limit = limitOf(opts);
  const client = await dmptoolClient(ctx);
  const r = await collect(pages(client, perPage(limit)), limit);
  notes(ctx, r, ...names);
  ctx.io.result<T[]>(r.items, (items) => render(ctx.io, items));
}

function notes(ctx: Context, r: { items: unknown[]; total: number | undefined; more: boolean; skipped: number }, one: string, many: string): void {
  const { io } = ctx;
  if (r.skipped > 0) io.warn(`Left out ${r.skipped} item${r.skipped === 1 ? '' : 's'} that DMPTool sent in an unexpected shape.`);
  if (r.items.length === 0) {
    // gh's NoResultsError: said on a terminal only; a script gets an empty stdout (or `[]`).
    if (io.stdoutIsTTY && !io.flags.json) io.info(`No ${many} found.`);
    return;
  }
  if (r.more && !io.flags.quiet) {
    const of = r.total !== undefined && r.total > r.items.length ? ` of ${r.total}` : '';
    io.notice(`Showing ${r.items.length}${of} ${r.items.length === 1 && !of ? one : many}; use --limit N or --all to see more.`);
  }
}
