// ORCID's works on the Member API v3.0 (providers.md 0.3), as ORCID-Source's
// MemberV3ApiServiceDelegatorImpl, OrcidSecurityManagerImpl, ActivityValidator and WorkManagerImpl do it:
//   POST   /v3.0/{orcid}/work            a work as JSON (application/vnd.orcid+json, application/orcid+json or
//                                       application/json; anything else 415). Checks in the server's order:
//                                       unknown record 404 (9016); a public client's token, or a token for
//                                       another record, 401 (9017); without /activities/update (or the
//                                       broader /activities/update-like scopes) 403 (9038); no title 400 (9022);
//                                       no or unknown type 400 (9037); no external ids 400 (9023); an external
//                                       id with relationship `self` that the same client already put on a work
//                                       of this record (compared normalised: DOIs lower-cased, the `10.x/...`
//                                       part only) 409 (9021, naming the existing put-code). Else 201 with an
//                                       empty body and `Location: {base}/v3.0/{orcid}/work/{put-code}`.
//   GET    /v3.0/{orcid}/works           the works, grouped by their external ids (for checking)
//   GET    /v3.0/{orcid}/work/{putCode}  one work
//   DELETE /v3.0/{orcid}/work/{putCode}  204; another client's work 403 (9010)
// Error bodies are ORCID's v3 error JSON (response-code, developer-message, user-message, error-code,
// more-info); the texts are those of ORCID's api_en.properties.
import { isObj } from '../../guards.js';
import type { EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator, SEED, type TokenRecord } from '../../state.js';
import { orcidApiError, orcidAuth } from './index.js';
import { isMemberClient } from './members.js';

/** ORCID's work types (v3.0 WorkType values). */
export const WORK_TYPES = [
  'annotation', 'artistic-performance', 'book-chapter', 'book-review', 'book', 'conference-abstract', 'conference-paper',
  'conference-poster', 'data-management-plan', 'data-set', 'dictionary-entry', 'disclosure', 'dissertation-thesis',
  'edited-book', 'encyclopedia-entry', 'invention', 'journal-article', 'journal-issue', 'lecture-speech', 'license',
  'magazine-article', 'manual', 'newsletter-article', 'newspaper-article', 'online-resource', 'other',
  'patent', 'physical-object', 'preprint', 'registered-copyright', 'report', 'research-technique', 'research-tool',
  'review', 'software', 'spin-off-company', 'standards-and-policy', 'supervised-student-publication', 'technical-standard',
  'test', 'trademark', 'translation', 'website', 'working-paper', 'undefined',
] as const;

/** Scopes that allow creating works (ScopePathType ORCID_WORKS_CREATE / ORCID_WORKS_UPDATE and their parents). */
const CREATE_SCOPES = ['/activities/update', '/orcid-works/create', '/orcid-works/update', '/orcid-profile/create'];

const MEDIA = /^application\/(vnd\.orcid\+json|orcid\+json|json)\b/i;

interface ExtId {
  type: string;
  value: string;
  relationship: string | undefined;
}

interface StoredWork {
  putCode: number;
  orcid: string;
  clientId: string | undefined;
  clientName: string;
  created: number;
  modified: number;
  /** The work as sent (title, type, dates, url, external-ids...). */
  body: Record<string, unknown>;
  extIds: ExtId[];
}

class WorkStore {
  readonly works = new Map<number, StoredWork>();
  private next = 1_580_000;
  add(w: Omit<StoredWork, 'putCode'>): StoredWork {
    const putCode = this.next++;
    const full = { ...w, putCode };
    this.works.set(putCode, full);
    return full;
  }
  of(orcid: string): StoredWork[] {
    return [...this.works.values()].filter((w) => w.orcid === orcid).sort((a, b) => a.putCode - b.putCode);
  }
}

/** The works of an in-process emulator (tests). */
export const orcidWorks = perEmulator(() => new WorkStore());

