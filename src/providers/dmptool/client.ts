// DMPTool's API v2 (providers.md section 3). Base: the web host; API paths start with /api/v2.
// Written to work against any server that follows providers.md: `per_page` defaults of 20 or 100,
// `next` links present or absent, relative or absolute, a base URL with or without a path prefix.
import { FailureError, NotFoundError } from '../../errors/errors.js';
import { parseJson } from '../../http/errors.js';
import type { HttpClient, HttpResponse, QueryValue } from '../../http/client.js';
import { header } from '../../http/client.js';
import {
  type Envelope,
  isEnvelope,
  type Json,
  num,
  type Plan,
  type PlanSummary,
  planSummary,
  sameDoi,
  str,
  type TemplateSummary,
  templateSummary,
} from './types.js';

/** The scope rdp needs for plans (list, JSON, PDF); the list alone also accepts `public`. */
export const READ_DMPS = 'read_dmps';
/** The scope of /api/v2/templates. */
export const PUBLIC = 'public';
/** DMPTool's page-size cap (providers.md 3.3). */
export const MAX_PER_PAGE = 100;

/** One page of a paginated answer. */
export interface Page<T> {
  items: T[];
  page: number;
  /** The server's page size, when it said. */
  perPage: number | undefined;
  /** `total_items`, when the server said. */
  total: number | undefined;
  /** Another page follows (a `next` link, or `total_items` beyond this page). */
  hasMore: boolean;
  /** Items left out because they are not in DMPTool's shape. */
  skipped: number;
}

export interface PageOptions {
  /** Items per request (capped at 100). Default 100: the fewest requests. */
  perPage?: number | undefined;
}

export class DmptoolClient {
  constructor(readonly http: HttpClient) {}

  /** A cheap authenticated call; "No Plans found" (404) still proves the token works. */
  async identify(): Promise<{ caller?: string | undefined }> {
    const { data } = await this.http.json<Envelope>({
      method: 'GET',
      path: '/api/v2/plans',
      query: { page: 1, per_page: 1 },
      accept: [404],
    });
    if (!isEnvelope(data)) {
      throw this.http.badResponse(200, JSON.stringify(data ?? ''), {});
    }
    return { caller: str(data.caller) ?? undefined };
  }

  /** The caller's plans, newest first, a page at a time. DMPTool's 404 "No Plans found" is no plans. */
  planPages(opts: PageOptions = {}): AsyncGenerator<Page<PlanSummary>> {
    return this.pages('/api/v2/plans', planSummary, [READ_DMPS], opts);
  }

  /** The caller's plans, newest first. */
  async *plans(opts: PageOptions = {}): AsyncGenerator<PlanSummary> {
    for await (const page of this.planPages(opts)) yield* page.items;
  }

  /** Public templates, a page at a time. */
  templatePages(opts: PageOptions = {}): AsyncGenerator<Page<TemplateSummary>> {
    return this.pages('/api/v2/templates', templateSummary, [PUBLIC], opts);
  }

  /** One plan in full (`GET /api/v2/plans/{id}`). */
  async plan(id: number): Promise<Plan> {
    const path = `/api/v2/plans/${id}`;
    const { status, headers, data } = await this.http.json<unknown>({ method: 'GET', path, accept: [404], scopes: [READ_DMPS] });
    if (status === 404) {
      if (isEnvelope(data)) throw planNotFound(id, this.http.base);
      throw this.http.errorFor(404, JSON.stringify(data ?? ''), headers, { method: 'GET', path });
    }
    if (!isEnvelope(data) || !Array.isArray(data.items)) throw this.notEnvelope(status, path);
    if (data.items.length === 0) throw planNotFound(id, this.http.base);
    const item = data.items[0];
    const summary = planSummary(item);
    if (!summary) throw this.notEnvelope(status, path, 'an item that is not a DMP (`{"dmp": {...}}`)');
    return { id, summary: { ...summary, id: summary.id ?? id }, document: item as Json };
  }

