// The metadata of a Zenodo upload. Sources, later ones on top of earlier ones:
//   1. the deposition's current metadata (with --deposition, or the version --new-version copies);
//   2. one file: --metadata FILE, else .zenodo.json, else CITATION.cff in an uploaded folder;
//   3. flags: --title, --description, --upload-type, --license replace; --creator, --keyword,
//      --orcid-creator and --dmp add to the lists (duplicates dropped).
// Everything is checked locally (ORCID check characters, license ids, dates, vocabularies) before any
// remote change; with --publish the fields Zenodo requires are checked too, before any byte is sent.
import { readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Log } from '../../../ports.js';
import { InputError, UsageError } from '../../../errors/errors.js';
import { parseOrcid } from '../../../util/orcid-id.js';
import { ACCESS_RIGHTS, CONTRIBUTOR_TYPES, IMAGE_TYPES, isDate, isPublicationDate, isZenodoDoi, KNOWN_FIELDS, PUBLICATION_TYPES, RELATIONS, SOFTWARE_TYPES, UPLOAD_TYPES } from './vocab.js';
import type { LocalInput } from '../../../transfer/local.js';
import { parseCff } from './cff.js';
import { licenseFromZenodo, licenseSuggestions, normalizeLicense } from './licenses.js';
import type { ZenodoOptions } from './options.js';
import type { DepositInput, DepositPorts, PublishedRecord } from '../../types.js';
import { readInputs } from '../../../transfer/local.js';
import { checkExcludes, countLeftOut } from '../../../transfer/selection.js';
import { isObj } from '../../../util/guards.js';
import { formatBytes } from '../../../output/format.js';

export type Metadata = Record<string, unknown>;

export interface MetadataSource {
  kind: 'metadata' | 'zenodo-json' | 'cff';
  /** As shown in messages (relative to the current directory). */
  path: string;
  metadata: Metadata;
}

export interface LocalMetadata {
  file?: MetadataSource | undefined;
  /** Single values from flags. */
  set: Metadata;
  creators: Metadata[];
  keywords: string[];
  related: Metadata[];
}

function bad(where: string, message: string, hint?: string): InputError {
  return new InputError('BAD_METADATA', `${where}: ${message}`, { hint: hint ?? 'Fix the value and run the command again; nothing was uploaded.' });
}

/** Parse a Zenodo deposition JSON: `{"metadata": {...}}` or the bare metadata object. */
export function parseZenodoJson(text: string, shown: string): Metadata {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError('BAD_METADATA', `${shown} is not valid JSON: ${(err as Error).message}.`, {
      hint: 'Fix the file; it holds Zenodo deposition metadata ({"metadata": {...}} or the metadata object itself).',
    });
  }
  if (!isObj(doc)) throw new InputError('BAD_METADATA', `${shown} must hold a JSON object, not ${Array.isArray(doc) ? 'an array' : typeof doc}.`);
  if (isObj(doc.metadata)) return { ...doc.metadata };
  return { ...doc };
}