/** ORCID's normalisation before comparing external ids: case-insensitive types lower-cased; DOIs cut to `10.x/...`. */
export function normaliseExtId(type: string, value: string): string {
  if (type !== 'doi') return value;
  const lower = value.toLowerCase();
  return /(10(\.[0-9a-zA-Z]+)+\/(?:(?!["&'])\S)+)/.exec(lower)?.[1] ?? '';
}

const value = (v: unknown): string | undefined => (isObj(v) && typeof v.value === 'string' ? v.value : undefined);

function extIdsOf(body: Record<string, unknown>): ExtId[] | undefined {
  const ids = body['external-ids'];
  if (!isObj(ids) || !Array.isArray(ids['external-id'])) return undefined;
  const out: ExtId[] = [];
  for (const e of ids['external-id'] as unknown[]) {
    if (!isObj(e) || typeof e['external-id-type'] !== 'string' || typeof e['external-id-value'] !== 'string') continue;
    const rel = e['external-id-relationship'];
    out.push({ type: e['external-id-type'], value: e['external-id-value'], relationship: typeof rel === 'string' ? rel.toLowerCase().replace(/_/g, '-') : undefined });
  }
  return out;
}

const dateValue = (ms: number) => ({ value: ms });

export function mountOrcidWorks(ctx: ServiceContext): void {
  const store = orcidWorks(ctx.state);
  const host = new URL(ctx.base).host;

  const notFound = () => orcidApiError(404, '404 Not Found: The resource was not found.', 'The resource was not found.', 9016);
  const checkRecord = (id: string) => {
    if (!/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(id)) throw orcidApiError(400, `Invalid ORCID iD ${id}`, 'The ORCID iD is not valid', 9037);
    if (id !== SEED.orcid.orcid) throw notFound();
  };

  /** OrcidSecurityManagerImpl.checkClientAccessAndScopes: client type, then the record, then the scope. */
  const writer = (req: EmuRequest, orcid: string, scopes: string[]): TokenRecord => {
    const rec = orcidAuth(ctx, req, true) as TokenRecord;
    const unauthorized = () =>
      orcidApiError(401, '401 Unauthorized: The client application is not authorized for this ORCID record.', 'The client application is not authorized.', 9017);
    if (!isMemberClient(ctx, rec.clientId)) throw unauthorized();
    if (rec.userId !== undefined && rec.userId !== orcid) throw unauthorized();
    if (!rec.scopes.some((s) => scopes.includes(s))) {
      throw orcidApiError(
        403,
        "409 Conflict: The item has a limited or private visibility and your request doesn't have the required scope.",
        "You don't have the permissions to execute this action.",
        9038,
      );
    }
    return rec;
  };

  const summary = (w: StoredWork) => ({
    'put-code': w.putCode,
    'created-date': dateValue(w.created),
    'last-modified-date': dateValue(w.modified),
    source: sourceOf(w),
    title: w.body.title ?? null,
    'external-ids': w.body['external-ids'] ?? { 'external-id': [] },
    url: w.body.url ?? null,
    type: w.body.type,
    'publication-date': w.body['publication-date'] ?? null,
    'journal-title': w.body['journal-title'] ?? null,
    visibility: 'public',
    path: `/${w.orcid}/work/${w.putCode}`,
    'display-index': '0',
  });

  const sourceOf = (w: StoredWork) => ({
    'source-orcid': null,
    'source-client-id': w.clientId ? { uri: `https://${host}/client/${w.clientId}`, path: w.clientId, host } : null,
    'source-name': { value: w.clientName },
    'assertion-origin-orcid': null,
    'assertion-origin-client-id': null,
    'assertion-origin-name': null,
  });

  ctx.router.post('/v3.0/:orcid/work', async (req, res) => {
    const orcid = req.params.orcid ?? '';
    // The token filter, then JAX-RS (media type, body), then the delegator's checks.
    const text = await req.text();
    orcidAuth(ctx, req, true);
    if (!MEDIA.test(req.header('content-type') ?? '')) {
      throw orcidApiError(415, 'HTTP 415 Unsupported Media Type', 'HTTP 415 Unsupported Media Type', 9000);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!isObj(body)) throw orcidApiError(400, '400 Bad Request: Invalid incoming message.', 'Invalid incoming message.', 9020);
    checkRecord(orcid);
    const rec = writer(req, orcid, CREATE_SCOPES);
    // ActivityValidator.validateWork
    const title = isObj(body.title) ? value(body.title.title) : undefined;
    if (!title?.trim()) throw orcidApiError(400, '400 Bad Request: Invalid activity, a title is required.', 'Invalid activity:  A title is required.', 9022);
    if (typeof body.type !== 'string' || !(WORK_TYPES as readonly string[]).includes(body.type)) {
      throw orcidApiError(400, `Invalid work type, valid values are: ${WORK_TYPES.join(', ')}.`, 'Please specify a work type.', 9037);
    }
    const extIds = extIdsOf(body);
    if (!extIds?.length) {
      throw orcidApiError(400, '400 Bad Request: Invalid activity, an external identifier is required.', 'Invalid activity: an external identifier is required.', 9023);
    }
    // WorkManagerImpl.createWork -> ActivityValidator.checkExternalIdentifiersForDuplicates (same source only)
    for (const existing of store.of(orcid)) {
      if (existing.clientId !== rec.clientId) continue;
      for (const a of existing.extIds) {
        for (const b of extIds) {
          const sameRel = (a.relationship === undefined && b.relationship === undefined) || (a.relationship === 'self' && b.relationship === 'self');
          if (sameRel && a.type === b.type && normaliseExtId(a.type, a.value) === normaliseExtId(b.type, b.value)) {
            throw orcidApiError(
              409,
              `409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code ${existing.putCode}. If you are trying to edit the item, please use PUT instead of POST.`,
              `There was an error when updating the record. Please try again. If the error persists, please contact ${existing.clientName} for assistance.`,
              9021,
            );
          }
        }
      }
    }
    const client = rec.clientId ? ctx.state.client('orcid', rec.clientId) : undefined;
    const now = Date.now();
    const w = store.add({ orcid, clientId: rec.clientId, clientName: client?.name ?? 'Unknown client', created: now, modified: now, body, extIds });
    res.empty(201, { location: `${ctx.base}/v3.0/${orcid}/work/${w.putCode}` });
  });

  ctx.router.get('/v3.0/:orcid/works', (req, res) => {
    orcidAuth(ctx, req, false);
    const orcid = req.params.orcid ?? '';
    checkRecord(orcid);
    // Grouped by shared external ids (each work its own group unless they share one).
    const groups: { ids: Set<string>; works: StoredWork[] }[] = [];
    for (const w of store.of(orcid)) {
      const keys = w.extIds.filter((e) => e.relationship === 'self').map((e) => `${e.type}:${normaliseExtId(e.type, e.value)}`);
      const g = groups.find((x) => keys.some((k) => x.ids.has(k)));
      if (g) {
        g.works.push(w);
        for (const k of keys) g.ids.add(k);
      } else groups.push({ ids: new Set(keys), works: [w] });
    }
    const last = Math.max(0, ...store.of(orcid).map((w) => w.modified));
    res.json(200, {
      'last-modified-date': last ? dateValue(last) : null,
      group: groups.map((g) => ({
        'last-modified-date': dateValue(Math.max(...g.works.map((w) => w.modified))),
        'external-ids': { 'external-id': g.works[0]?.body['external-ids'] && isObj(g.works[0].body['external-ids']) ? (g.works[0].body['external-ids'] as Record<string, unknown>)['external-id'] : [] },
        'work-summary': g.works.map(summary),
      })),
      path: `/${orcid}/works`,
    });
  });

  const one = (req: EmuRequest) => {
    const orcid = req.params.orcid ?? '';
    checkRecord(orcid);
    const w = store.works.get(Number(req.params.putCode));
    if (!w || w.orcid !== orcid) throw notFound();
    return w;
  };

  ctx.router.get('/v3.0/:orcid/work/:putCode', (req, res) => {
    orcidAuth(ctx, req, false);
    const w = one(req);
    res.json(200, {
      'created-date': dateValue(w.created),
      'last-modified-date': dateValue(w.modified),
      source: sourceOf(w),
      'put-code': w.putCode,
      path: `/${w.orcid}/work/${w.putCode}`,
      ...w.body,
      visibility: 'public',
    });
  });

  ctx.router.delete('/v3.0/:orcid/work/:putCode', (req, res) => {
    const orcid = req.params.orcid ?? '';
    checkRecord(orcid);
    const rec = writer(req, orcid, ['/activities/update']);
    const w = one(req);
    if (w.clientId !== rec.clientId) {
      throw orcidApiError(403, '403 Forbidden: You are not the source of the work, so you are not allowed to update it.', 'The client application is not the source of the resource it is trying to access.', 9010);
    }
    store.works.delete(w.putCode);
    res.empty(204);
  });
}
