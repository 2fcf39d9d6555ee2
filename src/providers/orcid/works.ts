// ORCID as the registry of a researcher's works: who is logged in, as a deposit's creator
// (`--orcid-creator`). The iD comes from the login (or RDP_ORCID_ID) and is checked; the name is read
// from the public record when ORCID answers ("Family, Given", as Zenodo asks), else the name stored at
// login is used.
//
// `--orcid-work`: the record as a `data-set` work on the researcher's ORCID record (Member API v3.0,
// `POST /v3.0/{orcid}/work`, scope /activities/update; providers.md 0.3 and
// test/contract/orcid/works.json). Only a member client may hold that scope; a public client's token
// is refused (401, error 9017) and a member token without the scope too (403, 9038): both come back as
// the typed outcome `needs-member`, so the caller explains DataCite's ORCID auto-update and goes on.
// Re-runs are safe: the record's works are read first and a work with this DOI (from any source)
// counts as `already`; ORCID answers 409 when this client added the DOI before, which is `already` too,
// so a POST repeated after a lost answer cannot add a second work.
// The works live on the Member API host (api.orcid.org, api.sandbox.orcid.org), not on the Public API
// host the login reads from (pub.orcid.org): memberApiBase() maps one to the other.
import { AuthRequiredError, FailureError, InputError, RdpError } from '../../errors/errors.js';
import type { HttpClient } from '../../http/client.js';
import { parseJson } from '../../http/errors.js';
import { header } from '../../http/headers.js';
import type { Log } from '../../ports.js';
import { isObj } from '../../util/guards.js';
import { parseOrcid } from '../../util/orcid-id.js';
import type { AccountUser, Endpoints, LinkOutcome, PublishedRecord } from '../types.js';
import { OrcidClient } from './client.js';

export async function creator(http: HttpClient, ep: Endpoints, user: AccountUser, log: Log, flag: string): Promise<{ name: string; orcid: string }> {
  const raw = user.orcid;
  if (!raw) {
    throw new AuthRequiredError('Your ORCID login does not say which iD it belongs to.', {
      hint: 'Set RDP_ORCID_ID, or run `rdp login orcid` again.',
    });
  }
  const id = parseOrcid(raw);
  if (!id.ok) throw new InputError('INVALID_ORCID', `The stored ORCID iD "${raw}" is not valid: ${id.reason}.`, { hint: 'Run `rdp login orcid` again.' });
  let name: string | undefined;
  try {
    const person = await new OrcidClient(http, ep.web).person(id.id);
    const given = person.name?.['given-names']?.value ?? undefined;
    const family = person.name?.['family-name']?.value ?? undefined;
    if (family) name = given ? `${family}, ${given}` : family;
    else name = person.name?.['credit-name']?.value ?? given ?? undefined;
  } catch (err) {
    if (err instanceof RdpError && err.exitCode === 4) throw err;
    log.warn(`Could not read your name from ORCID (${(err as Error).message}); using the name stored at login.`);
  }
  name ??= user.name;
  if (!name) {
    throw new InputError('NO_ORCID_NAME', `ORCID gave no name for ${id.id}.`, {
      hint: `Name yourself instead: ${flag === '--orcid-creator' ? '--creator' : 'a creator'} "Family, Given;;${id.id}"`,
    });
  }
  return { name, orcid: id.id };
}

export const ACTIVITIES_UPDATE = '/activities/update';
export const ORCID_JSON = 'application/vnd.orcid+json';

export type WorkOutcome =
  | { outcome: 'done'; putCode: string; location: string }
  | { outcome: 'already'; putCode?: string | undefined; source?: string | undefined }
  | {
      outcome: 'needs-member';
      /** `client`: a public client's token (or one for another record); `scope`: no /activities/update. */
      reason: 'client' | 'scope';
      message: string;
      hint: string;
    };

