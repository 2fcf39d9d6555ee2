// rdp's metadata (Zenodo's deposition metadata: what src/upload/zenodo/metadata.ts builds from
// .zenodo.json, CITATION.cff and the flags, already checked) as an InvenioRDM draft body (the RDM schema,
// providers.md 1.10). The mapping follows the one Zenodo itself applies to legacy metadata
// (zenodo-rdm site/zenodo_rdm/legacy/deserializers/metadata.py), with the vocabularies of a generic
// InvenioRDM (invenio-rdm-records' fixtures) where Zenodo's own differ:
//   title, description, version, publication_date           as they are
//   upload_type (+ publication_type / image_type)            resource_type.id: "dataset", "publication-article",
//                                                            "image-photo" (thesis: "publication-dissertation")
//   creators [{name "Family, Given", affiliation, orcid}]    creators [{person_or_org {type personal, family_name,
//                                                            given_name, identifiers [{scheme orcid}]}, affiliations [{name}]}]
//   contributors (+ type)                                    contributors with role.id (type in lower case; default other)
//   keywords                                                 subjects [{subject}]
//   license                                                  rights [{id}] (ids are exact: SPDX in lower case)
//   related_identifiers [{identifier, relation, resource_type}]  related_identifiers [{identifier, scheme, relation_type.id,
//                                                            resource_type.id}]; relation isAlternateIdentifier: identifiers
//   notes / method                                           additional_descriptions (type other / methods)
//   language (3 letters)                                     languages [{id}]
//   imprint_publisher                                        publisher
//   access_right open / embargoed / restricted / closed      access {record, files, embargo}
//   doi (one the user holds elsewhere)                       pids.doi {identifier, provider external}
// What has no place in a generic InvenioRDM (communities, grants, journal_*, conference_*, thesis_*, ...)
// is listed in `unmapped` for the caller to say so.
import { isObj } from '../../util/guards.js';

type Md = Record<string, unknown>;

export interface RdmAccess {
  record: 'public' | 'restricted';
  files: 'public' | 'restricted';
  embargo?: { active: boolean; until: string | null; reason: string | null } | undefined;
}

export interface RdmDraftBody {
  metadata: Md;
  access: RdmAccess;
  files: { enabled: boolean };
  pids?: Md | undefined;
}

export interface MappedMetadata {
  body: RdmDraftBody;
  /** Zenodo fields that have no place in the RDM schema of a generic site (not sent). */
  unmapped: string[];
}

/** Zenodo's fields this mapping reads; the rest is `unmapped`. */
const READ = new Set([
  'title',
  'description',
  'version',
  'publication_date',
  'upload_type',
  'publication_type',
  'image_type',
  'creators',
  'contributors',
  'keywords',
  'license',
  'related_identifiers',
  'notes',
  'method',
  'language',
  'imprint_publisher',
  'access_right',
  'embargo_date',
  'access_conditions',
  'doi',
  'prereserve_doi',
]);

/** Zenodo's publication types whose id differs in a generic InvenioRDM's vocabulary. */
const PUBLICATION_SUBTYPE: Record<string, string> = { thesis: 'dissertation' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** resource_type.id from Zenodo's upload_type and its subtype. */
export function resourceTypeId(md: Md): string | undefined {
  const t = str(md.upload_type);
  if (!t) return undefined;
  const sub = str(md[`${t}_type`]);
  if (!sub) return t;
  return `${t}-${t === 'publication' ? (PUBLICATION_SUBTYPE[sub] ?? sub) : sub}`;
}

/** A bare ORCID iD from one given as an iD or an orcid.org URL. */
function bareOrcid(v: unknown): string | undefined {
  const s = str(v);
  const m = s ? /(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx])\/?$/.exec(s) : null;
  if (!m) return undefined;
  const d = (m[1] as string).replace(/-/g, '').toUpperCase();
  return `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}-${d.slice(12)}`;
}

/** A Zenodo creator (`name` "Family, Given") as an RDM creator. */
export function rdmCreator(c: Md, role?: string): Md {
  const name = str(c.name) ?? '';
  const person: Md = { type: 'personal' };
  // As Zenodo does: exactly one comma splits family and given names; otherwise the whole is the family name.
  const commas = name.split(',').length - 1;
  if (commas === 1) {
    const [family, given] = name.split(',').map((s) => s.trim());
    person.family_name = family;
    if (given) person.given_name = given;
  } else {
    person.family_name = name;
  }
  const ids: Md[] = [];
  const orcid = bareOrcid(c.orcid);
  if (orcid) ids.push({ scheme: 'orcid', identifier: orcid });
  const gnd = str(c.gnd);
  if (gnd) ids.push({ scheme: 'gnd', identifier: gnd.replace(/^gnd:/i, '') });
  if (ids.length) person.identifiers = ids;
  const out: Md = { person_or_org: person };
  const aff = str(c.affiliation);
  if (aff) out.affiliations = [{ name: aff }];
  if (role !== undefined) out.role = { id: role };
  return out;
}

