// What the Zenodo emulator accepts in deposition metadata, written from providers.md 1.5 and section
// 0.1 (the legacy deserializer of zenodo-rdm). The emulator's own tables: rdp's client keeps its own,
// so that a mistake in one is caught by the other (see ../../ids.ts).

// upload_type and `<upload_type>_type` become the resource type "<type>-<subtype>" (or "<type>"),
// checked against the resource-type vocabulary (invenio-rdm-records' fixture, which zenodo-rdm loads;
// "publication-thesis" is rewritten to "publication-dissertation" by zenodo-rdm).
export const EMU_UPLOAD_TYPES: readonly string[] = [
  'publication', 'poster', 'presentation', 'event', 'dataset', 'image', 'model', 'video', 'audio', 'software', 'lesson',
  'physicalobject', 'workflow', 'other', 'project', 'instrument',
];
export const EMU_PUBLICATION_TYPES: readonly string[] = [
  'annotationcollection', 'book', 'section', 'conferencepaper', 'conferenceproceeding', 'datamanagementplan', 'journal',
  'article', 'patent', 'peerreview', 'preprint', 'deliverable', 'milestone', 'proposal', 'report', 'softwaredocumentation',
  'taxonomictreatment', 'technicalnote', 'workingpaper', 'datapaper', 'dissertation', 'thesis', 'standard',
  'studyregistration', 'other',
];
export const EMU_IMAGE_TYPES: readonly string[] = ['figure', 'plot', 'drawing', 'diagram', 'photo', 'other'];
export const EMU_SOFTWARE_TYPES: readonly string[] = ['computationalnotebook'];

/** Every resource type id ("<type>" and "<type>-<subtype>"), for related_identifiers' resource_type. */
export const EMU_RESOURCE_TYPE_IDS: ReadonlySet<string> = new Set([
  ...EMU_UPLOAD_TYPES,
  ...EMU_PUBLICATION_TYPES.filter((t) => t !== 'thesis').map((t) => `publication-${t}`),
  ...EMU_IMAGE_TYPES.map((t) => `image-${t}`),
  ...EMU_SOFTWARE_TYPES.map((t) => `software-${t}`),
]);

/** InvenioRDM's contributor roles (ids); a contributor's `type` is lower-cased onto them. */
export const EMU_ROLES: ReadonlySet<string> = new Set([
  'contactperson', 'datacollector', 'datacurator', 'datamanager', 'distributor', 'editor', 'hostinginstitution', 'producer',
  'projectleader', 'projectmanager', 'projectmember', 'registrationagency', 'registrationauthority', 'relatedperson',
  'researcher', 'researchgroup', 'rightsholder', 'sponsor', 'supervisor', 'translator', 'workpackageleader', 'other',
]);

/** InvenioRDM's relation types (ids, lower case), which the legacy loader maps relations onto. */
export const EMU_RELATION_TYPES: ReadonlySet<string> = new Set([
  'iscitedby', 'cites', 'issupplementto', 'issupplementedby', 'iscontinuedby', 'continues', 'isdescribedby', 'describes',
  'hasmetadata', 'ismetadatafor', 'hasversion', 'isversionof', 'isnewversionof', 'ispreviousversionof', 'ispartof', 'haspart',
  'ispublishedin', 'isreferencedby', 'references', 'isdocumentedby', 'documents', 'iscompiledby', 'compiles',
  'isvariantformof', 'isoriginalformof', 'isidenticalto', 'isreviewedby', 'reviews', 'isderivedfrom', 'issourceof',
  'isrequiredby', 'requires', 'isobsoletedby', 'obsoletes', 'istranslationof', 'hastranslation', 'iscollectedby', 'collects',
  'other',
]);
export const EMU_ACCESS_RIGHTS: readonly string[] = ['open', 'embargoed', 'restricted', 'closed'];

/**
 * Keys the legacy deserializer reads inside `metadata`. Anything else is dropped without a word
 * (its schemas exclude unknown keys); only unknown keys at the top level of the body are a 400.
 */
export const EMU_METADATA_KEYS: ReadonlySet<string> = new Set([
  'upload_type', 'publication_type', 'image_type', 'software_type', 'publication_date', 'title', 'creators', 'description', 'access_right',
  'license', 'embargo_date', 'access_conditions', 'doi', 'prereserve_doi', 'keywords', 'notes', 'related_identifiers',
  'contributors', 'references', 'communities', 'grants', 'version', 'language', 'subjects', 'locations', 'dates', 'method',
  'custom', 'alternate_identifiers', 'journal_title', 'journal_volume', 'journal_issue', 'journal_pages', 'conference_title', 'conference_acronym',
  'conference_dates', 'conference_place', 'conference_url', 'conference_session', 'conference_session_part',
  'imprint_publisher', 'imprint_isbn', 'imprint_place', 'partof_title', 'partof_pages', 'thesis_supervisors',
  'thesis_university',
]);

/** Keys allowed at the top level of a create/update body (the rest: 400 "Unknown field."). */
export const EMU_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(['metadata', 'files']);

/** A calendar day written YYYY-MM-DD. */
export function isIsoDay(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * InvenioRDM's EDTFDateString (marshmallow-utils): an EDTF level 0 date — year, year-month or a full
 * day — or an interval of two whose end is not before its start.
 */
export function isEdtfLevel0(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const span = (d: string): [number, number] | undefined => {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(d);
    if (!m) return undefined;
    const y = Number(m[1]);
    if (m[3] !== undefined) {
      if (!isIsoDay(d)) return undefined;
      const t = Date.UTC(y, Number(m[2]) - 1, Number(m[3]));
      return [t, t];
    }
    if (m[2] !== undefined) {
      const mo = Number(m[2]);
      if (mo < 1 || mo > 12) return undefined;
      return [Date.UTC(y, mo - 1, 1), Date.UTC(y, mo, 0)];
    }
    return [Date.UTC(y, 0, 1), Date.UTC(y, 11, 31)];
  };
  const parts = v.split('/');
  if (parts.length > 2) return false;
  const a = span(parts[0] as string);
  const b = parts.length === 2 ? span(parts[1] as string) : a;
  return a !== undefined && b !== undefined && b[1] >= a[0];
}

/** DOIs Zenodo itself mints (10.5281 production, 10.5072 sandbox), which a client may not set. */
export function mintedByZenodo(doi: unknown): boolean {
  return typeof doi === 'string' && /^10\.(?:5281|5072)\/zenodo\.[0-9]+$/i.test(doi.trim());
}

/** An ORCID iD in the bare or URL form with a valid ISO 7064 MOD 11-2 check character (providers.md 4.6). */
export function orcidValid(v: string): boolean {
  const bare = v.trim().replace(/^https?:\/\/(?:www\.|sandbox\.)?orcid\.org\//i, '');
  if (!/^\d{4}-?\d{4}-?\d{4}-?\d{3}[0-9Xx]$/.test(bare)) return false;
  const chars = bare.replace(/-/g, '').toUpperCase();
  let acc = 0;
  for (const c of chars.slice(0, 15)) acc = ((acc + (c.charCodeAt(0) - 48)) * 2) % 11;
  const r = (12 - acc) % 11;
  return chars[15] === (r === 10 ? 'X' : String(r));
}