/** Metadata files are small (a few kB); anything larger than this is not one, and is not read. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

async function readText(path: string, shown: string): Promise<string> {
  try {
    const st = await stat(path);
    if (st.isFile() && st.size > MAX_METADATA_BYTES) {
      throw new InputError('METADATA_TOO_LARGE', `${shown} is ${formatBytes(st.size)}; a metadata file (.zenodo.json, CITATION.cff) is a few kB, and rdp reads at most ${formatBytes(MAX_METADATA_BYTES)}.`, {
        hint: 'Check the path given to --metadata (or the file in the folder); nothing was uploaded.',
      });
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'MISSING_PATH' : 'FILE_UNREADABLE', `Cannot read ${shown}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}.`, {
      hint: 'Check the path given to --metadata.',
    });
  }
}

/** The metadata file: --metadata, else the first .zenodo.json or CITATION.cff in an uploaded folder. */
export async function findMetadataFile(log: Pick<Log, 'warn'>, cwd: string, inputs: LocalInput[], metadataFlag: string | undefined): Promise<MetadataSource | undefined> {
  const show = (p: string) => relative(cwd, p) || p;
  if (metadataFlag !== undefined) {
    const path = resolve(cwd, metadataFlag); // an absolute path stays as it is
    const text = await readText(path, metadataFlag);
    if (/\.cff$/i.test(metadataFlag)) {
      const cff = await parseCff(text, metadataFlag);
      for (const w of cff.warnings) log.warn(w);
      return { kind: 'cff', path: metadataFlag, metadata: cff.metadata };
    }
    return { kind: 'metadata', path: metadataFlag, metadata: parseZenodoJson(text, metadataFlag) };
  }
  // Looked for at each folder's top whatever the selection sends (.zenodo.json is hidden, so it is
  // not uploaded unless --include-hidden, but it is still the metadata).
  const present = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() === true;
  for (const input of inputs) {
    if (input.kind !== 'folder') continue;
    const zj = join(input.path, '.zenodo.json');
    if (await present(zj)) return { kind: 'zenodo-json', path: show(zj), metadata: parseZenodoJson(await readText(zj, show(zj)), show(zj)) };
    const cf = join(input.path, 'CITATION.cff');
    if (await present(cf)) {
      const cff = await parseCff(await readText(cf, show(cf)), show(cf));
      for (const w of cff.warnings) log.warn(w);
      return { kind: 'cff', path: show(cf), metadata: cff.metadata };
    }
  }
  return undefined;
}

/**
 * `--creator "Family, Given[;Affiliation][;ORCID]"` (an ORCID iD may stand in either place). A name
 * without a comma ("Jane Doe") is kept as written, with a warning: Zenodo reads "Family, Given".
 */
export function parseCreatorFlag(value: string, warn?: (text: string) => void): Metadata {
  const parts = value.split(';').map((p) => p.trim());
  const name = parts.shift() ?? '';
  if (!name) throw new UsageError(`--creator needs a name first: "Family, Given[;Affiliation][;ORCID]", not "${value}".`);
  if (warn && !name.includes(',') && /\s/.test(name)) {
    const words = name.split(/\s+/);
    const flipped = `${words[words.length - 1]}, ${words.slice(0, -1).join(' ')}`;
    warn(`--creator "${value}": Zenodo reads a name as "Family, Given", so "${name}" is kept as written. Did you mean --creator "${[flipped, ...parts].join(';')}"? (An organisation's name needs no comma.)`);
  }
  const creator: Metadata = { name };
  for (const p of parts) {
    if (!p) continue;
    if (/^(https?:\/\/)?(www\.)?(sandbox\.)?orcid\.org\/|^\d{4}-?\d{4}-?\d{4}-?\d{3}[\dXx]$/.test(p)) {
      const id = parseOrcid(p);
      if (!id.ok) throw new UsageError(`--creator "${value}": "${p}" is not a valid ORCID iD: ${id.reason}.`);
      creator.orcid = id.id;
    } else if (creator.affiliation === undefined) {
      creator.affiliation = p;
    } else {
      throw new UsageError(`--creator "${value}" has too many parts; write "Family, Given;Affiliation;ORCID".`);
    }
  }
  return creator;
}

/**
 * Check metadata from one source and normalise it (ORCID iDs to the bare form, license ids to
 * Zenodo's spelling). Throws an InputError naming the source and the field.
 */
