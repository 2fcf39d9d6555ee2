// Zenodo's deposition and file objects, narrowed at the boundary (providers.md 1.4, 1.7). Tolerant of
// both the documented and the current server's shapes: `filename`/`name`, numeric or string sizes,
// checksums with or without the `md5:` prefix, bucket listings as an array or `{contents: [...]}`.
import { isObj } from '../../util/guards.js';

export type DepositionState = 'unsubmitted' | 'inprogress' | 'done' | 'error';

export interface RemoteFile {
  name: string;
  size: number;
  /** Lower-case hex MD5, when the server said. */
  md5?: string | undefined;
  /** Deposition-file id (old files API), when known. */
  id?: string | undefined;
}

export interface DepositionLinks {
  self: string;
  html?: string | undefined;
  bucket?: string | undefined;
  latestDraft?: string | undefined;
  publish?: string | undefined;
  edit?: string | undefined;
  newversion?: string | undefined;
  latest?: string | undefined;
  recordHtml?: string | undefined;
}

export interface Deposition {
  id: number;
  conceptrecid?: string | undefined;
  title: string;
  state: DepositionState | string;
  submitted: boolean;
  created?: string | undefined;
  modified?: string | undefined;
  /** The final DOI (after publish). */
  doi?: string | undefined;
  /** metadata.prereserve_doi.doi */
  reservedDoi?: string | undefined;
  conceptDoi?: string | undefined;
  metadata: Record<string, unknown>;
  /** undefined when the answer had no `files` (then list the bucket). */
  files: RemoteFile[] | undefined;
  links: DepositionLinks;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

export function normalizeMd5(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(?:md5:)?([0-9a-f]{32})$/i.exec(v.trim());
  return m?.[1]?.toLowerCase();
}

/** A deposition-file or bucket object, or undefined when it is not one. */
export function toRemoteFile(v: unknown): RemoteFile | undefined {
  if (!isObj(v)) return undefined;
  const name = str(v.filename) ?? str(v.key) ?? str(v.name);
  const size = num(v.filesize) ?? num(v.size);
  if (name === undefined || size === undefined) return undefined;
  return { name, size, md5: normalizeMd5(v.checksum), id: str(v.id) };
}

/** A bucket listing: an array of objects, or `{contents: [...]}`. */
export function toRemoteFiles(v: unknown): RemoteFile[] | undefined {
  const list = Array.isArray(v) ? v : isObj(v) && Array.isArray(v.contents) ? v.contents : isObj(v) && Array.isArray(v.entries) ? v.entries : undefined;
  if (!list) return undefined;
  return list.map(toRemoteFile).filter((f): f is RemoteFile => f !== undefined);
}

/** Narrow a deposition; undefined when `v` is not one. */
export function toDeposition(v: unknown): Deposition | undefined {
  if (!isObj(v)) return undefined;
  const id = num(v.id) ?? num(v.record_id);
  const links = isObj(v.links) ? v.links : undefined;
  if (id === undefined || !links) return undefined;
  const metadata = isObj(v.metadata) ? v.metadata : {};
  const pre = isObj(metadata.prereserve_doi) ? str(metadata.prereserve_doi.doi) : undefined;
  const state = str(v.state) ?? 'unsubmitted';
  return {
    id,
    conceptrecid: v.conceptrecid !== undefined && v.conceptrecid !== null ? String(v.conceptrecid) : undefined,
    title: str(v.title) ?? str(metadata.title) ?? '',
    state,
    submitted: v.submitted === true || state === 'done',
    created: str(v.created),
    modified: str(v.modified),
    doi: str(v.doi) ?? (v.submitted === true ? str(metadata.doi) : undefined),
    reservedDoi: pre,
    conceptDoi: str(v.conceptdoi),
    metadata,
    files: Array.isArray(v.files) ? v.files.map(toRemoteFile).filter((f): f is RemoteFile => f !== undefined) : undefined,
    links: {
      self: str(links.self) ?? '',
      html: str(links.html),
      bucket: str(links.bucket),
      latestDraft: str(links.latest_draft),
      publish: str(links.publish),
      edit: str(links.edit),
      newversion: str(links.newversion),
      latest: str(links.latest),
      recordHtml: str(links.record_html),
    },
  };
}

/** The publish journal's key for a Zenodo record (rdp publish, and the steps after rdp upload --publish). */
export function journalRecord(host: string, id: number | string): string {
  return `zenodo:${host}:${id}`;
}
