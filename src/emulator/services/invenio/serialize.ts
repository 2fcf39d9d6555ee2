// How the InvenioRDM site answers: records and drafts (invenio-rdm-records' RDMRecordSchema and its
// `links_item`), file entries (invenio-records-resources' FileSchema, with the multipart part links of
// MultipartStorageExt), file lists and search results (`hits.hits`, `hits.total`, `links`, `sortBy`).
import { isObj } from '../../guards.js';
import type { EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { siteError } from './common.js';
import { dereference } from './metadata.js';
import type { SiteFile, SiteRecord, SiteStore } from './store.js';

type Md = Record<string, unknown>;

export function api(ctx: ServiceContext): string {
  return `${ctx.base}/api`;
}

/** A file key as it appears in a URL path (each segment encoded, slashes kept). */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function fileLinks(ctx: ServiceContext, r: SiteRecord, f: SiteFile, draft: boolean): Md {
  const self = `${api(ctx)}/records/${r.id}${draft ? '/draft' : ''}/files/${keyPath(f.key)}`;
  const links: Md = { self, content: `${self}/content` };
  if (draft) links.commit = `${self}/commit`;
  if (f.transfer === 'M' && !f.committed) {
    // The generic multipart implementation: one URL per part under the file's own URL, valid 14 days;
    // `content` is dropped (the whole file cannot be sent to it).
    const expiration = new Date(Date.now() + 14 * 86_400_000).toISOString().replace('Z', '+00:00');
    links.parts = Array.from({ length: f.parts ?? 0 }, (_, i) => ({ part: i + 1, url: `${self}/content/${i + 1}`, expiration }));
    delete links.content;
  }
  return links;
}

export function fileEntry(ctx: ServiceContext, r: SiteRecord, f: SiteFile, draft: boolean): Md {
  const out: Md = {
    key: f.key,
    created: f.created,
    updated: f.updated,
    status: f.committed ? 'completed' : 'pending',
    metadata: f.metadata,
    access: { hidden: false },
    links: fileLinks(ctx, r, f, draft),
    transfer: f.transfer === 'M' ? { type: 'M', parts: f.parts, part_size: f.partSize } : { type: 'L' },
  };
  if (f.committed) {
    Object.assign(out, {
      checksum: f.checksum,
      size: f.size,
      mimetype: f.mimetype,
      storage_class: 'L',
      file_id: f.fileId,
      version_id: f.versionId,
      bucket_id: r.bucketId,
    });
  } else {
    // Not committed: what the init said, if anything.
    if (f.declaredSize !== undefined) out.size = f.declaredSize;
    if (f.declaredChecksum !== undefined) out.checksum = f.declaredChecksum;
  }
  return out;
}

export function fileList(ctx: ServiceContext, r: SiteRecord, draft: boolean): Md {
  const self = `${api(ctx)}/records/${r.id}${draft ? '/draft' : ''}/files`;
  if (!r.filesEnabled) return { enabled: false, links: { self } };
  return {
    enabled: true,
    links: { self, archive: `${self}-archive` },
    entries: [...r.files.values()].map((f) => fileEntry(ctx, r, f, draft)),
    default_preview: null,
    order: [],
  };
}

function accessStatus(r: SiteRecord): string {
  const a = r.access;
  if (isObj(a.embargo) && a.embargo.active === true) return 'embargoed';
  if (a.record === 'restricted' || a.files === 'restricted') return 'restricted';
  if (!r.filesEnabled) return 'metadata-only';
  return 'open';
}

export function serializeRecord(ctx: ServiceContext, store: SiteStore, r: SiteRecord): Md {
  const a = api(ctx);
  const p = store.parentOf(r);
  const latest = store.latest(p);
  const self = `${a}/records/${r.id}`;
  const links: Md = r.published
    ? {
        self,
        self_html: `${ctx.base}/records/${r.id}`,
        files: `${self}/files`,
        archive: `${self}/files-archive`,
        latest: `${self}/versions/latest`,
        latest_html: `${ctx.base}/records/${r.id}/latest`,
        versions: `${self}/versions`,
        draft: `${self}/draft`,
        parent: `${a}/records/${r.parentId}`,
        parent_html: `${ctx.base}/records/${r.parentId}`,
        reserve_doi: `${self}/draft/pids/doi`,
        access_links: `${self}/access/links`,
        communities: `${self}/communities`,
        requests: `${self}/requests`,
      }
    : {
        self: `${self}/draft`,
        self_html: `${ctx.base}/uploads/${r.id}`,
        preview_html: `${ctx.base}/records/${r.id}?preview=1`,
        files: `${self}/draft/files`,
        archive: `${self}/draft/files-archive`,
        record: self,
        record_html: `${ctx.base}/records/${r.id}`,
        versions: `${self}/versions`,
        publish: `${self}/draft/actions/publish`,
        review: `${self}/draft/review`,
        reserve_doi: `${self}/draft/pids/doi`,
        access_links: `${self}/access/links`,
        communities: `${self}/communities`,
        requests: `${self}/requests`,
      };
  const doi = isObj(r.pids.doi) && typeof r.pids.doi.identifier === 'string' ? r.pids.doi.identifier : undefined;
  if (doi && r.published) {
    links.doi = `https://doi.org/${doi}`;
    links.self_doi = links.doi;
  }
  if (p.doi) links.parent_doi = `https://doi.org/${p.doi}`;
  const isLatest = r.published && latest?.id === r.id;
  let total = 0;
  for (const f of r.files.values()) total += f.size ?? 0;
  const files: Md = r.filesEnabled
    ? {
        enabled: true,
        order: [],
        count: r.files.size,
        total_bytes: total,
        entries: Object.fromEntries(
          [...r.files.values()].map((f) => [f.key, { id: f.fileId, key: f.key, checksum: f.committed ? f.checksum : null, size: f.size ?? f.declaredSize, mimetype: f.mimetype, ext: /\.([^./]+)$/.exec(f.key)?.[1] ?? null, metadata: f.metadata, access: { hidden: false }, storage_class: 'L' }]),
        ),
      }
    : { enabled: false };
  return {
    id: r.id,
    pid: { pk: 0, status: r.published ? 'R' : 'N', pid_type: 'recid', obj_type: 'rec' },
    created: r.created,
    updated: r.updated,
    revision_id: r.revision,
    links,
    parent: {
      id: r.parentId,
      access: { owned_by: { user: r.owner }, settings: { allow_user_requests: false, allow_guest_requests: false, accept_conditions_text: null, secret_link_expiration: 0 } },
      communities: {},
      pids: p.doi ? { doi: { identifier: p.doi, provider: 'datacite', client: 'datacite' } } : {},
    },
    versions: { index: r.index, is_latest: isLatest, is_latest_draft: r.published ? isLatest && !p.draft : p.draft === r.id },
    is_draft: !r.published,
    is_published: r.published,
    status: r.published ? 'published' : r.index === 1 ? 'draft' : 'new_version_draft',
    access: { ...r.access, status: accessStatus(r) },
    files,
    media_files: { enabled: false },
    metadata: dereference(r.metadata),
    custom_fields: structuredClone(r.customFields),
    pids: structuredClone(r.pids),
    stats: r.published ? { this_version: { views: 0, unique_views: 0, downloads: 0, unique_downloads: 0, data_volume: 0 }, all_versions: { views: 0, unique_views: 0, downloads: 0, unique_downloads: 0, data_volume: 0 } } : undefined,
  };
}

const SORTS = new Set(['bestmatch', 'newest', 'oldest', 'updated-desc', 'updated-asc', 'version', 'mostviewed', 'mostdownloaded']);

/**
 * A search answer (invenio-records-resources RecordList.to_dict): `hits.hits`, `hits.total` (a number),
 * `aggregations`, `sortBy`, `page` and `links` (self, prev, next) with the query repeated.
 * Default page size 25; `size`/`page` below 1 are a 400 validation error; paging past 10,000 results a
 * 400 "Invalid querystring parameters.".
 */
export function searchAnswer(ctx: ServiceContext, store: SiteStore, req: EmuRequest, all: SiteRecord[], path: string): Md {
  const q = req.query;
  const errors: { field: string; messages: string[] }[] = [];
  const int = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    if (!/^-?\d+$/.test(v)) {
      errors.push({ field: name, messages: ['Not a valid integer.'] });
      return undefined;
    }
    if (Number(v) < 1) errors.push({ field: name, messages: ['Must be greater than or equal to 1.'] });
    return Number(v);
  };
  const size = int('size') ?? 25;
  const page = int('page') ?? 1;
  if (errors.length) throw siteError(400, 'A validation error occurred.', errors);
  const text = (q.get('q') ?? '').trim().toLowerCase();
  const sort = q.get('sort') ?? (text ? 'bestmatch' : 'newest');
  if (!SORTS.has(sort)) throw siteError(400, 'Invalid querystring parameters.');
  if (page * size > 10_000) throw siteError(400, 'Invalid querystring parameters.');
  let list = all;
  if (text) list = list.filter((r) => JSON.stringify(r.metadata).toLowerCase().includes(text) || r.id === text);
  const cmp: Record<string, (a: SiteRecord, b: SiteRecord) => number> = {
    newest: (a, b) => b.created.localeCompare(a.created),
    oldest: (a, b) => a.created.localeCompare(b.created),
    'updated-desc': (a, b) => b.updated.localeCompare(a.updated),
    'updated-asc': (a, b) => a.updated.localeCompare(b.updated),
    version: (a, b) => b.index - a.index,
  };
  list = [...list].sort(cmp[sort] ?? cmp.newest);
  const hits = list.slice((page - 1) * size, page * size).map((r) => serializeRecord(ctx, store, r));
  const link = (p: number) => {
    const u = new URL(`${api(ctx)}${path}`);
    for (const [k, v] of q) if (k !== 'page' && k !== 'access_token') u.searchParams.append(k, v);
    u.searchParams.set('page', String(p));
    u.searchParams.set('size', String(size));
    u.searchParams.set('sort', sort);
    return u.toString();
  };
  const links: Md = { self: link(page) };
  if (page > 1) links.prev = link(page - 1);
  if (page * size < list.length) links.next = link(page + 1);
  return { hits: { hits, total: list.length }, aggregations: {}, sortBy: sort, page, links };
}

/** A JSON request body: `{}` when empty; 415 for another content type; 400 for broken JSON. */
export async function jsonBody(req: EmuRequest): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  const ct = req.header('content-type');
  if (ct !== undefined && !/^application\/json\b/i.test(ct)) throw siteError(415, "Invalid 'Content-Type' header. Expected one of: application/json.");
  try {
    return JSON.parse(text);
  } catch {
    throw siteError(400, 'Unable to decode JSON data in request body.');
  }
}
