// The RDM metadata schema as invenio-rdm-records' service schema checks it (services/schemas/metadata.py,
// access.py, marshmallow-utils' IdentifierSchema), the emulator's own rendering:
//   - a draft is saved with what is valid, and the problems come back in the answer's `errors` list
//     (`{"field": "metadata.creators.0.person_or_org.family_name", "messages": [...]}`); publishing
//     runs the same checks strictly and answers 400 "A validation error occurred." with that list;
//   - keys inside `metadata` that the schema does not know are errors ("Unknown field."); keys at the
//     top level that it does not know are dropped;
//   - vocabulary ids (resource type, licence, relation type, ...) are looked up when the draft is saved:
//     an unknown one is a 400 "Invalid value <id>." for the whole request, and nothing is saved.
import { isObj } from '../../guards.js';
import { CONTRIBUTOR_ROLES, DESCRIPTION_TYPES, IDENTIFIER_SCHEMES, LICENSES, PERSON_SCHEMES, RELATION_TYPES, RESOURCE_TYPES } from './vocab.js';

export interface FieldError {
  field: string;
  messages: string[];
}

type Md = Record<string, unknown>;

const MISSING = 'Missing data for required field.';
const NOT_STRING = 'Not a valid string.';
const NOT_LIST = 'Not a valid list.';
const INVALID_TYPE = 'Invalid input type.';
const UNKNOWN = 'Unknown field.';

const DATE_TYPES = new Set(['accepted', 'available', 'collected', 'copyrighted', 'created', 'issued', 'other', 'submitted', 'updated', 'valid', 'withdrawn']);

class Collector {
  readonly errors: FieldError[] = [];
  add(field: string, message: string): void {
    const e = this.errors.find((x) => x.field === field);
    if (e) e.messages.push(message);
    else this.errors.push({ field, messages: [message] });
  }
}

// ---------------------------------------------------------------------------------------------------
// Identifiers (the emulator's own reading of idutils: detection and validation of the schemes used)

function orcidChecksumOk(digits: string): boolean {
  let total = 0;
  for (const ch of digits.slice(0, 15)) total = (total + Number(ch)) * 2;
  const r = (12 - (total % 11)) % 11;
  return (r === 10 ? 'X' : String(r)) === digits[15]?.toUpperCase();
}

/** An ORCID iD (bare, or as an orcid.org URL) with a valid check character, normalised; else undefined. */
export function normalizeOrcidId(v: string): string | undefined {
  const m = /^(?:https?:\/\/(?:www\.)?(?:sandbox\.)?orcid\.org\/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])$/.exec(v.trim());
  if (!m) return undefined;
  const digits = `${m[1]}${m[2]}${m[3]}${m[4]}`;
  return orcidChecksumOk(digits) ? `${m[1]}-${m[2]}-${m[3]}-${(m[4] as string).toUpperCase()}` : undefined;
}

const DOI_RE = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i;

