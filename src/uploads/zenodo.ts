// Zenodo's part of `rdp uploads list`: the user's depositions, drafts and published, page after page.
import { apiClient, type Credential } from '../auth/session.js';
import type { Context } from '../context.js';
import { formatBytes } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { type Deposition, ZenodoClient } from '../providers/zenodo/client.js';
import type { ListOptions, UploadLister } from './list.js';

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

export const zenodoLister: UploadLister<ZenodoUploadRow> = {
  service: 'zenodo',
  async *list(ctx: Context, cred: Credential, opts: ListOptions) {
    const client = new ZenodoClient(await apiClient(ctx, cred));
    // One more than the limit, so that one request also tells whether there are more.
    const pageSize = opts.limit === undefined ? undefined : opts.limit + 1;
    for await (const d of client.depositions({ status: opts.status, pageSize })) yield zenodoRow(d);
  },
  render(ctx, rows) {
    // On a terminal: sizes in kB/MB, reserved DOIs marked, times to the minute. Piped: raw values.
    return renderTable(
      ctx.io,
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
  },
};