const DOI_RE = /^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)?(10\.\d{4,9}\/\S+)$/i;

/** An identifier with its scheme where it is plain (a DOI, a URL, arXiv, a URN); else the site detects it. */
export function rdmIdentifier(identifier: string): Md {
  const id = identifier.trim();
  const doi = DOI_RE.exec(id);
  if (doi) return { identifier: doi[1], scheme: 'doi' };
  if (/^arxiv:/i.test(id)) return { identifier: id, scheme: 'arxiv' };
  if (/^https?:\/\//i.test(id)) return { identifier: id, scheme: 'url' };
  if (/^urn:/i.test(id)) return { identifier: id, scheme: 'urn' };
  return { identifier: id };
}

function resourceTypeOfRelated(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const [t, sub] = s.split('-', 2);
  if (t === 'publication' && sub && PUBLICATION_SUBTYPE[sub]) return `publication-${PUBLICATION_SUBTYPE[sub]}`;
  return s;
}

/** The access of a Zenodo access_right. */
export function rdmAccess(md: Md): RdmAccess {
  const right = str(md.access_right) ?? 'open';
  if (right === 'embargoed') {
    return { record: 'public', files: 'restricted', embargo: { active: true, until: str(md.embargo_date) ?? null, reason: str(md.access_conditions) ?? null } };
  }
  if (right === 'restricted' || right === 'closed') return { record: 'public', files: 'restricted' };
  return { record: 'public', files: 'public' };
}

/** Map checked Zenodo-style metadata to an InvenioRDM draft body. */
export function zenodoToRdm(md: Md): MappedMetadata {
  const out: Md = {};
  const unmapped = Object.keys(md).filter((k) => !READ.has(k) && md[k] !== undefined && md[k] !== null);
  for (const k of ['title', 'description', 'version', 'publication_date'] as const) {
    const v = str(md[k]);
    if (v !== undefined) out[k] = v;
  }
  const rt = resourceTypeId(md);
  if (rt) out.resource_type = { id: rt };
  if (Array.isArray(md.creators)) out.creators = md.creators.filter(isObj).map((c) => rdmCreator(c));
  if (Array.isArray(md.contributors)) {
    out.contributors = md.contributors.filter(isObj).map((c) => rdmCreator(c, (str(c.type) ?? 'other').toLowerCase()));
  }
  if (Array.isArray(md.keywords)) {
    const subjects = md.keywords.map(str).filter((k): k is string => k !== undefined);
    if (subjects.length) out.subjects = subjects.map((subject) => ({ subject }));
  }
  const license = isObj(md.license) ? str(md.license.id) : str(md.license);
  if (license) out.rights = [{ id: license.toLowerCase() }];
  if (Array.isArray(md.related_identifiers)) {
    const related: Md[] = [];
    const alternate: Md[] = [];
    for (const r of md.related_identifiers.filter(isObj)) {
      const identifier = str(r.identifier);
      const relation = str(r.relation);
      if (!identifier || !relation) continue;
      if (relation === 'isAlternateIdentifier') {
        alternate.push(rdmIdentifier(identifier));
        continue;
      }
      const item: Md = { ...rdmIdentifier(identifier), relation_type: { id: relation.toLowerCase() } };
      const type = resourceTypeOfRelated(r.resource_type);
      if (type) item.resource_type = { id: type };
      related.push(item);
    }
    if (related.length) out.related_identifiers = related;
    if (alternate.length) out.identifiers = alternate;
  }
  const descriptions: Md[] = [];
  const notes = str(md.notes);
  if (notes) descriptions.push({ description: notes, type: { id: 'other' } });
  const method = str(md.method);
  if (method) descriptions.push({ description: method, type: { id: 'methods' } });
  if (descriptions.length) out.additional_descriptions = descriptions;
  const lang = str(md.language);
  if (lang) {
    if (/^[a-z]{3}$/i.test(lang)) out.languages = [{ id: lang.toLowerCase() }];
    else unmapped.push('language');
  }
  const publisher = str(md.imprint_publisher);
  if (publisher) out.publisher = publisher;
  const body: RdmDraftBody = { metadata: out, access: rdmAccess(md), files: { enabled: true } };
  const doi = str(md.doi);
  if (doi) body.pids = { doi: { identifier: DOI_RE.exec(doi)?.[1] ?? doi, provider: 'external' } };
  return { body, unmapped };
}

/**
 * A draft body as the site takes it back. The site answers a licence of its vocabulary with the title,
 * description, icon and props filled in, but its RightsSchema loads a licence as an id alone or as free
 * text, never both (and the icon not at all): sent back as answered, the save notes an error. Like the
 * site's own upload form, rdp sends such a licence as {id}, and a funder or award of the vocabulary too.
 * (invenio-rdm-records services/schemas/metadata.py RightsSchema; the other vocabulary fields drop their
 * titles on load.)
 */
export function forSave<T extends Record<string, unknown>>(body: T): T {
  const md = body.metadata;
  if (!isObj(md)) return body;
  const byId = (r: unknown) => (isObj(r) && typeof r.id === 'string' && r.id.trim() ? { id: r.id } : r);
  const out: Record<string, unknown> = { ...md };
  if (Array.isArray(md.rights)) out.rights = md.rights.map(byId);
  // Funding: a funder of the vocabulary comes back with its identifiers and an award with its subjects,
  // which FunderRelationSchema and AwardRelationSchema (invenio-vocabularies) do not load: sent by id.
  if (Array.isArray(md.funding)) out.funding = md.funding.map((f: unknown) => (isObj(f) ? { ...f, ...(f.funder !== undefined ? { funder: byId(f.funder) } : {}), ...(f.award !== undefined ? { award: byId(f.award) } : {}) } : f));
  return { ...body, metadata: out };
}

/**
 * What an RDM draft lacks before it can be published (title of 3 characters or more, creators, type, date;
 * a publisher when the draft holds a DOI of the site's DataCite account, which the site checks at publish:
 * invenio-rdm-records services/pids/providers/datacite.py).
 */
export function missingForRdmPublish(md: Md, pids?: Md): string[] {
  const missing: string[] = [];
  if (!isObj(md.resource_type) || !str(md.resource_type.id)) missing.push('resource_type');
  const title = str(md.title);
  if (!title || title.length < 3) missing.push('title');
  if (!Array.isArray(md.creators) || md.creators.length === 0) missing.push('creators');
  if (!str(md.publication_date)) missing.push('publication_date');
  if (isObj(pids) && isObj(pids.doi) && pids.doi.provider === 'datacite' && !str(md.publisher)) missing.push('publisher');
  return missing;
}

/**
 * A canonical form of the RDM metadata rdp sets, to tell whether saving would change anything: the site
 * answers with vocabulary titles filled in and `name` added to persons, which are left out here.
 */
export function rdmFingerprint(md: Md): string {
  const ref = (v: unknown) => (isObj(v) ? str(v.id) : undefined);
  const arr = (v: unknown) => (Array.isArray(v) ? v.filter(isObj) : []);
  const person = (c: Md) => {
    const p = isObj(c.person_or_org) ? c.person_or_org : {};
    return {
      type: str(p.type),
      family: str(p.family_name),
      given: str(p.given_name),
      name: p.type === 'organizational' ? str(p.name) : undefined,
      ids: arr(p.identifiers).map((i) => `${str(i.scheme)}:${str(i.identifier)}`),
      aff: arr(c.affiliations).map((a) => str(a.name) ?? ref(a)),
      role: ref(c.role),
    };
  };
  const canon = {
    title: str(md.title),
    description: str(md.description),
    version: str(md.version),
    publication_date: str(md.publication_date),
    publisher: str(md.publisher),
    resource_type: ref(md.resource_type),
    creators: arr(md.creators).map(person),
    contributors: arr(md.contributors).map(person),
    subjects: arr(md.subjects).map((s) => str(s.subject) ?? ref(s)),
    rights: arr(md.rights).map((r) => ref(r) ?? JSON.stringify(r.title)),
    // (the scheme is left out: the site fills in one it detects when none was sent)
    related: arr(md.related_identifiers).map((r) => `${str(r.identifier)}:${ref(r.relation_type)}:${ref(r.resource_type) ?? ''}`),
    identifiers: arr(md.identifiers).map((r) => str(r.identifier)),
    descriptions: arr(md.additional_descriptions).map((d) => `${ref(d.type)}:${str(d.description)}`),
    languages: arr(md.languages).map(ref),
  };
  return JSON.stringify(canon);
}