export function checkMetadata(md: Metadata, where: string, warn?: (text: string) => void): Metadata {
  const out: Metadata = { ...md };
  const unknown = Object.keys(out).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length && warn) {
    const many = unknown.length > 1;
    warn(`${where}: Zenodo ignores the unknown field${many ? 's' : ''} ${unknown.join(', ')} (drops ${many ? 'them' : 'it'} without a word); check the spelling.`);
  }
  for (const k of ['title', 'description', 'version', 'notes', 'access_conditions', 'language']) {
    if (out[k] !== undefined && typeof out[k] !== 'string') throw bad(where, `${k} must be text.`);
  }
  const choice = (k: string, allowed: string[]) => {
    if (out[k] !== undefined && !allowed.includes(String(out[k]))) throw bad(where, `${k} "${String(out[k])}" is not one of ${allowed.join(', ')}.`);
  };
  choice('upload_type', UPLOAD_TYPES);
  choice('publication_type', PUBLICATION_TYPES);
  choice('image_type', IMAGE_TYPES);
  choice('software_type', SOFTWARE_TYPES);
  choice('access_right', ACCESS_RIGHTS);
  if (out.publication_date !== undefined && !isPublicationDate(out.publication_date)) {
    throw bad(where, `publication_date "${String(out.publication_date)}" is not a date Zenodo takes: write 2024-05-02, 2024-05 or 2024 (or an interval such as 2020/2021).`);
  }
  if (out.embargo_date !== undefined && !isDate(out.embargo_date)) throw bad(where, `embargo_date "${String(out.embargo_date)}" is not a date like 2030-05-02.`);
  if (out.license !== undefined) {
    // Zenodo takes the id as text or as {"id": ...} (the form its own answers and old exports use).
    const given = isObj(out.license) ? out.license.id : out.license;
    const id = typeof given === 'string' ? normalizeLicense(given) : undefined;
    if (!id) {
      const near = typeof given === 'string' ? licenseSuggestions(given) : [];
      throw new InputError('UNKNOWN_LICENSE', `${where}: "${typeof given === 'string' ? given : JSON.stringify(out.license)}" is not a license id Zenodo knows.`, {
        hint: `${near.length ? `Did you mean ${near.join(', ')}? ` : ''}Zenodo takes its own list of ids (most SPDX ids in lower case, e.g. cc-by-4.0, cc0-1.0, mit, apache-2.0); Creative Commons ids need their version (cc-by-nc-4.0, not cc-by-nc). Nothing was uploaded.`,
      });
    }
    out.license = id;
  }
  for (const list of ['creators', 'contributors']) {
    const v = out[list];
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw bad(where, `${list} must be a list.`);
    out[list] = v.map((c, i) => {
      if (!isObj(c) || typeof c.name !== 'string' || !c.name.trim()) throw bad(where, `${list}[${i}] needs a name ("Family, Given").`);
      const person: Metadata = { ...c, name: c.name.trim() };
      if (list === 'contributors' && c.type !== undefined && c.type !== null && !CONTRIBUTOR_TYPES.some((t) => t.toLowerCase() === String(c.type).toLowerCase())) {
        throw bad(where, `contributors[${i}] (${c.name}) has the type "${String(c.type)}", which Zenodo does not know ("Invalid value ${String(c.type).toLowerCase()}.").`,
          `A contributor's type is one of ${CONTRIBUTOR_TYPES.join(', ')}. Nothing was uploaded.`);
      }
      if (c.orcid !== undefined && c.orcid !== null && c.orcid !== '') {
        const id = typeof c.orcid === 'string' ? parseOrcid(c.orcid) : { ok: false as const, reason: 'it is not text' };
        if (!id.ok) throw new InputError('INVALID_ORCID', `${where}: ${list}[${i}] (${c.name}) has an invalid ORCID iD "${String(c.orcid)}": ${id.reason}.`, { hint: 'Correct the iD (the last character is a checksum).' });
        person.orcid = id.id;
      } else {
        delete person.orcid;
      }
      return person;
    });
  }
  if (out.keywords !== undefined && (!Array.isArray(out.keywords) || out.keywords.some((k) => typeof k !== 'string'))) {
    throw bad(where, 'keywords must be a list of words.');
  }
  if (out.related_identifiers !== undefined) {
    if (!Array.isArray(out.related_identifiers) || out.related_identifiers.some((r) => !isObj(r) || typeof r.identifier !== 'string' || typeof r.relation !== 'string')) {
      throw bad(where, 'related_identifiers must be a list of {identifier, relation} objects.');
    }
    for (const r of out.related_identifiers as Metadata[]) {
      const rel = String(r.relation);
      // zenodo-rdm's own typo fix: isOrignialFormOf is read as isOriginalFormOf
      if (rel === 'isAlternateIdentifier' || rel === 'isOrignialFormOf' || RELATIONS.some((x) => x.toLowerCase() === rel.toLowerCase())) continue;
      const near = RELATIONS.filter((x) => x.toLowerCase().includes(rel.toLowerCase().replace(/^(is|has)/, '').slice(0, 6)));
      throw bad(where, `related_identifiers: "${rel}" (for ${String(r.identifier)}) is not a relation Zenodo knows; it refuses the whole record ("Invalid value ${rel.toLowerCase()}.").`,
        `${near.length ? `Did you mean ${near.slice(0, 4).join(', ')}? ` : ''}Zenodo takes DataCite's relations: ${RELATIONS.join(', ')} (or isAlternateIdentifier). Nothing was uploaded.`);
    }
  }
  if (Array.isArray(out.communities) ? out.communities.some((c) => !isObj(c) || !('identifier' in c)) : out.communities !== undefined && out.communities !== null) {
    throw bad(where, `communities must be a list of {"identifier": "<community>"} objects, not ${JSON.stringify(out.communities)}; Zenodo refuses anything else ("Communities must be an array of objects with an 'identifier' key.").`,
      'Write e.g. "communities": [{"identifier": "zenodo"}], with the community\'s id from its URL. Nothing was uploaded.');
  }
  if (typeof out.language === 'string' && !/^[A-Za-z]{2,3}$/.test(out.language)) {
    throw bad(where, `language "${out.language}" is not a language code: Zenodo takes ISO 639-1 or 639-2/3 codes such as en or eng ("Language must be either ISO-639-1 or 639-2 compatible.").`);
  }
  return out;
}

