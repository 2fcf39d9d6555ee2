// Zenodo's part of `rdp uploads list`: the user's depositions, drafts and published, newest first,
// page after page (at most 100 a page) as far as --limit (or --all) asks.
import { apiClient, type Credential } from '../auth/session.js';
import type { Context } from '../context.js';
import { formatBytes } from '../output/format.js';
import type { IO } from '../output/io.js';
import { renderTable } from '../output/table.js';
import { type Deposition, ZenodoClient } from '../providers/zenodo/client.js';
import type { ListQuery, UploadLister } from './list.js';

export interface ZenodoUploadRow {
  service: 'zenodo';
  id: number;
  title: string;
  /** draft (never published), published, or editing (published, with unpublished edits). */
  state: 'draft' | 'published' | 'editing';
  files: number;
  size: number;
  doi: string | null;
  doiRegistered: boolean;
  modified: string | null;
  url: string | null;
}

export function zenodoRow(d: Deposition): ZenodoUploadRow {
  const files = d.files ?? [];
  return {
    service: 'zenodo',
    id: d.id,
    title: d.title,
    state: d.state === 'done' ? 'published' : d.submitted ? 'editing' : 'draft',
    files: files.length,
    size: files.reduce((n, f) => n + f.size, 0),
    doi: d.doi ?? d.reservedDoi ?? null,
    doiRegistered: Boolean(d.doi && d.submitted),
    modified: d.modified ?? null,
    url: (d.submitted ? d.links.recordHtml : undefined) ?? d.links.html ?? null,
  };
}

/** --status: draft = never published; published = published (also while being edited). */
function wanted(d: Deposition, status: ListQuery['status']): boolean {
  if (status === 'draft') return !d.submitted;
  if (status === 'published') return d.submitted;
  return true;
}

async function list(ctx: Context, cred: Credential, q: ListQuery): Promise<ZenodoUploadRow[]> {
  const client = new ZenodoClient(await apiClient(ctx, cred));
  // Zenodo ignores `status` (providers.md 0.1), so rdp filters, and keeps paging until it has the
  // limit and one more matching row (which tells that there are more) or the list ends. Without a
  // filter one page of limit + 1 answers both at once; with one, full pages waste fewer requests.
  const pageSize = q.limit === undefined || q.status ? undefined : q.limit + 1;
  const rows: ZenodoUploadRow[] = [];
  for await (const d of client.depositions({ pageSize })) {
    if (!wanted(d, q.status)) continue;
    if (q.limit !== undefined && rows.length >= q.limit) {
      const what = q.status === 'draft' ? 'Zenodo drafts' : q.status === 'published' ? 'published Zenodo uploads' : 'Zenodo uploads';
      if (!ctx.io.flags.quiet) ctx.io.notice(`Showing the newest ${rows.length} ${what}; there are more: use --limit N or --all to see them.`);
      break; // leaving the loop ends the iterator: no further page is requested
    }
    rows.push(zenodoRow(d));
  }
  return rows;
}

function render(io: IO, rows: ZenodoUploadRow[]): string {
  // On a terminal: sizes in kB/MB, reserved DOIs marked, times to the minute. Piped: raw values.
  return renderTable(
    io,
    [
      { header: 'ID', value: (r) => String(r.id) },
      { header: 'TITLE', value: (r) => r.title, display: (r) => r.title || '(untitled)', shrink: true },
      { header: 'STATE', value: (r) => r.state },
      { header: 'FILES', value: (r) => String(r.files) },
      { header: 'SIZE', value: (r) => String(r.size), display: (r) => formatBytes(r.size) },
      { header: 'DOI', value: (r) => r.doi ?? '', display: (r) => (r.doi ? `${r.doi}${r.doiRegistered ? '' : ' (reserved)'}` : '-') },
      { header: 'MODIFIED', value: (r) => r.modified ?? '', display: (r) => (r.modified ? r.modified.slice(0, 16).replace('T', ' ') : '-') },
    ],
    rows,
  );
}

export const zenodoLister: UploadLister<ZenodoUploadRow> = { service: 'zenodo', list, render };