function validFor(scheme: string, id: string): boolean {
  switch (scheme) {
    case 'orcid':
    case 'isni':
      return normalizeOrcidId(id) !== undefined;
    case 'doi':
      return DOI_RE.test(id);
    case 'url':
      return /^https?:\/\/[^\s/?#]+\.[^\s]*$/i.test(id) || /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/\S*)?$/i.test(id);
    case 'ror':
      return /^(?:https?:\/\/ror\.org\/)?0[a-z0-9]{6}\d{2}$/i.test(id);
    case 'gnd':
      return /^(?:gnd:|https?:\/\/d-nb\.info\/gnd\/)?[0-9X-]{6,12}$/i.test(id);
    case 'arxiv':
      return /^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/i.test(id);
    case 'urn':
      return /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i.test(id);
    case 'handle':
      return /^(?:hdl:|https?:\/\/hdl\.handle\.net\/)?[^\s/]+\/\S+$/i.test(id) && !DOI_RE.test(id);
    case 'pmid':
      return /^(?:pmid:)?\d{1,9}$/i.test(id);
    case 'isbn':
      return /^(?:97[89][- ]?)?\d{1,5}[- ]?\d+[- ]?\d+[- ]?[\dX]$/i.test(id) && id.replace(/[^\dX]/gi, '').length >= 10;
    case 'issn':
    case 'eissn':
    case 'lissn':
      return /^\d{4}-?\d{3}[\dX]$/i.test(id);
    default:
      return true; // schemes the emulator does not check (always_valid on the server, or not used)
  }
}

/** The schemes idutils would detect for a scheme-less identifier, in its order. */
function detect(id: string): string[] {
  const out: string[] = [];
  if (DOI_RE.test(id)) out.push('doi');
  if (normalizeOrcidId(id)) out.push('orcid', 'isni');
  if (/^https?:\/\//i.test(id)) out.push('url');
  for (const s of ['arxiv', 'urn', 'handle', 'isbn', 'issn', 'pmid']) if (!out.includes(s) && validFor(s, id)) out.push(s);
  return out;
}

function normalizePid(scheme: string, id: string): string {
  if (scheme === 'doi') return DOI_RE.exec(id)?.[1] ?? id;
  if (scheme === 'orcid') return normalizeOrcidId(id) ?? id;
  return id;
}

/** One `{scheme, identifier}` (scheme detected when absent), checked against the allowed schemes. */
function loadIdentifier(v: unknown, at: string, allowed: Map<string, string>, c: Collector, required = true): Md | undefined {
  if (!isObj(v)) {
    c.add(at, INVALID_TYPE);
    return undefined;
  }
  const identifier = typeof v.identifier === 'string' ? v.identifier.trim() : undefined;
  let scheme = typeof v.scheme === 'string' && v.scheme.trim() ? v.scheme.trim().toLowerCase() : undefined;
  if (!scheme && identifier) scheme = detect(identifier).find((s) => allowed.has(s));
  let bad = false;
  if (!scheme) {
    c.add(`${at}.scheme`, MISSING);
    bad = true;
  } else if (!allowed.has(scheme)) {
    c.add(`${at}.scheme`, 'Invalid scheme.');
    bad = true;
  }
  if (required && !identifier) {
    c.add(`${at}.identifier`, MISSING);
    bad = true;
  }
  if (identifier && scheme && allowed.has(scheme) && !validFor(scheme, identifier)) {
    c.add(`${at}.identifier`, `Invalid ${allowed.get(scheme)} identifier.`);
    bad = true;
  }
  if (bad) return undefined;
  const out: Md = { ...v, scheme: scheme as string };
  if (identifier) out.identifier = normalizePid(scheme as string, identifier);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Field readers

/** EDTF level 0 as the RDM schema takes it: a date (YYYY, YYYY-MM, YYYY-MM-DD) or an interval a/b. */
export function isEdtfDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const one = (s: string) => {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), m[2] ? Number(m[2]) : 1, m[3] ? Number(m[3]) : 1];
    if (mo < 1 || mo > 12) return false;
    const dt = new Date(Date.UTC(y, mo - 1, d));
    return dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  };
  const parts = v.split('/');
  return parts.length === 1 ? one(v) : parts.length === 2 && one(parts[0] as string) && one(parts[1] as string) && (parts[0] as string) <= (parts[1] as string);
}

function str(v: unknown, at: string, c: Collector, minLen = 0): string | undefined {
  if (typeof v !== 'string') {
    c.add(at, NOT_STRING);
    return undefined;
  }
  const t = v.trim();
  if (t.length < minLen) {
    c.add(at, `Shorter than minimum length ${minLen}.`);
    return undefined;
  }
  return t;
}

/** `{id}` of a vocabulary (dump-only keys such as `title` are dropped, as the schema's clean step does). */
function vocabRef(v: unknown, at: string, c: Collector): Md | undefined {
  if (!isObj(v)) {
    c.add(at, INVALID_TYPE);
    return undefined;
  }
  if (typeof v.id !== 'string' || !v.id.trim()) {
    c.add(`${at}.id`, MISSING);
    return undefined;
  }
  return { id: v.id.trim() };
}

function list(v: unknown, at: string, c: Collector): unknown[] | undefined {
  if (!Array.isArray(v)) {
    c.add(at, NOT_LIST);
    return undefined;
  }
  return v;
}