  /**
   * The plan whose DMP ID is this DOI. The API finds plans only by number, so this pages through the
   * plans the token can see (100 at a time) and compares their `dmp_id`. Undefined when none has it.
   */
  async findPlanByDoi(doi: string, onPage?: (page: Page<PlanSummary>) => void): Promise<PlanSummary | undefined> {
    for await (const page of this.planPages({ perPage: MAX_PER_PAGE })) {
      onPage?.(page);
      const hit = page.items.find((p) => p.doi !== null && sameDoi(p.doi, doi));
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * The PDF of a plan (`GET /api/v2/plans/{id}.pdf`), as a response whose body the caller streams.
   * A JSON or HTML answer in place of a PDF is an error here; the bytes are checked by the caller.
   */
  async pdf(id: number): Promise<HttpResponse> {
    const path = `/api/v2/plans/${id}.pdf`;
    const req = { method: 'GET', path, headers: { accept: 'application/pdf, application/json;q=0.5' }, scopes: [READ_DMPS] } as const;
    const res = await this.http.raw(req);
    if (res.status >= 200 && res.status < 300) {
      // The bytes decide (the caller checks them); a JSON or HTML answer is refused here, with what it says.
      const type = (header(res.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (/json|html/.test(type)) {
        const text = await this.http.text(res).catch(() => '');
        const said = this.http.readError(res.status, text, res.headers).message;
        throw new FailureError('NOT_A_PDF', `DMPTool answered ${res.status} with ${type} instead of a PDF for plan ${id} (${said}). Nothing was saved.`, {
          hint: `Check that RDP_DMPTOOL_URL points at DMPTool (this base is ${this.http.base}); then try again.`,
        });
      }
      return res;
    }
    const text = await this.http.text(res).catch(() => '');
    if (res.status === 404 && isEnvelope(parseJson(text))) throw planNotFound(id, this.http.base);
    throw this.http.errorFor(res.status, text, res.headers, req);
  }

  private async *pages<T>(
    path: string,
    narrow: (item: unknown) => T | undefined,
    scopes: readonly string[],
    opts: PageOptions,
  ): AsyncGenerator<Page<T>> {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(opts.perPage ?? MAX_PER_PAGE)));
    let next: { path: string; query?: Record<string, QueryValue> } = { path, query: { page: 1, per_page: perPage } };
    const seen = new Set<string>();
    let previous: string | undefined;
    for (let pageNo = 1; ; pageNo++) {
      // A `next` link that leads back to a page already read ends the walk instead of looping.
      const url = this.http.url(next.path, next.query);
      if (seen.has(url)) return;
      seen.add(url);
      const { status, headers, data } = await this.http.json<unknown>({ method: 'GET', ...next, accept: [404], scopes });
      if (status === 404) {
        if (!isEnvelope(data)) throw this.http.errorFor(404, JSON.stringify(data ?? ''), headers, { method: 'GET', path });
        // "No Plans found": DMPTool's empty list is a 404 (and a page past the end may be one too).
        if (pageNo === 1) yield { items: [], page: 1, perPage: undefined, total: 0, hasMore: false, skipped: 0 };
        return;
      }
      if (!isEnvelope(data) || !Array.isArray(data.items)) throw this.notEnvelope(status, path);
      // A page that repeats the one before (a server that ignores `page`, whatever its `next` says) ends the walk too.
      const same = JSON.stringify(data.items);
      if (pageNo > 1 && data.items.length > 0 && same === previous) return;
      previous = same;
      const items = data.items.map(narrow).filter((i): i is T => i !== undefined);
      const page = num(data.page) ?? pageNo;
      const serverPerPage = num(data.per_page);
      const total = num(data.total_items);
      const link = str(data.next) ?? undefined;
      const size = serverPerPage ?? perPage;
      const hasMore = data.items.length > 0 && (link !== undefined || (total !== undefined && page * size < total));
      yield { items, page, perPage: serverPerPage, total, hasMore, skipped: data.items.length - items.length };
      if (!hasMore) return;
      // Follow `next`; a server that leaves it out still gets the following page by number.
      next = link !== undefined ? { path: this.resolveLink(link) } : { path, query: { page: page + 1, per_page: size } };
    }
  }

  /**
   * A pagination link as an absolute URL on this client's base. DMPTool's links are paths from its
   * root (`/api/v2/plans?page=2&per_page=100`); a base with a path prefix (a proxy, the emulator)
   * keeps its prefix. An absolute link to another origin is not followed there (it would carry the
   * token elsewhere): its path is resolved on the base instead.
   */
  private resolveLink(link: string): string {
    const base = new URL(this.http.base);
    const prefix = base.pathname.replace(/\/+$/, '');
    let rel = link;
    if (/^https?:\/\//i.test(link)) {
      const u = new URL(link);
      if (u.origin === base.origin) return u.toString();
      rel = `${u.pathname}${u.search}`;
    }
    if (!rel.startsWith('/')) rel = `/${rel}`;
    if (prefix && (rel === prefix || rel.startsWith(`${prefix}/`))) return `${base.origin}${rel}`;
    return `${base.origin}${prefix}${rel}`;
  }

  private notEnvelope(status: number, path: string, what = 'JSON that is not its v2 envelope (no `items`)'): FailureError {
    return new FailureError('BAD_RESPONSE', `DMPTool answered GET ${path} (${status}) with ${what}.`, {
      hint: `Check that RDP_DMPTOOL_URL points at DMPTool (this base is ${this.http.base}).`,
    });
  }
}

function planNotFound(id: number, base: string): NotFoundError {
  return new NotFoundError(`Plan not found: DMPTool (${new URL(base).host}) has no plan ${id} that this token can see.`, {
    hint: 'Run `rdp dmps list` to see your plans and their ids.',
    details: { id },
  });
}
