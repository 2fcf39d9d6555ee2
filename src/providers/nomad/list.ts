// `rdp uploads list --on nomad`: the user's NOMAD uploads, newest first, paged through with
// `page_after_value` as far as --limit (or --all) asks.
import type { IO } from '../../output/io.js';
import { type Column, renderTable } from '../../output/table.js';
import { NomadClient } from './client.js';
import type { HttpClient } from '../../http/client.js';
import type { Listed, Lister, ListQuery } from '../types.js';

export interface NomadUploadRow {
  uploadId: string;
  name?: string | undefined;
  /** NOMAD's process_status (SUCCESS, FAILURE, RUNNING, …). */
  status: string;
  processRunning: boolean;
  entries: number;
  published: boolean;
  publishTime?: string | undefined;
  embargoLength: number;
  createTime?: string | undefined;
}

/** NOMAD's page size for listings (its default is 10). */
const MAX_PAGE = 100;

async function list(http: HttpClient, q: ListQuery): Promise<Listed<NomadUploadRow>> {
  const nomad = new NomadClient(http);
  // One more than the limit, so that one request also tells whether there are more (`total` says how many).
  const pageSize = q.limit === undefined ? MAX_PAGE : Math.min(q.limit + 1, MAX_PAGE);
  const rows: NomadUploadRow[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  const onTotal = (t: number) => {
    total = t;
  };
  for await (const u of nomad.uploads({ isPublished: q.status === undefined ? undefined : q.status === 'published', pageSize, onTotal })) {
    if (seen.has(u.uploadId)) continue; // an upload created meanwhile shifts the pages by one
    if (q.limit !== undefined && rows.length >= q.limit) {
      // leaving the loop ends the iterator: no further page is requested
      return { rows, more: total !== undefined && total > rows.length ? total - rows.length : true };
    }
    seen.add(u.uploadId);
    rows.push({
      uploadId: u.uploadId,
      name: u.name,
      status: u.processStatus,
      processRunning: u.processRunning,
      entries: u.entries,
      published: u.published,
      publishTime: u.publishTime,
      embargoLength: u.embargoLength,
      createTime: u.createTime,
    });
  }
  return { rows, more: false };
}

function published(r: NomadUploadRow): string {
  if (!r.published) return 'no';
  const date = r.publishTime?.slice(0, 10) ?? 'yes';
  return r.embargoLength > 0 ? `${date} (embargo ${r.embargoLength} mo)` : date;
}

const COLUMNS: Column<NomadUploadRow>[] = [
  { header: 'UPLOAD_ID', value: (r) => r.uploadId },
  { header: 'NAME', value: (r) => r.name ?? '', shrink: true },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'ENTRIES', value: (r) => String(r.entries) },
  { header: 'PUBLISHED', value: published },
];

export const lister: Lister<NomadUploadRow> = {
  list,
  render: (io: IO, rows: NomadUploadRow[]) => renderTable(io, COLUMNS, rows),
};