function personOrOrg(v: unknown, at: string, c: Collector): Md | undefined {
  if (!isObj(v)) {
    c.add(at, INVALID_TYPE);
    return undefined;
  }
  const type = v.type;
  if (type !== 'personal' && type !== 'organizational') {
    c.add(`${at}.type`, "Invalid value. Choose one of ['organizational', 'personal'].");
    return undefined;
  }
  const out: Md = { type };
  let ok = true;
  for (const k of ['name', 'given_name', 'family_name']) {
    if (v[k] !== undefined && v[k] !== null) {
      const s = str(v[k], `${at}.${k}`, c);
      if (s === undefined) ok = false;
      else out[k] = s;
    }
  }
  if (v.identifiers !== undefined) {
    const ids = list(v.identifiers, `${at}.identifiers`, c);
    if (ids) {
      const loaded = ids.map((x, i) => loadIdentifier(x, `${at}.identifiers.${i}`, PERSON_SCHEMES, c));
      if (loaded.some((x) => !x)) ok = false;
      else {
        const schemes = loaded.map((x) => String((x as Md).scheme));
        if (new Set(schemes).size !== schemes.length) {
          c.add(`${at}.identifiers`, `Only one identifier per scheme is allowed.`);
          ok = false;
        } else out.identifiers = loaded;
      }
    }
  }
  for (const k of Object.keys(v)) if (!['type', 'name', 'given_name', 'family_name', 'identifiers'].includes(k)) c.add(`${at}.${k}`, UNKNOWN);
  if (type === 'personal' && !out.family_name) {
    c.add(`${at}.family_name`, 'Family name cannot be blank.');
    ok = false;
  }
  if (type === 'organizational' && !out.name) {
    c.add(`${at}.name`, 'Name cannot be blank.');
    ok = false;
  }
  if (!ok) return undefined;
  if (type === 'personal') out.name = [out.family_name, out.given_name].filter(Boolean).join(', ');
  else {
    delete out.family_name;
    delete out.given_name;
  }
  return out;
}

function creator(v: unknown, at: string, c: Collector, roleRequired: boolean): Md | undefined {
  if (!isObj(v)) {
    c.add(at, INVALID_TYPE);
    return undefined;
  }
  let ok = true;
  const out: Md = {};
  if (v.person_or_org === undefined) {
    c.add(`${at}.person_or_org`, MISSING);
    ok = false;
  } else {
    const p = personOrOrg(v.person_or_org, `${at}.person_or_org`, c);
    if (p) out.person_or_org = p;
    else ok = false;
  }
  if (v.role !== undefined) {
    const r = vocabRef(v.role, `${at}.role`, c);
    if (r) out.role = r;
    else ok = false;
  } else if (roleRequired) {
    c.add(`${at}.role`, MISSING);
    ok = false;
  }
  if (v.affiliations !== undefined) {
    const affs = list(v.affiliations, `${at}.affiliations`, c);
    if (affs) {
      const loaded: Md[] = [];
      affs.forEach((a, i) => {
        if (!isObj(a) || (typeof a.name !== 'string' && typeof a.id !== 'string')) {
          c.add(`${at}.affiliations.${i}`, 'An existing id or a free text name must be present.');
          ok = false;
        } else loaded.push(typeof a.id === 'string' ? { id: a.id } : { name: String(a.name).trim() });
      });
      const names = loaded.map((a) => String(a.name ?? a.id));
      if (new Set(names).size !== names.length) {
        c.add(`${at}.affiliations`, `Duplicated affiliations: ${[...new Set(names)].join(', ')}`);
        ok = false;
      }
      out.affiliations = loaded;
    }
  }
  for (const k of Object.keys(v)) if (!['person_or_org', 'role', 'affiliations'].includes(k)) c.add(`${at}.${k}`, UNKNOWN);
  return ok ? out : undefined;
}

const META_KEYS = new Set([
  'resource_type',
  'creators',
  'title',
  'additional_titles',
  'publisher',
  'publication_date',
  'subjects',
  'contributors',
  'dates',
  'languages',
  'identifiers',
  'related_identifiers',
  'sizes',
  'formats',
  'version',
  'rights',
  'copyright',
  'description',
  'additional_descriptions',
  'locations',
  'funding',
  'references',
]);

/**
 * Load `metadata` as the service schema does: what is valid is kept, the problems are returned. Drafts
 * and publishing run the same checks (required fields included); a draft reports the problems, a
 * publish refuses them.
 */
