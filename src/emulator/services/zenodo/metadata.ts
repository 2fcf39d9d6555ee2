// Deposition metadata checks as Zenodo makes them (providers.md 1.5 and 0.1), with errors in the
// current server's shape: {"field": "metadata.title", "messages": ["..."]}. Saving a draft drops
// unknown keys without a word, checks the shape of what is left, resolves the licence against Zenodo's
// own list and sets the default licence; publishing also checks that every required field is present.
import { isObj } from '../../guards.js';
import { resolveLicense } from './licenses.js';
import {
  EMU_ACCESS_RIGHTS as ACCESS_RIGHTS,
  EMU_METADATA_KEYS,
  EMU_RELATION_TYPES,
  EMU_ROLES,
  EMU_RESOURCE_TYPE_IDS,
  isEdtfLevel0,
  isIsoDay as isDate,
  orcidValid,
} from './vocab.js';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Shape errors of metadata being saved. */
export function checkShape(md: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field: `metadata.${field}`, messages: [message] });
  const str = (k: string) => {
    if (md[k] !== undefined && typeof md[k] !== 'string') err(k, 'Not a valid string.');
  };
  for (const k of ['title', 'description', 'version', 'notes', 'access_conditions', 'language', 'method']) str(k);
  const choice = (k: string, allowed: readonly string[]) => {
    if (md[k] !== undefined && !allowed.includes(String(md[k]))) err(k, `Invalid value. Must be one of: ${allowed.join(', ')}.`);
  };
  choice('access_right', ACCESS_RIGHTS);
  if (md.embargo_date !== undefined && !isDate(md.embargo_date)) err('embargo_date', 'Not a valid date.');
  for (const list of ['creators', 'contributors'] as const) {
    const v = md[list];
    if (v === undefined) continue;
    if (!Array.isArray(v)) {
      err(list, 'Not a valid list.');
      continue;
    }
    v.forEach((c, i) => {
      if (!isObj(c)) {
        err(`${list}.${i}`, 'Invalid input type.');
        return;
      }
      if (typeof c.name !== 'string' || !c.name.trim()) err(`${list}.${i}.name`, 'Name is required.');
      if (c.orcid !== undefined && (typeof c.orcid !== 'string' || !orcidValid(c.orcid))) err(`${list}.${i}.orcid`, 'Not a valid ORCID identifier.');
      if (c.affiliation !== undefined && c.affiliation !== null && typeof c.affiliation !== 'string') err(`${list}.${i}.affiliation`, 'Not a valid string.');
    });
  }
  if (typeof md.language === 'string' && md.language.length !== 2 && md.language.length !== 3) {
    err('language', 'Language must be either ISO-639-1 or 639-2 compatible.');
  }
  if (md.keywords !== undefined && (!Array.isArray(md.keywords) || md.keywords.some((k) => typeof k !== 'string'))) {
    err('keywords', 'Not a valid list of strings.');
  }
  if (md.related_identifiers !== undefined) {
    if (!Array.isArray(md.related_identifiers)) err('related_identifiers', 'Not a valid list.');
    else
      md.related_identifiers.forEach((r, i) => {
        if (!isObj(r) || typeof r.identifier !== 'string' || !r.identifier) err(`related_identifiers.${i}.identifier`, 'Missing data for required field.');
        if (!isObj(r) || typeof r.relation !== 'string' || !r.relation) err(`related_identifiers.${i}.relation`, 'Missing data for required field.');
      });
  }
  return errors;
}

/**
 * The first vocabulary id of the saved metadata that does not exist: InvenioRDM checks its relations
 * (relation types, resource types) when a draft is committed and answers 400 "Invalid value <id>."
 * (no field list). Relations are lower-cased first; "isAlternateIdentifier" (exact) is not a relation.
 */
export function unknownVocabularyId(md: Record<string, unknown>): string | undefined {
  // upload_type with the subtype named after it ("<type>_type") is the resource type id; zenodo-rdm
  // rewrites publication-thesis to publication-dissertation before the check.
  if (typeof md.upload_type === 'string' && md.upload_type) {
    const sub = md[`${md.upload_type}_type`];
    let id = typeof sub === 'string' && sub ? `${md.upload_type}-${sub}` : md.upload_type;
    if (id === 'publication-thesis') id = 'publication-dissertation';
    if (!EMU_RESOURCE_TYPE_IDS.has(id)) return id;
  }
  if (Array.isArray(md.contributors)) {
    for (const c of md.contributors) if (isObj(c) && typeof c.type === 'string' && c.type && !EMU_ROLES.has(c.type.toLowerCase())) return c.type.toLowerCase();
  }
  if (!Array.isArray(md.related_identifiers)) return undefined;
  for (const r of md.related_identifiers) {
    if (!isObj(r) || typeof r.relation !== 'string' || r.relation === 'isAlternateIdentifier') continue;
    const rel = r.relation === 'isOrignialFormOf' ? 'isoriginalformof' : r.relation.toLowerCase();
    if (!EMU_RELATION_TYPES.has(rel)) return rel;
    if (typeof r.resource_type === 'string' && r.resource_type && !EMU_RESOURCE_TYPE_IDS.has(r.resource_type)) return r.resource_type;
  }
  return undefined;
}