/** Flags as metadata (each checked and named by its flag in errors), without the file. */
export function flagMetadata(opts: Pick<ZenodoOptions, 'title' | 'description' | 'uploadType' | 'license' | 'creator' | 'keyword'>, warn?: (text: string) => void): Omit<LocalMetadata, 'file'> {
  const set: Metadata = {};
  const flag = (field: string, name: string, value: string | undefined) => {
    if (value !== undefined) Object.assign(set, checkMetadata({ [field]: value }, name));
  };
  flag('title', '--title', opts.title);
  flag('description', '--description', opts.description);
  flag('upload_type', '--upload-type', opts.uploadType);
  flag('license', '--license', opts.license);
  return {
    set,
    creators: (opts.creator ?? []).map((c) => parseCreatorFlag(c, warn)),
    keywords: (opts.keyword ?? []).map((k) => k.trim()).filter(Boolean),
    related: [],
  };
}

/**
 * A deposition's metadata as a base for the next save: without what Zenodo manages itself, and with
 * the licence as rdp would send it (Zenodo answers in its legacy spelling: cc0-1.0 as cc-zero).
 */
export function cleanRemote(md: Metadata): Metadata {
  const out = { ...md };
  delete out.prereserve_doi;
  if (isZenodoDoi(out.doi)) delete out.doi;
  if (typeof out.license === 'string') out.license = licenseFromZenodo(out.license);
  else if (isObj(out.license) && typeof out.license.id === 'string') out.license = licenseFromZenodo(out.license.id);
  return out;
}

function sameCreator(a: Metadata, b: Metadata): boolean {
  if (a.orcid && b.orcid) return a.orcid === b.orcid;
  return String(a.name).toLowerCase() === String(b.name).toLowerCase();
}

function addUnique<T>(list: T[], items: T[], same: (a: T, b: T) => boolean): T[] {
  const out = [...list];
  for (const it of items) if (!out.some((x) => same(x, it))) out.push(it);
  return out;
}

