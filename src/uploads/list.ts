// `rdp uploads list`: the user's uploads on each service. Each service has a lister (an async
// iterator over its pages and a table renderer) registered in LISTERS; `--on` picks one, and without
// it every service with a login is listed. --limit N stops after N per service; --all pages through
// everything the server has.
import type { Credential } from '../auth/session.js';
import type { Context } from '../context.js';
import { AuthRequiredError } from '../errors.js';
import type { ProviderId } from '../providers/registry.js';

export interface ListOptions {
  on?: UploadService | undefined;
  status?: 'draft' | 'published' | undefined;
  /** Per service; undefined with --all. */
  limit?: number | undefined;
  sandbox?: boolean | undefined;
}

export interface UploadLister<Row extends { service: string }> {
  service: UploadService;
  list(ctx: Context, cred: Credential, opts: ListOptions): AsyncIterable<Row>;
  render(ctx: Context, rows: Row[]): string;
}

type AnyLister = UploadLister<{ service: string } & Record<string, unknown>>;

/** The services uploads can be listed on, and where their listers live. */
export const LISTERS = {
  zenodo: async () => (await import('./zenodo.js')).zenodoLister as unknown as AnyLister,
} satisfies Partial<Record<ProviderId, () => Promise<AnyLister>>>;

export type UploadService = keyof typeof LISTERS;
export const UPLOAD_SERVICES = Object.keys(LISTERS) as UploadService[];

export interface UploadsList {
  /** Rows of every listed service, each with its `service`. */
  rows: ({ service: string } & Record<string, unknown>)[];
  services: UploadService[];
  status?: ListOptions['status'];
}

export async function runUploadsList(ctx: Context, opts: ListOptions): Promise<UploadsList> {
  const [{ requireCredential }, { findLogin }] = await Promise.all([import('../auth/session.js'), import('../auth/find.js')]);
  const chosen: { service: UploadService; cred: Credential }[] = [];
  if (opts.on) {
    chosen.push({ service: opts.on, cred: await requireCredential(ctx, opts.on, opts.sandbox) });
  } else {
    for (const service of UPLOAD_SERVICES) {
      const cred = await findLogin(ctx, service, opts.sandbox);
      if (cred) chosen.push({ service, cred });
    }
    if (!chosen.length) {
      throw new AuthRequiredError(`Not logged in to any service uploads are listed on (${UPLOAD_SERVICES.join(', ')}).`, {
        hint: `Run \`rdp login ${UPLOAD_SERVICES[0]}\`, or set RDP_${String(UPLOAD_SERVICES[0]).toUpperCase()}_TOKEN.`,
      });
    }
  }
  const rows: UploadsList['rows'] = [];
  for (const { service, cred } of chosen) {
    const lister = await LISTERS[service]();
    let n = 0;
    for await (const row of lister.list(ctx, cred, opts)) {
      if (opts.limit !== undefined && n >= opts.limit) {
        if (!ctx.io.flags.quiet) ctx.io.notice(`Showing the newest ${n} uploads on ${service}; use --limit N or --all to see more.`);
        break; // leaving the loop ends the iterator: no further page is requested
      }
      rows.push(row);
      n += 1;
    }
  }
  return { rows, services: chosen.map((c) => c.service), status: opts.status };
}

export async function renderUploadsList(ctx: Context, list: UploadsList): Promise<string> {
  const parts: string[] = [];
  for (const service of list.services) {
    const lister = await LISTERS[service]();
    const rows = list.rows.filter((r) => r.service === service);
    if (!rows.length) {
      // as `rdp dmps list`: said on a terminal only; a script gets an empty stdout (or `[]`)
      if (ctx.io.stdoutIsTTY) ctx.io.info(`No uploads on ${service}${list.status ? ` (${list.status})` : ''}.`);
      continue;
    }
    // Piped output stays one row per line; the service is in the rows only with --json.
    const title = list.services.length > 1 && ctx.io.stdoutIsTTY ? `${ctx.io.outStyle.bold(service)}\n` : '';
    parts.push(title + lister.render(ctx, rows));
  }
  return parts.join(ctx.io.stdoutIsTTY ? '\n\n' : '\n');
}
