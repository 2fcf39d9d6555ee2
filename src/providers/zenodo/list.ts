// Zenodo's part of `rdp uploads list`: the user's depositions, drafts and published, newest first,
// page after page (at most 100 a page) as far as --limit (or --all) asks.
import { formatBytes } from '../../output/format.js';
import type { IO } from '../../output/io.js';
import { renderTable } from '../../output/table.js';
import { type Deposition, ZenodoClient } from './client.js';
import type { HttpClient } from '../../http/client.js';
import type { Listed, Lister, ListQuery } from '../types.js';

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

/** --status, applied here: Zenodo's `status` query parameter does not filter (providers.md section 0). */
function wanted(row: ZenodoUploadRow, status: ListQuery['status']): boolean {
  if (status === 'draft') return row.state !== 'published'; // never published, or published with unpublished edits
  if (status === 'published') return row.state !== 'draft';
  return true;
}

async function list(http: HttpClient, q: ListQuery): Promise<Listed<ZenodoUploadRow>> {
  const client = new ZenodoClient(http);
  // One more than the limit, so that one request also tells whether there are more (Zenodo states no
  // total); with --status, full pages, since rdp filters them itself.
  const pageSize = q.limit === undefined || q.status !== undefined ? undefined : q.limit + 1;
  const rows: ZenodoUploadRow[] = [];
  for await (const d of client.depositions({ pageSize })) {
    const row = zenodoRow(d);
    if (!wanted(row, q.status)) continue;
    // leaving the loop ends the iterator: no further page is requested
    if (q.limit !== undefined && rows.length >= q.limit) return { rows, more: true };
    rows.push(row);
  }
  return { rows, more: false };
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

export const lister: Lister<ZenodoUploadRow> = { list, render };