export function loadMetadata(input: unknown): { metadata: Md; errors: FieldError[] } {
  const c = new Collector();
  const out: Md = {};
  if (input === undefined || input === null) input = {};
  if (!isObj(input)) {
    c.add('metadata', INVALID_TYPE);
    return { metadata: out, errors: c.errors };
  }
  const md = input;
  const at = (k: string) => `metadata.${k}`;
  for (const k of Object.keys(md)) if (!META_KEYS.has(k)) c.add(at(k), UNKNOWN);

  if (md.resource_type === undefined) c.add(at('resource_type'), MISSING);
  else {
    const r = vocabRef(md.resource_type, at('resource_type'), c);
    if (r) out.resource_type = r;
  }
  if (md.title === undefined) c.add(at('title'), MISSING);
  else {
    const t = str(md.title, at('title'), c, 3);
    if (t !== undefined) out.title = t;
  }
  if (md.publication_date === undefined) c.add(at('publication_date'), MISSING);
  else if (!isEdtfDate(md.publication_date)) c.add(at('publication_date'), 'Please provide a valid date or interval.');
  else out.publication_date = md.publication_date;

  if (md.creators === undefined) c.add(at('creators'), MISSING);
  else {
    const cs = list(md.creators, at('creators'), c);
    if (cs) {
      if (cs.length === 0) c.add(at('creators'), MISSING);
      const loaded = cs.map((x, i) => creator(x, `${at('creators')}.${i}`, c, false)).filter((x): x is Md => x !== undefined);
      if (loaded.length) out.creators = loaded;
    }
  }
  if (md.contributors !== undefined) {
    const cs = list(md.contributors, at('contributors'), c);
    if (cs) out.contributors = cs.map((x, i) => creator(x, `${at('contributors')}.${i}`, c, true)).filter((x): x is Md => x !== undefined);
  }
  for (const k of ['publisher', 'version'] as const) {
    if (md[k] === undefined) continue;
    const s = str(md[k], at(k), c);
    if (s !== undefined) {
      if (k === 'version' && s.length > 191) c.add(at(k), 'Longer than maximum length 191.');
      else out[k] = s;
    }
  }
  for (const k of ['description', 'copyright'] as const) {
    if (md[k] === undefined) continue;
    const s = str(md[k], at(k), c, k === 'description' ? 3 : 1);
    if (s !== undefined) out[k] = s;
  }
  if (md.additional_descriptions !== undefined) {
    const ds = list(md.additional_descriptions, at('additional_descriptions'), c);
    if (ds) {
      out.additional_descriptions = ds
        .map((d, i): Md | undefined => {
          const p = `${at('additional_descriptions')}.${i}`;
          if (!isObj(d)) return void c.add(p, INVALID_TYPE);
          const text = d.description === undefined ? void c.add(`${p}.description`, MISSING) : str(d.description, `${p}.description`, c, 3);
          const type = d.type === undefined ? void c.add(`${p}.type`, MISSING) : vocabRef(d.type, `${p}.type`, c);
          return text !== undefined && type ? { description: text, type } : undefined;
        })
        .filter((x): x is Md => x !== undefined);
    }
  }
  if (md.rights !== undefined) {
    const rs = list(md.rights, at('rights'), c);
    if (rs) {
      out.rights = rs
        .map((r, i): Md | undefined => {
          const p = `${at('rights')}.${i}`;
          if (!isObj(r)) return void c.add(p, INVALID_TYPE);
          const id = typeof r.id === 'string' && r.id.trim() ? r.id.trim() : undefined;
          const given = Object.keys(r).filter((k) => ['title', 'description', 'link', 'props', 'id'].includes(k));
          // RightsSchema (unknown keys refused; icon is dump-only, so refused on load too): a licence of the
          // vocabulary sent back as answered (title, description, icon, props filled in) is an error the
          // save notes; what loaded is kept, and committing cleans the relation down to its id.
          const unknown = Object.keys(r).filter((k) => !['title', 'description', 'link', 'props', 'id'].includes(k));
          for (const k of unknown) c.add(`${p}.${k}`, UNKNOWN);
          if (!id && !isObj(r.title)) return void c.add(`${p}.rights`, 'An existing id or a free text title must be present');
          if (id && given.length > 1 && unknown.length === 0) c.add(`${p}.rights`, 'Only an existing id or free text title/description/link is accepted, but not both cases at the same time');
          if (id) return { id };
          if (given.includes('id')) return void c.add(`${p}.rights`, 'Only an existing id or free text title/description/link is accepted, but not both cases at the same time');
          return { title: r.title, ...(isObj(r.description) ? { description: r.description } : {}), ...(typeof r.link === 'string' ? { link: r.link } : {}) };
        })
        .filter((x): x is Md => x !== undefined);
    }
  }
  if (md.subjects !== undefined) {
    const ss = list(md.subjects, at('subjects'), c);
    if (ss) {
      out.subjects = ss
        .map((s, i): Md | undefined => {
          const p = `${at('subjects')}.${i}`;
          if (isObj(s) && typeof s.id === 'string') return { id: s.id };
          if (isObj(s) && typeof s.subject === 'string' && s.subject.trim()) return { subject: s.subject.trim() };
          return void c.add(p, 'An existing id or a free text subject must be present.');
        })
        .filter((x): x is Md => x !== undefined);
    }
  }
  if (md.related_identifiers !== undefined) {
    const rs = list(md.related_identifiers, at('related_identifiers'), c);
    if (rs) {
      out.related_identifiers = rs
        .map((r, i): Md | undefined => {
          const p = `${at('related_identifiers')}.${i}`;
          if (!isObj(r)) return void c.add(p, INVALID_TYPE);
          const id = loadIdentifier({ identifier: r.identifier, scheme: r.scheme }, p, IDENTIFIER_SCHEMES, c);
          let ok = id !== undefined;
          const rel = r.relation_type === undefined ? (c.add(`${p}.relation_type`, MISSING), undefined) : vocabRef(r.relation_type, `${p}.relation_type`, c);
          if (!rel) ok = false;
          const rt = r.resource_type === undefined ? undefined : vocabRef(r.resource_type, `${p}.resource_type`, c);
          if (r.resource_type !== undefined && !rt) ok = false;
          for (const k of Object.keys(r)) if (!['identifier', 'scheme', 'relation_type', 'resource_type'].includes(k)) c.add(`${p}.${k}`, UNKNOWN);
          return ok ? { ...(id as Md), relation_type: rel, ...(rt ? { resource_type: rt } : {}) } : undefined;
        })
        .filter((x): x is Md => x !== undefined);
    }
  }
  if (md.identifiers !== undefined) {
    const is = list(md.identifiers, at('identifiers'), c);
    if (is) out.identifiers = is.map((x, i) => loadIdentifier(x, `${at('identifiers')}.${i}`, IDENTIFIER_SCHEMES, c)).filter((x): x is Md => x !== undefined);
  }
  if (md.languages !== undefined) {
    const ls = list(md.languages, at('languages'), c);
    if (ls) out.languages = ls.map((l, i) => vocabRef(l, `${at('languages')}.${i}`, c)).filter((x): x is Md => x !== undefined);
  }
  if (md.dates !== undefined) {
    const ds = list(md.dates, at('dates'), c);
    if (ds) {
      out.dates = ds
        .map((d, i): Md | undefined => {
          const p = `${at('dates')}.${i}`;
          if (!isObj(d)) return void c.add(p, INVALID_TYPE);
          const okDate = isEdtfDate(d.date) || (typeof d.date === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(d.date));
          if (!okDate) c.add(`${p}.date`, d.date === undefined ? MISSING : 'Please provide a valid date or interval.');
          const type = d.type === undefined ? void c.add(`${p}.type`, MISSING) : vocabRef(d.type, `${p}.type`, c);
          return okDate && type ? { date: d.date, type, ...(typeof d.description === 'string' ? { description: d.description } : {}) } : undefined;
        })
        .filter((x): x is Md => x !== undefined);
    }
  }
  for (const k of ['sizes', 'formats'] as const) {
    if (md[k] === undefined) continue;
    const xs = list(md[k], at(k), c);
    if (xs) out[k] = xs.filter((x, i) => (typeof x === 'string' && x.trim() ? true : (c.add(`${at(k)}.${i}`, `${k === 'sizes' ? 'Size' : 'Format'} cannot be a blank string.`), false)));
  }
  for (const k of ['additional_titles', 'locations', 'funding', 'references'] as const) {
    if (md[k] !== undefined) out[k] = structuredClone(md[k]); // kept as sent (rdp does not use them)
  }
  return { metadata: out, errors: c.errors };
}