export function today(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Base, then the file, then the flags; defaults for what is still missing. */
export function mergeMetadata(base: Metadata, local: LocalMetadata, opts: { newVersion?: boolean } = {}, now = Date.now()): Metadata {
  const md: Metadata = { ...cleanRemote(base), ...(local.file?.metadata ?? {}), ...local.set };
  if (local.creators.length) md.creators = addUnique((md.creators as Metadata[] | undefined) ?? [], local.creators, sameCreator);
  if (local.keywords.length) md.keywords = addUnique((md.keywords as string[] | undefined) ?? [], local.keywords, (a, b) => a.toLowerCase() === b.toLowerCase());
  if (local.related.length) {
    md.related_identifiers = addUnique((md.related_identifiers as Metadata[] | undefined) ?? [], local.related, (a, b) => a.identifier === b.identifier && a.relation === b.relation);
  }
  md.upload_type ??= 'dataset';
  // A new version is published today unless the metadata file or a flag says otherwise.
  const dateGiven = local.file?.metadata.publication_date !== undefined;
  if (md.publication_date === undefined || (opts.newVersion && !dateGiven)) md.publication_date = today(now);
  return md;
}

/**
 * The data management plan behind the data (--dmp) as a related identifier of the record:
 * {identifier: <the DMP's DOI, or its URL>, relation: "isDocumentedBy", resource_type:
 * "publication-datamanagementplan"} ("this dataset is documented by that DMP", DataCite's relation).
 */
export function dmpRelated(identifier: string): Metadata {
  return { identifier, relation: 'isDocumentedBy', resource_type: 'publication-datamanagementplan' };
}

/**
 * Fields Zenodo requires before it publishes that `md` lacks. zenodo-rdm maps the legacy metadata onto
 * InvenioRDM's, whose publish requires resource_type (upload_type; "publication" and "image" are
 * types of their own, so publication_type and image_type are optional), creators, title and
 * publication_date (defaulted). Description and access_conditions are not required
 * (test/contract/zenodo/metadata.json).
 */
export function missingForPublish(md: Metadata): string[] {
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && v.length === 0);
  const missing: string[] = [];
  if (blank(md.upload_type)) missing.push('upload_type');
  if (blank(md.title)) missing.push('title');
  if (blank(md.creators)) missing.push('creators');
  return missing;
}

/** Text fields InvenioRDM wants at least 3 characters long (title; description when given). */
const MIN_LENGTH: Record<string, number> = { title: 3, description: 3 };

/**
 * What Zenodo would refuse when the draft is saved, or at publish, for metadata that is present:
 * an embargo without a date (refused on save); with --publish also an embargo date not in the future
 * and a title or description shorter than 3 characters (a draft keeps them, publishing fails).
 * Checked on the merged metadata before any remote change.
 */
export function checkSavable(md: Metadata, publish: boolean, now = Date.now()): void {
  if (md.access_right === 'embargoed') {
    if (typeof md.embargo_date !== 'string' || !md.embargo_date.trim()) {
      throw new InputError('BAD_METADATA', 'access_right is "embargoed" but there is no embargo_date: Zenodo refuses the draft ("Unknown access type.").', {
        hint: 'Add embargo_date (the day the files open, e.g. 2030-01-31) to the metadata file, or choose another access_right. Nothing was uploaded.',
      });
    }
    if (publish && md.embargo_date <= today(now)) {
      throw new InputError('BAD_METADATA', `embargo_date ${md.embargo_date} is not in the future: Zenodo refuses to publish an embargo that has already ended ("Embargo end date must be set to a future date.").`, {
        hint: 'Set embargo_date to a later day, or use access_right "open". Nothing was uploaded.',
      });
    }
  }
  if (!publish) return;
  const untyped = Array.isArray(md.contributors) ? (md.contributors as Metadata[]).findIndex((c) => isObj(c) && (typeof c.type !== 'string' || !c.type.trim())) : -1;
  if (untyped >= 0) {
    const c = (md.contributors as Metadata[])[untyped] as Metadata;
    throw new InputError('BAD_METADATA', `Cannot publish: contributors[${untyped}] (${String(c.name)}) has no type, and Zenodo requires one for every contributor.`, {
      hint: `Add "type" (one of ${CONTRIBUTOR_TYPES.join(', ')}) to each contributor in the metadata file, or leave out --publish to keep a draft. Nothing was uploaded.`,
    });
  }
  for (const [k, min] of Object.entries(MIN_LENGTH)) {
    const v = md[k];
    if (typeof v === 'string' && v.trim() && v.trim().length < min) {
      throw new InputError('BAD_METADATA', `Cannot publish: Zenodo needs a ${k} of at least ${min} characters, and "${v.trim()}" is shorter.`, {
        hint: `Give a longer ${k} (${k === 'title' ? '--title' : '--description'}, or in the metadata file), or leave out --publish to keep a draft. Nothing was uploaded.`,
      });
    }
  }
}

const FLAG_FOR: Record<string, string> = {
  title: '--title',
  description: '--description',
  creators: '--creator "Family, Given"',
  upload_type: '--upload-type',
};

