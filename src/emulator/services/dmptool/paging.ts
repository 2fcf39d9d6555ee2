// DMPTool's v2 pagination (providers.md 3.3, the code's behaviour): `page` (default 1),
// `per_page` (default = max = 100, capped at 100); `prev` when there is more than one page and this is
// not page 1, `next` while page < total pages. Links are paths from the API root with every other
// query parameter kept (so `scope=` survives), then `page` and `per_page`.
import type { EmuRequest } from '../../http.js';

export const MAX_PER_PAGE = 100;

export interface Paged<T> {
  items: T[];
  page: number;
  per_page: number;
  total_items: number;
  prev?: string;
  next?: string;
}

function positive(value: string | null, dflt: number): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n >= 1 ? n : dflt;
}

/** One page of `all`, with the envelope's pagination fields. `resource` is e.g. `/api/v2/plans`. */
export function paginate<T>(req: EmuRequest, resource: string, all: T[]): Paged<T> {
  const page = positive(req.query.get('page'), 1);
  const perPage = Math.min(MAX_PER_PAGE, positive(req.query.get('per_page'), MAX_PER_PAGE));
  const totalPages = Math.max(1, Math.ceil(all.length / perPage));
  const keep = new URLSearchParams();
  for (const [k, v] of req.query) if (k !== 'page' && k !== 'per_page') keep.append(k, v);
  const prefix = `${resource}?${keep.size ? `${keep.toString()}&` : ''}`;
  const link = (p: number) => `${prefix}page=${p}&per_page=${perPage}`;
  const out: Paged<T> = {
    items: all.slice((page - 1) * perPage, page * perPage),
    page,
    per_page: perPage,
    total_items: all.length,
  };
  if (totalPages > 1 && page !== 1) out.prev = link(page - 1);
  if (totalPages > 1 && page < totalPages) out.next = link(page + 1);
  return out;
}
