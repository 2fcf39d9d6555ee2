// NOMAD's upload object (providers.md 2.4, `UploadProcData`), narrowed at the boundary into the shape
// rdp uses. NOMAD leaves out unset fields, and some texts and values are unconfirmed, so everything
// except `upload_id` is optional here and read tolerantly.
import { isObj } from '../../util/guards.js';

export interface NomadUpload {
  uploadId: string;
  name?: string | undefined;
  createTime?: string | undefined;
  published: boolean;
  publishTime?: string | undefined;
  embargoLength: number;
  /** Number of entries NOMAD found. */
  entries: number;
  processRunning: boolean;
  currentProcess?: string | undefined;
  /** READY, PENDING, RUNNING, WAITING_FOR_RESULT, SUCCESS, FAILURE, DELETED (or anything newer). */
  processStatus: string;
  lastStatusMessage?: string | undefined;
  errors: string[];
  warnings: string[];
  completeTime?: string | undefined;
}

export interface NomadUploadPage {
  items: NomadUpload[];
  total?: number | undefined;
  nextPageAfterValue?: string | undefined;
}

/**
 * The publish journal's key for the steps of one upload (and, with --dataset, that dataset): what
 * `rdp publish --on nomad` records, and what the same upload command consults before it refuses.
 */
export function nomadJournalRecord(host: string, uploadId: string, dataset?: string | undefined): string {
  return `nomad:${host}:${uploadId}${dataset !== undefined ? `:dataset=${dataset}` : ''}`;
}

/** NOMAD's times carry no zone and are UTC ("2024-05-02T09:00:00.000000"); epoch ms, NaN when unreadable. */
export function nomadTimeMs(t: string | undefined): number {
  if (!t) return Number.NaN;
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(t) ? t : `${t}Z`);
}

/** The states in which NOMAD is still working on an upload (providers.md 2.4). */
export const PROCESSING_STATES = new Set(['PENDING', 'RUNNING', 'WAITING_FOR_RESULT']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** An upload object, or undefined when `raw` is not one. */
export function narrowUpload(raw: unknown): NomadUpload | undefined {
  if (!isObj(raw) || typeof raw.upload_id !== 'string' || raw.upload_id === '') return undefined;
  const status = str(raw.process_status)?.toUpperCase() ?? 'READY';
  const publishTime = str(raw.publish_time);
  const embargo = typeof raw.embargo_length === 'number' && Number.isFinite(raw.embargo_length) ? raw.embargo_length : 0;
  return {
    uploadId: raw.upload_id,
    name: str(raw.upload_name),
    createTime: str(raw.upload_create_time),
    published: typeof raw.published === 'boolean' ? raw.published : publishTime !== undefined,
    publishTime,
    embargoLength: embargo,
    entries: typeof raw.entries === 'number' && Number.isFinite(raw.entries) ? raw.entries : 0,
    processRunning: typeof raw.process_running === 'boolean' ? raw.process_running : PROCESSING_STATES.has(status),
    currentProcess: str(raw.current_process),
    processStatus: status,
    lastStatusMessage: str(raw.last_status_message),
    errors: strings(raw.errors),
    warnings: strings(raw.warnings),
    completeTime: str(raw.complete_time),
  };
}

/** `{upload_id, data}` (POST /uploads, GET /uploads/{id}, actions): the upload in `data`. */
export function narrowUploadResponse(raw: unknown): NomadUpload | undefined {
  if (!isObj(raw)) return undefined;
  const data = narrowUpload(raw.data);
  if (data) return data;
  // tolerate an answer that carries only the id
  return typeof raw.upload_id === 'string' && raw.upload_id ? narrowUpload({ upload_id: raw.upload_id }) : undefined;
}

/** `{query, pagination, data: [...]}` (GET /uploads). */
export function narrowUploadPage(raw: unknown): NomadUploadPage | undefined {
  if (!isObj(raw) || !Array.isArray(raw.data)) return undefined;
  const items = raw.data.map(narrowUpload).filter((u): u is NomadUpload => u !== undefined);
  const p = isObj(raw.pagination) ? raw.pagination : {};
  const next = p.next_page_after_value;
  return {
    items,
    total: typeof p.total === 'number' ? p.total : undefined,
    nextPageAfterValue: typeof next === 'string' && next !== '' ? next : typeof next === 'number' ? String(next) : undefined,
  };
}