export function requirePublishable(md: Metadata): void {
  const missing = missingForPublish(md);
  if (!missing.length) return;
  throw new InputError('MISSING_METADATA', `Cannot publish: Zenodo requires ${missing.join(', ')}, and ${missing.length === 1 ? 'it is' : 'they are'} missing. Nothing was uploaded.`, {
    hint: `Add ${missing.map((m) => FLAG_FOR[m] ?? m).join(', ')} (or put them in .zenodo.json, CITATION.cff or --metadata FILE), or leave out --publish to keep a draft.`,
    details: { missing },
  });
}

/**
 * Whether saving `a` would change metadata that reads `b`. Key order does not matter, nor do fields
 * Zenodo drops (unknown ones); licences compare by what they stand for.
 */
export function sameMetadata(a: Metadata, b: Metadata): boolean {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
    return v;
  };
  const known = (md: Metadata): Metadata => {
    const out: Metadata = {};
    for (const [k, v] of Object.entries(md)) if (KNOWN_FIELDS.has(k)) out[k] = k === 'license' && typeof v === 'string' ? licenseFromZenodo(v) : v;
    return out;
  };
  return JSON.stringify(canon(known(a))) === JSON.stringify(canon(known(b)));
}

/** The published record as the links see it (--zotero, --orcid-work, --dmp). */
export function publishedRecord(md: Metadata, doi: string, url: string): PublishedRecord {
  return {
    title: typeof md.title === 'string' ? md.title : '',
    creators: Array.isArray(md.creators) ? (md.creators as Metadata[]).map((c) => String(c.name)) : [],
    date: typeof md.publication_date === 'string' ? md.publication_date : '',
    doi,
    url,
    repository: 'Zenodo',
    keywords: Array.isArray(md.keywords) ? (md.keywords as string[]) : [],
    version: typeof md.version === 'string' ? md.version : undefined,
    description: typeof md.description === 'string' ? md.description : undefined,
    license: typeof md.license === 'string' ? md.license : undefined,
  };
}

/** The metadata flags a deposit reads (Zenodo's and an InvenioRDM site's are the same). */
export type MetadataFlags = Pick<ZenodoOptions, 'metadata' | 'title' | 'description' | 'uploadType' | 'license' | 'creator' | 'keyword' | 'orcidCreator' | 'dmp'>;

/**
 * What a deposit reads locally before it talks to the service: the selected files (what was left out
 * said once, listed by --dry-run) and the metadata (a metadata file, then the flags, the ORCID
 * creator and the DMP link). Shared by the Zenodo deposit and an InvenioRDM site's.
 */
export async function readSelection(ports: DepositPorts, input: DepositInput): Promise<{ inputs: LocalInput[]; skipped: { path: string; why: string }[] }> {
  checkExcludes(input.exclude);
  const inputs = await readInputs(input.paths, input.cwd, { includeHidden: input.includeHidden, exclude: input.exclude });
  const skipped = inputs.flatMap((i) => i.skipped.map((x) => ({ path: `${i.arg.replace(/\/+$/, '')}/${x.rel}`, why: x.why })));
  if (skipped.length && !input.dryRun) ports.log.info(`Left out of the upload: ${countLeftOut(skipped)} (--dry-run lists them, with the reason).`);
  return { inputs, skipped };
}

export async function readLocalMetadata(ports: DepositPorts, input: DepositInput, inputs: LocalInput[], o: MetadataFlags): Promise<LocalMetadata> {
  const file = await findMetadataFile(ports.log, input.cwd, inputs, o.metadata);
  if (file) {
    file.metadata = checkMetadata(file.metadata, file.path, (t) => ports.log.warn(t));
    const flags = o.title || o.description || o.uploadType || o.license || o.creator.length || o.keyword.length || o.orcidCreator || o.dmp;
    ports.log.info(`Metadata from ${file.path}${flags ? ', then the flags' : ''}.`);
  }
  const meta: LocalMetadata = { file, ...flagMetadata(o, (text) => ports.log.warn(text)) };
  if (o.orcidCreator) {
    const me = await ports.links.creator({ sandbox: input.sandbox, flag: '--orcid-creator', instead: 'name yourself with --creator "Family, Given;Affiliation;ORCID"' });
    meta.creators.push({ name: me.name, orcid: me.orcid });
  }
  if (o.dmp !== undefined) meta.related.push(dmpRelated(await ports.links.dmp(o.dmp, '--dmp')));
  return meta;
}
