// InvenioRDM's records, drafts and file entries (providers.md 1.10 and 0.1), narrowed at the boundary.
// Tolerant of what differs between versions and storages: a file's checksum may be `md5:<hex>`, the
// S3-style `multipart:<etag>-<parts>-<part size>` or null (a background task computes it after a
// multipart commit); the record's `files.entries` is a map by key, a files list's `entries` a list.
import { isObj } from '../../util/guards.js';

export interface FieldError {
  field: string;
  messages: string[];
}

export interface RdmPartLink {
  part: number;
  url: string;
}

export interface RdmFile {
  key: string;
  /** `pending` until committed, then `completed` (`failed` for a failed fetch). */
  status: string;
  size?: number | undefined;
  /** The checksum as answered (`md5:<hex>`, `multipart:...`, or null while the server computes it). */
  checksum?: string | null | undefined;
  /** Lower-case hex MD5, when the checksum is an MD5. */
  md5?: string | undefined;
  transfer: { type: string; parts?: number | undefined; partSize?: number | undefined };
  links: { self?: string | undefined; content?: string | undefined; commit?: string | undefined; parts?: RdmPartLink[] | undefined };
  /** A transfer that failed inside a 200 answer ("File upload transfer failed."). */
  errors?: string | undefined;
}

export interface RdmLinks {
  self: string;
  selfHtml?: string | undefined;
  files?: string | undefined;
  publish?: string | undefined;
  record?: string | undefined;
  recordHtml?: string | undefined;
  latest?: string | undefined;
  versions?: string | undefined;
  draft?: string | undefined;
  reserveDoi?: string | undefined;
}

