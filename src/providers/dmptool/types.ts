// DMPTool's data (providers.md 3.3, 3.6): the v2 envelope, plans in the RDA DMP Common Standard
// (`{"dmp": {...}}`, with `dmproadmap_*` extensions) and templates. Answers are narrowed here, at the
// boundary: what rdp reads is checked, everything else is kept as the server sent it (the JSON output
// is the provider's own document, not a lossy re-serialisation).
import { isObj } from '../../util/guards.js';

export type Json = Record<string, unknown>;

/** The v2 envelope every JSON answer has (providers.md 3.3). Every field is optional to the client. */
export interface Envelope {
  application?: unknown;
  api_version?: unknown;
  source?: unknown;
  time?: unknown;
  caller?: unknown;
  code?: unknown;
  message?: unknown;
  page?: unknown;
  per_page?: unknown;
  total_items?: unknown;
  prev?: unknown;
  next?: unknown;
  items?: unknown;
  errors?: unknown;
}

/** An RDA identifier: `{ type, identifier }`. */
export interface RdaId {
  type: string | null;
  identifier: string;
}

/** One row of `rdp dmps list` (and its --json form). */
export interface PlanSummary {
  /** DMPTool's numeric plan id (what `rdp dmps get` takes), from the plan's links; null when absent. */
  id: number | null;
  title: string;
  /** The DMP ID as DMPTool gives it: a DOI URL, or the plan's API URL when no DMP ID is registered. */
  dmpId: RdaId | null;
  /** The bare DOI (`10.48321/D1ABCD`) when the DMP ID is one. */
  doi: string | null;
  created: string | null;
  modified: string | null;
  /** `public` or `private`; null when the server did not say (list items are minimal). */
  privacy: string | null;
  contact: string | null;
  /** The plan's API URL (`dmproadmap_links.get`). */
  url: string | null;
  /** The item as DMPTool sent it (RDA DMP Common Standard, minimal). */
  dmp: Json;
}

/** One row of `rdp dmps templates`. */
export interface TemplateSummary {
  id: string | null;
  title: string;
  description: string | null;
  version: string | null;
  created: string | null;
  modified: string | null;
  organisation: string | null;
  templateId: RdaId | null;
  /** The item as DMPTool sent it. */
  dmp_template: Json;
}

/** A full plan: the RDA document `{"dmp": {...}}` exactly as sent, and the plan it describes. */
export interface Plan {
  id: number;
  summary: PlanSummary;
  /** `{"dmp": {...}}` — the full RDA DMP JSON. */
  document: Json;
}


export { isObj };
export const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A number field that may come as a number or a numeric string. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** True for a body shaped like DMPTool's v2 envelope (used to tell its 404s from a wrong URL's). */
export function isEnvelope(v: unknown): v is Envelope {
  return isObj(v) && (Array.isArray(v.items) || v.api_version !== undefined || (v.application !== undefined && v.code !== undefined));
}

export function rdaId(v: unknown): RdaId | null {
  if (!isObj(v)) return null;
  const identifier = str(v.identifier);
  return identifier ? { type: str(v.type), identifier } : null;
}

const DOI = /^(10\.\d{4,9}\/\S+)$/;

/**
 * The bare DOI in a DOI in any of the forms people and servers write it: `10.x/y`, `doi:10.x/y`,
 * `https://doi.org/10.x/y`, `http://dx.doi.org/10.x/y`. Undefined when it is not a DOI.
 */
export function bareDoi(value: string): string | undefined {
  let v = value.trim();
  const url = /^https?:\/\/(?:dx\.|www\.)?doi\.org\/(.+)$/i.exec(v);
  if (url?.[1]) v = safeDecode(url[1]);
  else v = v.replace(/^doi:\s*/i, '');
  return DOI.test(v) ? v : undefined;
}

/** DOIs compare case-insensitively (the DOI Handbook, 2.4). */
export function sameDoi(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

/** The numeric plan id in a DMPTool plan URL (`…/api/v2/plans/123`, `….json`, `….pdf`, `…/plans/123/edit`). */
export function planIdInUrl(url: string): number | undefined {
  const m = /\/plans\/(\d+)(?:\.(?:json|pdf))?(?:[/?#].*)?$/i.exec(url);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A plan item (`{"dmp": {...}}`) as a summary, or undefined when it is not one. */
export function planSummary(item: unknown): PlanSummary | undefined {
  if (!isObj(item) || !isObj(item.dmp)) return undefined;
  const dmp = item.dmp;
  const links = isObj(dmp.dmproadmap_links) ? dmp.dmproadmap_links : {};
  const dmpId = rdaId(dmp.dmp_id);
  const url = str(links.get);
  const id =
    [url, dmpId?.identifier, str(links.download)].map((u) => (u ? planIdInUrl(u) : undefined)).find((n) => n !== undefined) ?? null;
  // A DOI whatever `type` says (its vocabulary is unconfirmed); the API URL of a plan without one is not.
  const doi = dmpId ? (bareDoi(dmpId.identifier) ?? null) : null;
  const contact = isObj(dmp.contact) ? str(dmp.contact.name) : null;
  return {
    id,
    title: str(dmp.title) ?? '(untitled)',
    dmpId,
    doi,
    created: str(dmp.created),
    modified: str(dmp.modified),
    privacy: str(dmp.dmproadmap_privacy),
    contact,
    url,
    dmp,
  };
}

/** A template item (`{"dmp_template": {...}}`) as a summary, or undefined when it is not one. */
export function templateSummary(item: unknown): TemplateSummary | undefined {
  if (!isObj(item) || !isObj(item.dmp_template)) return undefined;
  const t = item.dmp_template;
  const templateId = rdaId(t.template_id);
  const org = isObj(t.affiliation) ? str(t.affiliation.name) : null;
  const version = typeof t.version === 'number' ? String(t.version) : str(t.version);
  return {
    id: templateId?.identifier ?? null,
    title: str(t.title) ?? '(untitled)',
    description: str(t.description),
    version,
    created: str(t.created),
    modified: str(t.modified),
    organisation: org,
    templateId,
    dmp_template: t,
  };
}

/** Human-readable privacy: a plan is private unless DMPTool says `public`. */
export function isPrivate(privacy: string | null): boolean {
  return privacy !== null && privacy.toLowerCase() !== 'public';
}