export interface DatasetWork {
  /** The researcher's iD (checked by the caller). */
  orcid: string;
  title: string;
  /** The record's DOI, bare or in any usual form. */
  doi: string;
  /** The publication year, `YYYY`. */
  year?: string | undefined;
}

/** The Member API base for the Public API base rdp logs in with. Other bases (an emulator) stay. */
export function memberApiBase(api: string): string {
  const u = new URL(api);
  if (u.hostname === 'pub.orcid.org') u.hostname = 'api.orcid.org';
  else if (u.hostname === 'pub.sandbox.orcid.org') u.hostname = 'api.sandbox.orcid.org';
  return u.toString().replace(/\/+$/, '');
}

/** A DOI bare and lower-cased, as ORCID compares them (the `10.x/...` part). */
export function normaliseDoi(value: string): string | undefined {
  return /(10(\.[0-9a-zA-Z]+)+\/(?:(?!["&'])\S)+)/.exec(value.trim().toLowerCase())?.[1];
}

/** The work ORCID is sent (section 0.3). */
export function datasetWork(w: DatasetWork): Record<string, unknown> {
  const doi = normaliseDoi(w.doi) ?? w.doi;
  const url = `https://doi.org/${doi}`;
  const work: Record<string, unknown> = {
    title: { title: { value: w.title } },
    type: 'data-set',
    'external-ids': {
      'external-id': [{ 'external-id-type': 'doi', 'external-id-value': doi, 'external-id-url': { value: url }, 'external-id-relationship': 'self' }],
    },
    url: { value: url },
  };
  if (w.year && /^\d{4}$/.test(w.year)) work['publication-date'] = { year: { value: w.year } };
  return work;
}

/** Works on the record with this DOI as their own (`self`) id: put-code and source name of the first. */
function findWork(worksDoc: unknown, doi: string): { putCode?: string | undefined; source?: string | undefined } | undefined {
  if (!isObj(worksDoc) || !Array.isArray(worksDoc.group)) return undefined;
  for (const g of worksDoc.group as unknown[]) {
    if (!isObj(g) || !Array.isArray(g['work-summary'])) continue;
    for (const s of g['work-summary'] as unknown[]) {
      if (!isObj(s)) continue;
      const ids = isObj(s['external-ids']) && Array.isArray(s['external-ids']['external-id']) ? (s['external-ids']['external-id'] as unknown[]) : [];
      const hit = ids.some(
        (e) =>
          isObj(e) &&
          e['external-id-type'] === 'doi' &&
          (e['external-id-relationship'] === undefined || e['external-id-relationship'] === null || String(e['external-id-relationship']).toLowerCase() === 'self') &&
          typeof e['external-id-value'] === 'string' &&
          normaliseDoi(e['external-id-value']) === doi,
      );
      if (hit) {
        const src = isObj(s.source) && isObj(s.source['source-name']) ? s.source['source-name'].value : undefined;
        return { putCode: s['put-code'] !== undefined ? String(s['put-code']) : undefined, source: typeof src === 'string' ? src : undefined };
      }
    }
  }
  return undefined;
}

function needsMember(reason: 'client' | 'scope'): WorkOutcome {
  return {
    outcome: 'needs-member',
    reason,
    message:
      reason === 'client'
        ? 'ORCID did not let rdp add the work: adding works needs a Member API client, and this ORCID login is from a public client.'
        : `ORCID did not let rdp add the work: this ORCID login lacks the ${ACTIVITIES_UPDATE} scope.`,
    hint:
      `Log in with your institution's ORCID member client and ${ACTIVITIES_UPDATE} (\`rdp login orcid --scope ${ACTIVITIES_UPDATE}\`; member clients need an https:// redirect URI, ` +
      'so use `--redirect-uri https://…` and paste the address the browser lands on). Without one: DataCite adds the work by itself when the ' +
      "record's creators carry your ORCID iD (rdp puts it there) and you have granted DataCite's auto-update in your ORCID account.",
  };
}

/**
 * Add the record to `work.orcid`'s works as a `data-set` with its DOI. `done` with the new put-code,
 * `already` when the record has a work with this DOI, `needs-member` without a member login. Throws
 * an RdpError for anything else (an invalid token goes through the client's own error mapping).
 */
export async function addDatasetWork(http: HttpClient, work: DatasetWork): Promise<WorkOutcome> {
  const doi = normaliseDoi(work.doi);
  if (!doi) throw new FailureError('BAD_DOI', `"${work.doi}" is not a DOI, so rdp cannot add it to ORCID.`);
  const base = `${memberApiBase(http.base)}/v3.0/${encodeURIComponent(work.orcid)}`;
  const headers = { accept: ORCID_JSON };

  // Look first. A token that may not read the works (or a failing read) leaves it to the POST.
  const look = await http.raw({ method: 'GET', path: `${base}/works`, headers, retry: 'auto' });
  const lookText = await http.text(look).catch(() => '');
  if (look.status === 200) {
    const found = findWork(parseJson(lookText), doi);
    if (found) return { outcome: 'already', ...found };
  }

  // ORCID refuses a second work with this DOI from this client (409), so a repeated POST is safe.
  const req = { method: 'POST', path: `${base}/work`, headers: { ...headers, 'content-type': ORCID_JSON }, json: datasetWork({ ...work, doi }), scopes: [ACTIVITIES_UPDATE], retry: 'always' } as const;
  const res = await http.raw(req);
  const text = await http.text(res).catch(() => '');
  const body = parseJson(text);
  const code = isObj(body) ? Number(body['error-code']) : Number.NaN;
  if (res.status === 201) {
    const location = header(res.headers, 'location') ?? '';
    const putCode = /\/work\/(\d+)\/?$/.exec(location)?.[1];
    if (!putCode) throw http.badResponse(201, `201 without a Location naming the work (${location || 'none'})`, res.headers);
    return { outcome: 'done', putCode, location };
  }
  if (res.status === 409 && (code === 9021 || Number.isNaN(code))) {
    const message = isObj(body) && typeof body['developer-message'] === 'string' ? body['developer-message'] : '';
    return { outcome: 'already', putCode: /put-code (\d+)/.exec(message)?.[1] };
  }
  if (res.status === 403) return needsMember('scope');
  if (res.status === 401 && code === 9017) return needsMember('client');
  throw http.errorFor(res.status, text, res.headers, req);
}

/** Where works are written: the Member API host for the Public API base a login reads from. */
export const worksApi = memberApiBase;

/**
 * `--orcid-work` as a link (the `works` capability): the published record as a `data-set` work of the
 * logged-in researcher. `refused` (the step is skipped, the command exits 0) without a member login.
 */
export async function addWork(http: HttpClient, user: AccountUser, record: PublishedRecord): Promise<LinkOutcome> {
  const raw = user.orcid;
  if (!raw) {
    throw new AuthRequiredError('Your ORCID login does not say which iD it belongs to, so rdp cannot add the work.', {
      hint: 'Set RDP_ORCID_ID beside RDP_ORCID_TOKEN, or run `rdp login orcid` again.',
    });
  }
  const id = parseOrcid(raw);
  if (!id.ok) throw new InputError('INVALID_ORCID', `The stored ORCID iD "${raw}" is not valid: ${id.reason}.`, { hint: 'Run `rdp login orcid` again.' });
  const r = await addDatasetWork(http, { orcid: id.id, title: record.title, doi: record.doi, year: /^\d{4}/.exec(record.date)?.[0] });
  if (r.outcome === 'needs-member') return { outcome: 'refused', code: r.reason === 'client' ? 'NEEDS_ORCID_MEMBER' : 'NEEDS_ORCID_SCOPE', message: r.message, hint: r.hint };
  const detail: Record<string, string> = { orcid: id.id };
  if (r.putCode) detail.putCode = r.putCode;
  return { outcome: r.outcome, detail };
}