export interface RdmRecord {
  id: string;
  parentId?: string | undefined;
  isDraft: boolean;
  isPublished: boolean;
  /** `draft`, `new_version_draft`, `published`, `in_review`, ... */
  status: string;
  versionIndex?: number | undefined;
  isLatest?: boolean | undefined;
  isLatestDraft?: boolean | undefined;
  title: string;
  created?: string | undefined;
  updated?: string | undefined;
  /** The record's DOI (reserved on a draft, registered once published). */
  doi?: string | undefined;
  /** The DOI of all versions (the parent's). */
  parentDoi?: string | undefined;
  owner?: string | undefined;
  metadata: Record<string, unknown>;
  access?: Record<string, unknown> | undefined;
  /**
   * The record's `custom_fields` as answered (a site's own fields beside the RDM metadata; a save sets
   * what it is sent, so they are sent back: CustomFieldsComponent).
   */
  customFields?: Record<string, unknown> | undefined;
  /** The record's `pids` as answered (kept when a draft is saved again: a full replace would drop them). */
  pids?: Record<string, unknown> | undefined;
  filesEnabled: boolean;
  /** The files as the record lists them (`files.entries`), when the answer had them. */
  files?: RdmFile[] | undefined;
  links: RdmLinks;
  /** Problems a draft was saved with (a draft is saved with what is valid). */
  errors: FieldError[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** The hex MD5 of an `md5:<hex>` checksum (or a bare hex MD5). */
export function md5Of(checksum: unknown): string | undefined {
  if (typeof checksum !== 'string') return undefined;
  const m = /^(?:md5:)?([0-9a-f]{32})$/i.exec(checksum.trim());
  return m?.[1]?.toLowerCase();
}

/** An S3-style multipart checksum: `multipart:<hex>-<parts>[-<part size>]`. */
export function multipartChecksum(checksum: unknown): { hex: string; parts: number; partSize?: number | undefined } | undefined {
  if (typeof checksum !== 'string') return undefined;
  const m = /^multipart:([0-9a-f]{32})-(\d+)(?:-(\d+))?$/i.exec(checksum.trim());
  if (!m) return undefined;
  return { hex: (m[1] as string).toLowerCase(), parts: Number(m[2]), partSize: m[3] ? Number(m[3]) : undefined };
}

export function toRdmFile(v: unknown, keyHint?: string): RdmFile | undefined {
  if (!isObj(v)) return undefined;
  const key = str(v.key) ?? keyHint;
  if (key === undefined) return undefined;
  const links = isObj(v.links) ? v.links : {};
  const t = isObj(v.transfer) ? v.transfer : {};
  const parts = Array.isArray(links.parts)
    ? links.parts.filter(isObj).flatMap((p) => (num(p.part) !== undefined && str(p.url) ? [{ part: num(p.part) as number, url: str(p.url) as string }] : []))
    : undefined;
  const checksum = v.checksum === null ? null : str(v.checksum);
  return {
    key,
    status: str(v.status) ?? (checksum ? 'completed' : 'pending'),
    size: num(v.size),
    checksum,
    md5: md5Of(checksum),
    transfer: { type: str(t.type) ?? 'L', parts: num(t.parts), partSize: num(t.part_size) },
    links: { self: str(links.self), content: str(links.content), commit: str(links.commit), parts },
    errors: typeof v.errors === 'string' ? v.errors : Array.isArray(v.errors) && v.errors.length ? JSON.stringify(v.errors) : undefined,
  };
}

/** A files list (`{enabled, entries: [...]}`) or a record's `files` (`{entries: {key: {...}}}`). */
export function toRdmFiles(v: unknown): RdmFile[] | undefined {
  if (Array.isArray(v)) return v.map((x) => toRdmFile(x)).filter((f): f is RdmFile => f !== undefined);
  if (!isObj(v)) return undefined;
  if (v.enabled === false && v.entries === undefined) return [];
  if (Array.isArray(v.entries)) return v.entries.map((x) => toRdmFile(x)).filter((f): f is RdmFile => f !== undefined);
  if (isObj(v.entries)) return Object.entries(v.entries).map(([k, x]) => toRdmFile(x, k)).filter((f): f is RdmFile => f !== undefined);
  return undefined;
}

function fieldErrors(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((e) => ({
    field: str(e.field) ?? '',
    messages: Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : typeof e.message === 'string' ? [e.message] : [],
  }));
}

function doiOf(pids: unknown): string | undefined {
  return isObj(pids) && isObj(pids.doi) ? str(pids.doi.identifier) : undefined;
}

/** Narrow a record or draft; undefined when `v` is not one. */
export function toRdmRecord(v: unknown): RdmRecord | undefined {
  if (!isObj(v)) return undefined;
  const id = str(v.id);
  const links = isObj(v.links) ? v.links : undefined;
  if (id === undefined || !links) return undefined;
  const metadata = isObj(v.metadata) ? v.metadata : {};
  const parent = isObj(v.parent) ? v.parent : {};
  const versions = isObj(v.versions) ? v.versions : {};
  const files = isObj(v.files) ? v.files : undefined;
  const owner = isObj(parent.access) && isObj(parent.access.owned_by) ? parent.access.owned_by.user : undefined;
  const isPublished = v.is_published === true;
  return {
    id,
    parentId: str(parent.id),
    isDraft: v.is_draft === true || (!isPublished && v.is_draft !== false),
    isPublished,
    status: str(v.status) ?? (isPublished ? 'published' : 'draft'),
    versionIndex: num(versions.index),
    isLatest: typeof versions.is_latest === 'boolean' ? versions.is_latest : undefined,
    isLatestDraft: typeof versions.is_latest_draft === 'boolean' ? versions.is_latest_draft : undefined,
    title: str(metadata.title) ?? '',
    created: str(v.created),
    updated: str(v.updated),
    doi: doiOf(v.pids),
    parentDoi: doiOf(parent.pids),
    owner: owner === undefined || owner === null ? undefined : String(owner),
    metadata,
    access: isObj(v.access) ? v.access : undefined,
    pids: isObj(v.pids) ? v.pids : undefined,
    customFields: isObj(v.custom_fields) && Object.keys(v.custom_fields).length ? v.custom_fields : undefined,
    filesEnabled: files ? files.enabled !== false : true,
    files: files && files.entries !== undefined ? toRdmFiles(files) : undefined,
    links: {
      self: str(links.self) ?? '',
      selfHtml: str(links.self_html),
      files: str(links.files),
      publish: str(links.publish),
      record: str(links.record),
      recordHtml: str(links.record_html),
      latest: str(links.latest),
      versions: str(links.versions),
      draft: str(links.draft),
      reserveDoi: str(links.reserve_doi),
    },
    errors: fieldErrors(v.errors),
  };
}

/** A search answer: `hits.hits` (a list) and `hits.total` (a number, or `{value}` on older servers). */
export function toSearch(v: unknown): { hits: unknown[]; total: number; next?: string | undefined } | undefined {
  if (!isObj(v) || !isObj(v.hits) || !Array.isArray(v.hits.hits)) return undefined;
  const t = v.hits.total;
  const total = typeof t === 'number' ? t : isObj(t) && typeof t.value === 'number' ? t.value : undefined;
  if (total === undefined) return undefined;
  const links = isObj(v.links) ? v.links : {};
  return { hits: v.hits.hits, total, next: str(links.next) };
}

/** The publish journal's key for a site's record: `<site>:<host>:<id>` (no secrets). */
export function siteJournalRecord(siteId: string, host: string, id: string): string {
  return `${siteId}:${host}:${id}`;
}
