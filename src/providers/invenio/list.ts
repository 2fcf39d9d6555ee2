// A site's part of `rdp uploads list`: the user's drafts and records (`GET /api/user/records`, drafts
// included; the latest of each record), newest change first, page after page as far as --limit asks.
import { formatBytes } from '../../output/format.js';
import type { IO } from '../../output/io.js';
import { renderTable } from '../../output/table.js';
import type { HttpClient } from '../../http/client.js';
import type { Listed, Lister, ListQuery } from '../types.js';
import { InvenioClient, type RdmRecord, type SiteNames } from './client.js';

export interface SiteUploadRow {
  service: string;
  id: string;
  title: string;
  /** draft (never published), published, or new version draft (also one in a community's review: new_version_draft_with_review, invenio-rdm-records draft_status.py) / editing (a published record with an open draft). */
  state: 'draft' | 'published' | 'new version draft' | 'editing';
  files: number;
  size: number;
  doi: string | null;
  modified: string | null;
  url: string | null;
}

export function siteRow(service: string, r: RdmRecord): SiteUploadRow {
  const files = r.files ?? [];
  const state = !r.isDraft && r.isPublished ? 'published' : r.status.startsWith('new_version_draft') ? 'new version draft' : r.isPublished ? 'editing' : 'draft';
  return {
    service,
    id: r.id,
    title: r.title,
    state,
    files: files.length,
    size: files.reduce((n, f) => n + (f.size ?? 0), 0),
    doi: r.doi ?? null,
    modified: r.updated ?? null,
    url: r.links.selfHtml ?? r.links.recordHtml ?? null,
  };
}

function wanted(row: SiteUploadRow, status: ListQuery['status']): boolean {
  if (status === 'draft') return row.state !== 'published';
  if (status === 'published') return row.state === 'published' || row.state === 'editing';
  return true;
}

export function siteLister(site: SiteNames): Lister<SiteUploadRow> {
  return {
    async list(http: HttpClient, q: ListQuery): Promise<Listed<SiteUploadRow>> {
      const client = new InvenioClient(http, { site });
      const pageSize = q.limit === undefined || q.status !== undefined ? 100 : Math.min(100, q.limit + 1);
      const rows: SiteUploadRow[] = [];
      let total: number | undefined;
      for await (const r of client.userRecords({ pageSize, onTotal: (n) => (total = n) })) {
        const row = siteRow(site.id, r);
        if (!wanted(row, q.status)) continue;
        // The site's total counts what a --status filter (applied here) would leave out: a count only without one.
        if (q.limit !== undefined && rows.length >= q.limit) return { rows, more: q.status === undefined && total !== undefined && total > rows.length ? total - rows.length : true };
        rows.push(row);
      }
      return { rows, more: false };
    },
    render(io: IO, rows: SiteUploadRow[]): string {
      return renderTable(
        io,
        [
          { header: 'ID', value: (r) => r.id },
          { header: 'TITLE', value: (r) => r.title, display: (r) => r.title || '(untitled)', shrink: true },
          { header: 'STATE', value: (r) => r.state },
          { header: 'FILES', value: (r) => String(r.files) },
          { header: 'SIZE', value: (r) => String(r.size), display: (r) => formatBytes(r.size) },
          { header: 'DOI', value: (r) => r.doi ?? '', display: (r) => r.doi ?? '-' },
          { header: 'MODIFIED', value: (r) => r.modified ?? '', display: (r) => (r.modified ? r.modified.slice(0, 16).replace('T', ' ') : '-') },
        ],
        rows,
      );
    },
  };
}