/** The `access` object: record and files protection, public or restricted; an optional embargo. */
export function loadAccess(input: unknown, errors: FieldError[]): Md {
  const out: Md = { record: 'public', files: 'public', embargo: { active: false, reason: null } };
  if (input === undefined) return out;
  if (!isObj(input)) {
    errors.push({ field: 'access', messages: [INVALID_TYPE] });
    return out;
  }
  for (const k of ['record', 'files'] as const) {
    const v = input[k];
    if (v === undefined) errors.push({ field: `access.${k}`, messages: [MISSING] });
    else if (v !== 'public' && v !== 'restricted') errors.push({ field: `access.${k}`, messages: [`'${k}' must be either 'public' or 'restricted'`] });
    else out[k] = v;
  }
  if (isObj(input.embargo)) {
    const e = input.embargo;
    const until = typeof e.until === 'string' ? e.until : null;
    if (e.active === true && (!until || Date.parse(until) < Date.now())) errors.push({ field: 'access.embargo.until', messages: ['Embargo end date must be set to a future date.'] });
    else out.embargo = { active: e.active === true, until, reason: typeof e.reason === 'string' ? e.reason : null };
  }
  return out;
}

/**
 * The vocabulary ids of saved metadata, looked up as the relations are when the record is committed:
 * the first unknown one, or undefined when all are known.
 */
