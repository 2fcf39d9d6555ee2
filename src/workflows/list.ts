// `rdp uploads list`: one service's uploads, or those of every service that lists uploads and the user
// is logged in to. Each provider with the `list` capability brings its lister (its rows and its table).
import { apiClient, findLogin, requireCredential } from '../auth/credentials.js';
import type { AuthPorts } from '../auth/ports.js';
import { AuthRequiredError, CancelledError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import { withCapability } from '../providers/index.js';
import type { Lister, ListQuery, Provider } from '../providers/types.js';

export interface UploadsListOptions extends ListQuery {
  /** One service (--on), else every one logged in to. */
  on?: Provider | undefined;
  sandbox: boolean;
}

/** One service's uploads, with the table to show them in. */
export interface UploadsSection {
  provider: Provider;
  rows: unknown[];
  /** Uploads beyond `rows` (a count, or true when the service only says that more exist). */
  more: number | boolean;
  table: (io: IO) => string;
}

export interface UploadsListResult {
  /** Set when one service was asked for (--on). */
  on?: Provider | undefined;
  sections: UploadsSection[];
  /** Services that could not be listed while others were (every service: listed at once, each on its own). */
  failed: { provider: Provider; error: unknown }[];
}

async function section(ports: AuthPorts, p: Provider, lister: Lister, cred: Awaited<ReturnType<typeof requireCredential>>, q: ListQuery): Promise<UploadsSection> {
  const { rows, more } = await lister.list(await apiClient(ports, cred), q);
  return { provider: p, rows, more, table: (io) => lister.render(io, rows) };
}

export async function runUploadsList(ports: AuthPorts, opts: UploadsListOptions): Promise<UploadsListResult> {
  const q: ListQuery = { status: opts.status, limit: opts.limit };
  if (opts.on) {
    const p = opts.on;
    const lister = await (p.list as NonNullable<Provider['list']>).load();
    const cred = await requireCredential(ports, p, opts.sandbox);
    return { on: p, sections: [await section(ports, p, lister, cred, q)], failed: [] };
  }
  const logins: { p: Provider & Required<Pick<Provider, 'list'>>; cred: NonNullable<Awaited<ReturnType<typeof findLogin>>> }[] = [];
  const missing: Provider[] = [];
  for (const p of withCapability('list')) {
    const cred = await findLogin(ports, p, opts.sandbox);
    if (cred) logins.push({ p, cred });
    else missing.push(p);
  }
  if (logins.length === 0) {
    throw new AuthRequiredError(`Not logged in to ${missing.map((p) => p.name).join(' or ')}, so there are no uploads to list.`, {
      hint: `Run ${missing.map((p) => `\`rdp login ${p.id}\``).join(' or ')} (in CI, set ${missing.map((p) => p.env.token).join(' or ')}).`,
    });
  }
  // All at once, each on its own: a service that is down does not hide the uploads of the others.
  const outcomes = await Promise.all(
    logins.map(async ({ p, cred }): Promise<{ section: UploadsSection } | { failure: UploadsListResult['failed'][number] }> => {
      try {
        return { section: await section(ports, p, await p.list.load(), cred, q) };
      } catch (error) {
        return { failure: { provider: p, error } };
      }
    }),
  );
  if (ports.signal.aborted) throw new CancelledError();
  const sections = outcomes.flatMap((o) => ('section' in o ? [o.section] : []));
  const failed = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  const [first] = failed;
  if (sections.length === 0 && first) throw first.error;
  for (const p of missing) ports.log.info(`Not logged in to ${p.name}: skipped (\`rdp login ${p.id}\`).`);
  return { sections, failed };
}