/**
 * Metadata as a save (create or update) keeps it: unknown keys dropped, the licence resolved to the
 * id the record gets (Zenodo's own list, case-insensitive, with aliases) and the default licence set
 * (cc0-1.0 for datasets, cc-by-4.0 otherwise) when open or embargoed metadata has none. Returns the
 * errors instead when the licence is not one Zenodo knows.
 */
export function normalizeOnSave(raw: Record<string, unknown>): { metadata: Record<string, unknown> } | { errors: FieldError[] } {
  const md: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (EMU_METADATA_KEYS.has(k)) md[k] = v;
  // communities: a list of {identifier} objects (an empty value is ignored), else refused on load.
  const cs = md.communities;
  if (cs && !(Array.isArray(cs) && cs.every((c) => isObj(c) && 'identifier' in c))) {
    return { errors: [{ field: 'communities', messages: ["Communities must be an array of objects with an 'identifier' key."] }] };
  }
  // The legacy deserializer turns access_right into InvenioRDM's access when it loads the body: an
  // empty one is open, and "embargoed" needs embargo_date; anything else is refused at once.
  const access = md.access_right;
  if (access && !['open', 'restricted', 'closed'].includes(String(access)) && !(access === 'embargoed' && md.embargo_date)) {
    return { errors: [{ field: '_schema', messages: ['Unknown access type.'] }] };
  }
  if (md.license !== undefined && md.license !== null) {
    const given = isObj(md.license) ? md.license.id : md.license;
    if (isObj(md.license) && given === undefined) {
      return { errors: [{ field: 'metadata.license', messages: [`Invalid license object provided (missing 'id' key): ${JSON.stringify(md.license)}`] }] };
    }
    if (typeof given !== 'string') {
      return { errors: [{ field: 'metadata.license', messages: [`Invalid license value provided (expected string, or object with 'id' key): ${JSON.stringify(md.license)}`] }] };
    }
    const stored = resolveLicense(given);
    if (!stored) return { errors: [{ field: 'metadata.license', messages: [`Invalid license provided: ${given}`] }] };
    md.license = 'id' in stored ? stored.id : { custom: stored.custom };
  } else if (Object.keys(raw).length > 0) {
    delete md.license;
    const access = md.access_right ?? 'open';
    if (access === 'open' || access === 'embargoed') md.license = md.upload_type === 'dataset' ? 'cc0-1.0' : 'cc-by-4.0';
  }
  return { metadata: md };
}

/**
 * Errors that prevent publishing, after Zenodo's defaults are applied to `md` (in place). The legacy
 * metadata becomes InvenioRDM's, whose publish requires resource_type (from upload_type alone when
 * there is no subtype: "publication" and "image" are types too), creators, a title of at least 3
 * characters and publication_date (defaulted to today); a description, when given, is at least 3
 * characters; an active embargo must end in the future.
 */
export function checkPublishable(md: Record<string, unknown>, today = new Date().toISOString().slice(0, 10)): FieldError[] {
  const errors = checkShape(md);
  const missing = (field: string) => errors.push({ field: `metadata.${field}`, messages: ['Missing data for required field.'] });
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && v.length === 0);
  md.publication_date ??= today;
  // InvenioRDM's EDTFDateString: a draft keeps any text, publishing checks it.
  if (!isEdtfLevel0(md.publication_date)) errors.push({ field: 'metadata.publication_date', messages: ['Please provide a valid date or interval.'] });
  md.access_right ??= 'open';
  // InvenioRDM validates its own fields: a missing upload_type is reported as metadata.resource_type.
  if (blank(md.upload_type)) missing('resource_type');
  if (blank(md.title)) missing('title');
  if (blank(md.creators)) missing('creators');
  // a contributor without `type` has no role, which InvenioRDM requires
  if (Array.isArray(md.contributors)) md.contributors.forEach((c, i) => isObj(c) && !c.type && missing(`contributors.${i}.role`));
  for (const k of ['title', 'description']) {
    const v = md[k];
    if (typeof v === 'string' && v.trim() && v.trim().length < 3) errors.push({ field: `metadata.${k}`, messages: ['Shorter than minimum length 3.'] });
  }
  if ((md.access_right === 'open' || md.access_right === 'embargoed') && blank(md.license)) {
    md.license = md.upload_type === 'dataset' ? 'cc0-1.0' : 'cc-by-4.0';
  }
  if (md.access_right === 'embargoed' && typeof md.embargo_date === 'string' && md.embargo_date <= today) {
    errors.push({ field: 'access.embargo.until', messages: ['Embargo end date must be set to a future date.'] });
  }
  return errors;
}