export function unknownVocabularyId(md: Md): string | undefined {
  const id = (v: unknown) => (isObj(v) && typeof v.id === 'string' ? v.id : undefined);
  const check = (v: unknown, known: { has(k: string): boolean }) => {
    const x = id(v);
    return x !== undefined && !known.has(x) ? x : undefined;
  };
  const none = { has: () => false }; // vocabularies the emulator does not load (affiliations, subjects, funders)
  const lang = { has: (k: string) => /^[a-z]{3}$/.test(k) };
  const arr = (v: unknown) => (Array.isArray(v) ? v : []);
  const bad =
    check(md.resource_type, RESOURCE_TYPES) ??
    arr(md.rights).map((r) => check(r, LICENSES)).find(Boolean) ??
    arr(md.related_identifiers).map((r) => (isObj(r) ? (check(r.relation_type, RELATION_TYPES) ?? check(r.resource_type, RESOURCE_TYPES)) : undefined)).find(Boolean) ??
    arr(md.additional_descriptions).map((d) => (isObj(d) ? check(d.type, DESCRIPTION_TYPES) : undefined)).find(Boolean) ??
    [...arr(md.creators), ...arr(md.contributors)]
      .map((c) => (isObj(c) ? (check(c.role, CONTRIBUTOR_ROLES) ?? arr(c.affiliations).map((a) => check(a, none)).find(Boolean)) : undefined))
      .find(Boolean) ??
    arr(md.languages).map((l) => check(l, lang)).find(Boolean) ??
    arr(md.dates).map((d) => (isObj(d) ? check(d.type, DATE_TYPES) : undefined)).find(Boolean) ??
    arr(md.subjects).map((s) => check(s, none)).find(Boolean);
  return bad;
}

/** The icon of a Creative Commons licence in the vocabulary (cc-by-4.0: cc-by-icon, cc0-1.0: cc-cc0-icon). */
function ccIcon(id: string): string | undefined {
  if (/^cc0-/.test(id)) return 'cc-cc0-icon';
  const m = /^(cc-[a-z-]+?)-\d/.exec(id);
  return m ? `${m[1]}-icon` : undefined;
}

/** Metadata as answered: vocabulary entries carry their titles (the relation is dereferenced). */
export function dereference(md: Md): Md {
  const out = structuredClone(md);
  const rt = out.resource_type;
  if (isObj(rt) && typeof rt.id === 'string') out.resource_type = { id: rt.id, title: { en: RESOURCE_TYPES.get(rt.id) ?? rt.id } };
  if (Array.isArray(out.rights)) {
    out.rights = out.rights.map((r) =>
      isObj(r) && typeof r.id === 'string'
        ? { id: r.id, title: { en: LICENSES.get(r.id) ?? r.id }, description: { en: '' }, ...(ccIcon(r.id) ? { icon: ccIcon(r.id) } : {}), props: { scheme: 'spdx', url: `https://spdx.org/licenses/${r.id}` } }
        : r,
    );
  }
  return out;
}
