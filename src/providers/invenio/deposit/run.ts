// `rdp upload <path>... --to <site>`: an upload to an InvenioRDM site through the RDM records API, in
// the four steps of the Zenodo upload (everything local first, then the target draft, the plan, and
// only then the remote changes), with the promises of SPEC.md "Upload to Zenodo" (SPEC.md "Sites"):
// re-runs never duplicate a record (the state file remembers the draft this command made, until it
// is published; after that the command refuses), a file already in the draft with the same name, size
// and checksum is skipped and a changed one replaced, every file is checked against the site's
// checksum, large files go in parts where the site offers multipart uploads (client.ts, multipart.ts:
// a cut resends one part, an interrupted upload resumes from the journal), and publishing is last.
// Metadata is read as for Zenodo (--metadata, .zenodo.json, CITATION.cff, flags; checked locally) and
// mapped to the RDM schema (../metadata.ts).
import { stateDir } from '../../../config/paths.js';
import { ApiError, CancelledError, FailureError, InputError, NetworkError, NotFoundError, RdpError, UsageError } from '../../../errors/errors.js';
import { formatBytes } from '../../../output/format.js';
import { TransferProgress } from '../../../output/progress.js';
import { type UploadKey, uploadKey } from '../../../store/upload-state.js';
import { CFF_FILE, citationFolders, writeDoiToFolders } from '../../../citation/write-doi.js';
import { type LocalFile, type LocalInput, readInputs } from '../../../transfer/local.js';
import { fileSource, type UploadSource, zipSource } from '../../../transfer/source.js';
import { isObj } from '../../../util/guards.js';
import { shellQuote } from '../../../util/text.js';
import type { Deposit, DepositInput, DepositPorts } from '../../types.js';
import { type LocalMetadata, readLocalMetadata, readSelection, today } from '../../zenodo/deposit/metadata.js';
import { InvenioClient, type RdmFile, type RdmRecord, type SiteNames } from '../client.js';
import { missingForRdmPublish, rdmFingerprint, zenodoToRdm } from '../metadata.js';
import { publishSiteDraft, siteDois } from '../publish.js';
import { planSync, type SyncItem, syncFiles } from '../sync.js';
import { siteJournalRecord } from '../types.js';
import type { SiteOptions } from './options.js';

type Md = Record<string, unknown>;

/** A site upload's result: the Deposit every upload reports, and the site's own fields. */
export interface SiteDeposit extends Deposit {
  id: string | null;
  /** The site's name for messages ("tuwien"). */
  site: string;
  deposition: 'created' | 'existing' | 'new-version';
  /** The site's status of the record: draft, new_version_draft, published, ... */
  status: string | null;
  metadataSource: string | null;
  metadataChanged: boolean;
  /** The RDM metadata set (or that would be set). */
  metadata: Md;
  /** Fields of the metadata file that a generic InvenioRDM has no place for (not sent). */
  unmapped: string[];
  /** Files sent in parts, the part requests that went out (resends included), and whether the site refused multipart. */
  multipart: { files: number; partRequests: number; refused: boolean };
  /** --write-doi: what happened to each CITATION.cff. */
  citation?: { path: string; outcome: 'written' | 'unchanged' | 'no-file'; doi: string; versionDoi: string }[] | undefined;
}

interface Local {
  o: SiteOptions;
  givenDeposition: boolean;
  inputs: LocalInput[];
  sources: UploadSource[];
  skipped: { path: string; why: string }[];
  meta: LocalMetadata;
}

interface Target {
  client: InvenioClient | undefined;
  draft: RdmRecord | undefined;
  /** Whose files the local ones are compared with: the draft, or (dry run of a new version) the record. */
  compareWith: { id: string; published: boolean } | undefined;
  kind: SiteDeposit['deposition'];
  base: Md;
  stateKey: UploadKey | undefined;
  notes: string[];
  /**
   * This command published its record before, and the steps after publishing (the links) are not all
   * done: nothing is sent or changed here, the steps follow (only those still missing).
   */
  rerun?: boolean | undefined;
  /** The publisher when the metadata names none: the site's host (see mergeRdm). */
  publisher?: string | undefined;
}


/** Multipart sizes from the environment (RDP_MULTIPART_THRESHOLD, RDP_MULTIPART_PART_SIZE, bytes): tuning and tests. */
function multipartEnv(env: NodeJS.ProcessEnv): { threshold?: number; partSize?: number } {
  const read = (name: string, min: number): number | undefined => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be a number of bytes of at least ${min}, not "${v}".`);
    return n;
  };
  return { threshold: read('RDP_MULTIPART_THRESHOLD', 1), partSize: read('RDP_MULTIPART_PART_SIZE', 64 * 1024) };
}

export async function runSiteUpload(site: SiteNames, ports: DepositPorts, input: DepositInput): Promise<SiteDeposit> {
  const local = await readLocal(ports, input);
  const target = await findTarget(site, ports, input, local);
  const { result, plan, body } = await makePlan(site, ports, input, local, target);
  if (input.dryRun) return result;
  return execute(site, ports, input, local, target, result, plan, body);
}

// ---- 1. everything local -------------------------------------------------------------------------

async function readLocal(ports: DepositPorts, input: DepositInput): Promise<Local> {
  const o = { ...(input.read as SiteOptions) };
  const { inputs, skipped } = await readSelection(ports, input);
  const sources = await siteSources(inputs, o.zip);
  const meta = await readLocalMetadata(ports, input, inputs, o);
  return { o, givenDeposition: o.deposition !== undefined, inputs, sources, skipped, meta };
}

/** Why a site cannot hold a file name (one segment of its key), or undefined. */
function badName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'it has an empty or a dot name in it';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains control characters';
  if (name.includes('\\')) return 'it contains a backslash';
  if (Buffer.byteLength(name) > 255) return 'a part of it is longer than 255 bytes';
  return undefined;
}

/** What is sent: files named relative to their folder (subfolders kept: InvenioRDM keys may hold "/"), or one zip. */
async function siteSources(inputs: LocalInput[], zip: string | undefined): Promise<UploadSource[]> {
  const byName = new Map<string, LocalFile>();
  for (const f of inputs.flatMap((i) => i.files)) {
    const prev = byName.get(f.rel);
    if (prev && prev.path === f.path) continue;
    if (prev) {
      throw new InputError('NAME_COLLISION', `${prev.path} and ${f.path} would both be uploaded as "${f.rel}".`, {
        hint: 'Rename one of them, or name their common parent folder instead.',
      });
    }
    const why = f.rel.split('/').map(badName).find(Boolean);
    if (why) throw new InputError('BAD_FILE_NAME', `A site cannot hold a file named ${JSON.stringify(f.rel)}: ${why}.`, { hint: 'Rename the file, or send the folder as one archive with --zip NAME.zip.' });
    byName.set(f.rel, f);
  }
  const all = [...byName.values()];
  if (zip !== undefined) return [await zipSource(all, zip, `${all.length} file${all.length === 1 ? '' : 's'} as ${zip}`)];
  return all.map((f) => fileSource(f, f.rel, f.path));
}

// ---- 2. the target draft -------------------------------------------------------------------------

async function findTarget(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local): Promise<Target> {
  const { o } = local;
  const notes: string[] = [];
  const login = input.dryRun && o.deposition === undefined && o.newVersion === undefined ? await ports.login({ optional: true }) : await ports.login();
  if (!login) {
    notes.push(`Not logged in to ${site.name}: the plan is made from the local files alone (a new draft would be created).`);
    return { client: undefined, draft: undefined, compareWith: undefined, kind: 'created', base: {}, stateKey: undefined, notes };
  }
  const client = new InvenioClient(login.http, { site, multipart: { ...multipartEnv(ports.env), stateDir: stateDir(ports.env) } });
  const t: Target = { client, draft: undefined, compareWith: undefined, kind: 'created', base: {}, stateKey: undefined, notes, publisher: login.endpoints.host };
  t.stateKey = uploadKey(site.id, client.http.base, input.cwd, input.paths, o.newVersion !== undefined ? { kind: 'new-version', of: o.newVersion } : { kind: 'record' });
  if (o.deposition === undefined && o.newVersion === undefined && !o.newRecord) await continueOwnDraft(site, ports, input, local, t, login.endpoints.host);
  if (o.deposition !== undefined) {
    t.kind = 'existing';
    const draft = await client.findDraft(o.deposition);
    if (!draft || draft.isPublished) {
      const record = draft ?? (await client.getRecord(o.deposition));
      throw new UsageError(`${record.id} is published on ${site.name}; the files of a published record cannot change.`, {
        hint: `Start its next version instead: rdp upload ${input.paths.map(shellQuote).join(' ')} --to ${site.id} --new-version ${record.id}`,
      });
    }
    t.draft = draft;
    t.base = draft.metadata;
  } else if (o.newVersion !== undefined) {
    await startNewVersion(site, ports, input, local, t, o.newVersion);
  }
  if (t.draft) t.compareWith ??= { id: t.draft.id, published: false };
  return t;
}

/** A published record, or undefined when the id names none. */
async function publishedRecord(client: InvenioClient, id: string): Promise<RdmRecord | undefined> {
  try {
    const r = await client.getRecord(id);
    return r.isPublished ? r : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The same command again: the draft it made before, until that draft is published. */
async function continueOwnDraft(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local, t: Target, host: string): Promise<void> {
  const client = t.client as InvenioClient;
  const key = t.stateKey as UploadKey;
  const left = await ports.state.read(key);
  if (!left) return;
  const id = String(left.id);
  const draft = await client.findDraft(id);
  if (draft && !draft.isPublished && !left.published) {
    local.o.deposition = id;
    ports.log.info(`Continuing draft ${id}, which this command created on ${left.created.slice(0, 16).replace('T', ' ')} (--new-record starts a separate record).`);
    return;
  }
  const record = draft?.isPublished ? draft : await publishedRecord(client, id);
  if (record) {
    // With --publish, the same command again after a step that follows publishing failed (ORCID, the
    // plan, Zotero): the record stays as it is and only the missing steps run, provided the local files
    // are what was published (checked with the plan; otherwise the refusal).
    if (!input.publish || record.isDraft || !(await ports.links.unfinished(siteJournalRecord(site.id, host, record.id)))) throw alreadyPublished(site, record, input, false);
    t.rerun = true;
    t.kind = 'existing';
    t.draft = record;
    t.base = record.metadata;
    t.compareWith = { id: record.id, published: true };
    ports.log.info(`This command published record ${record.id} already; the steps after publishing that are still missing run now.`);
    return;
  }
  ports.log.info(`Draft ${id}, which this command created earlier, is gone from ${site.name}${input.dryRun ? '; a new draft would be created' : '; creating a new one'}.`);
  if (!input.dryRun) await ports.state.update(key, () => undefined);
}

/** The published record a new version follows: the latest version of a record id (or of a parent id). */
async function versionBase(site: SiteNames, ports: DepositPorts, client: InvenioClient, id: string): Promise<RdmRecord> {
  let record = await publishedRecord(client, id);
  const latest = await client.latestVersionId(id).catch(() => undefined);
  if (!record) {
    if (latest === undefined) {
      const draft = await client.findDraft(id);
      if (draft && !draft.isPublished) {
        throw new UsageError(`${id} on ${site.name} has never been published, so it has no versions.`, { hint: `Upload into the draft itself: --deposition ${id}` });
      }
      throw new NotFoundError(`${site.name} has no published record ${id} that you can access.`, {
        hint: `Check the id (the part after /records/ in its address), and that the token belongs to its owner. \`rdp uploads list --on ${site.id}\` shows yours.`,
      });
    }
    ports.log.info(`${id} names all versions of a record; its latest version is ${latest}.`);
    record = await client.getRecord(latest);
  } else if (latest !== undefined && latest !== record.id) {
    ports.log.info(`${record.id} is not the latest version; the new version follows the latest, ${latest}.`);
    record = await client.getRecord(latest);
  }
  return record;
}

async function startNewVersion(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local, t: Target, id: string): Promise<void> {
  const client = t.client as InvenioClient;
  t.kind = 'new-version';
  const record = await versionBase(site, ports, client, id);
  const left = input.publish && t.stateKey ? await ports.state.read(t.stateKey) : undefined;
  if (left?.published && String(left.id) === record.id) throw alreadyPublished(site, record, input, true);
  t.base = record.metadata;
  if (input.publish) requirePublishable(site, mergeRdm(t.base, local.meta, true).metadata);
  if (input.dryRun) {
    let open: RdmRecord | undefined;
    for await (const r of client.userRecords({ pageSize: 50 })) {
      if (r.parentId && r.parentId === record.parentId && !r.isPublished) {
        open = r;
        break;
      }
    }
    if (open) {
      t.draft = open;
      t.base = open.metadata;
      t.notes.push(`The new-version draft ${open.id} exists already and would be used.`);
    } else {
      t.compareWith = { id: record.id, published: true };
      t.notes.push(`A new-version draft of ${record.id} would be created (it starts with the files of ${record.id}).`);
    }
    return;
  }
  const draft = await client.newVersion(record.id);
  // A new draft holds no files: the latest version's are imported, then synced with the local ones.
  const files = await client.listFiles(draft.id);
  if (files.length === 0 && ((record.files?.length ?? 0) > 0 || (await client.recordFiles(record.id)).length > 0)) await client.importFiles(draft.id);
  ports.log.info(`New version of ${record.id}: draft ${draft.id}${draft.links.selfHtml ? ` (${draft.links.selfHtml})` : ''}.`);
  t.draft = draft;
  t.base = draft.metadata;
}

function recordUrl(r: RdmRecord): string | null {
  // A draft's page is /uploads/<id> (self_html); a published record's /records/<id>.
  return (r.isPublished && !r.isDraft ? (r.links.selfHtml ?? r.links.recordHtml) : (r.links.selfHtml ?? r.links.recordHtml)) ?? null;
}

/** The same command after its record was published: refused, with the two ways on. */
function alreadyPublished(site: SiteNames, r: RdmRecord, input: DepositInput, version: boolean): FailureError {
  const paths = input.paths.map(shellQuote).join(' ');
  const url = recordUrl(r);
  const record = `${r.doi ? `${r.doi} ` : ''}(record ${r.id}${url ? `, ${url}` : ''})`;
  const message = version
    ? `This command published the latest version already: ${record}. Running it again would publish one more version.`
    : `This command's upload is published already on ${site.name}: ${record}. Running it again would make a second record.`;
  return new FailureError('ALREADY_PUBLISHED', message, {
    hint: `${version ? 'For one more version on purpose, name the version it follows' : 'For the next version of that record'}: rdp upload ${paths} --to ${site.id} --new-version ${r.id}${input.publish ? ' --publish' : ''}
For a separate record on purpose: ${version ? 'use --new-record instead of --new-version' : 'add --new-record'}.`,
    details: { id: r.id, doi: r.doi ?? null },
  });
}

// ---- 3. the plan ---------------------------------------------------------------------------------

/** Two RDM persons are the same when their ORCID iDs match, else their names. */
function personKey(c: unknown): string {
  const p = isObj(c) && isObj(c.person_or_org) ? c.person_or_org : {};
  const ids = Array.isArray(p.identifiers) ? p.identifiers.filter(isObj) : [];
  const orcid = ids.find((i) => i.scheme === 'orcid');
  if (orcid) return `orcid:${String(orcid.identifier)}`;
  return `name:${String(p.family_name ?? p.name ?? '').toLowerCase()},${String(p.given_name ?? '').toLowerCase()}`;
}

function addUnique(list: unknown, items: unknown, key: (x: unknown) => string): unknown[] {
  const out = Array.isArray(list) ? [...list] : [];
  for (const it of Array.isArray(items) ? items : []) if (!out.some((x) => key(x) === key(it))) out.push(it);
  return out;
}

/**
 * The RDM metadata: the draft's (or the version's) first, then the metadata file's fields, then the
 * flags (single values replace, creators, keywords and links add); a resource type and a publication
 * date when still missing (a new version is published today unless the file or a flag says otherwise);
 * a publisher when still missing: a site that mints DataCite DOIs needs one (it refuses to publish a draft
 * whose reserved DOI has none, and cannot register the DOI it mints without one); the site's own upload
 * form fills in the site's name, which the API does not tell, so rdp names the site's host.
 */
export function mergeRdm(base: Md, local: LocalMetadata, newVersion: boolean, now = Date.now(), publisher?: string): { metadata: Md; access: Md | undefined; unmapped: string[] } {
  const fromFile = zenodoToRdm({ ...(local.file?.metadata ?? {}), ...local.set });
  const md: Md = { ...base, ...fromFile.body.metadata };
  const fromFlags = zenodoToRdm({ creators: local.creators, keywords: local.keywords, related_identifiers: local.related }).body.metadata;
  if (Array.isArray(fromFlags.creators) && fromFlags.creators.length) md.creators = addUnique(md.creators, fromFlags.creators, personKey);
  if (Array.isArray(fromFlags.subjects) && fromFlags.subjects.length) md.subjects = addUnique(md.subjects, fromFlags.subjects, (s) => (isObj(s) ? String(s.subject ?? s.id).toLowerCase() : ''));
  if (Array.isArray(fromFlags.related_identifiers) && fromFlags.related_identifiers.length) {
    md.related_identifiers = addUnique(md.related_identifiers, fromFlags.related_identifiers, (r) => (isObj(r) ? `${String(r.identifier)}:${JSON.stringify(r.relation_type)}` : ''));
  }
  md.resource_type ??= { id: 'dataset' };
  if (publisher && !(typeof md.publisher === 'string' && md.publisher.trim())) md.publisher = publisher;
  const dateGiven = local.file?.metadata.publication_date !== undefined;
  if (md.publication_date === undefined || (newVersion && !dateGiven)) md.publication_date = today(now);
  const accessGiven = local.file?.metadata.access_right !== undefined;
  return { metadata: md, access: accessGiven ? (fromFile.body.access as unknown as Md) : undefined, unmapped: fromFile.unmapped.filter((k) => k !== 'prereserve_doi') };
}

const FLAG_FOR: Record<string, string> = { title: '--title (3 characters or more)', creators: '--creator "Family, Given"', resource_type: '--upload-type', publication_date: 'publication_date in the metadata file' };

function requirePublishable(site: SiteNames, md: Md): void {
  const missing = missingForRdmPublish(md);
  if (!missing.length) return;
  throw new InputError('MISSING_METADATA', `Cannot publish: ${site.name} requires ${missing.join(', ')}, and ${missing.length === 1 ? 'it is' : 'they are'} missing. Nothing was uploaded.`, {
    hint: `Add ${missing.map((m) => FLAG_FOR[m] ?? m).join(', ')} (or put them in .zenodo.json, CITATION.cff or --metadata FILE), or leave out --publish to keep a draft.`,
    details: { missing },
  });
}

interface DraftBody {
  metadata: Md;
  access: Md;
  files: { enabled: boolean };
  pids?: Md | undefined;
  /** The draft's own (a save without them would erase them: a new version's, copied from the record). */
  custom_fields?: Md | undefined;
}

async function makePlan(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local, t: Target): Promise<{ result: SiteDeposit; plan: SyncItem[]; body: DraftBody }> {
  const merged = mergeRdm(t.base, local.meta, t.kind === 'new-version', ports.clock.now(), t.publisher ?? (await ports.endpoints()).host);
  if (input.publish) requirePublishable(site, merged.metadata);
  if (merged.unmapped.length) ports.log.warn(`${site.name} has no place for ${merged.unmapped.join(', ')} (Zenodo fields a generic InvenioRDM does not have); ${merged.unmapped.length === 1 ? 'it is' : 'they are'} not sent.`);
  const draft = t.draft;
  const body: DraftBody = {
    metadata: merged.metadata,
    access: merged.access ?? draft?.access ?? { record: 'public', files: 'public' },
    files: { enabled: true },
    ...(draft?.pids ? { pids: draft.pids } : {}),
    ...(draft?.customFields ? { custom_fields: draft.customFields } : {}),
  };
  const metadataChanged = !draft || rdmFingerprint(merged.metadata) !== rdmFingerprint(draft.metadata) || (merged.access !== undefined && JSON.stringify(merged.access) !== JSON.stringify(draft.access));
  let remote: RdmFile[] = [];
  if (t.client && t.compareWith) remote = t.compareWith.published ? await t.client.recordFiles(t.compareWith.id) : await t.client.listFiles(t.compareWith.id);
  const plan = t.client
    ? await planSync(t.client, t.compareWith?.id ?? '', local.sources, remote, { deleteExtra: local.o.deleteExtra, concurrency: local.o.concurrency, signal: ports.signal })
    : local.sources.map((source): SyncItem => ({ name: source.name, size: source.size, action: 'upload', source }));
  const result: SiteDeposit = {
    provider: site.id,
    site: site.name,
    dryRun: input.dryRun,
    deposition: t.kind,
    id: null,
    url: null,
    doi: null,
    status: null,
    published: false,
    metadataSource: local.meta.file?.path ?? null,
    metadataChanged,
    metadata: merged.metadata,
    unmapped: merged.unmapped,
    files: [],
    skipped: local.skipped,
    bytesSent: 0,
    notes: t.notes,
    multipart: { files: 0, partRequests: 0, refused: false },
  };
  if (input.dryRun && local.o.writeDoi) {
    result.notes.push(citationFolders(local.inputs).length ? `--write-doi: the draft's DOI would be reserved and written into ${CFF_FILE} (where it exists) before the files are sent.` : '--write-doi: no folder to write a DOI into.');
  }
  describe(result, draft, plan);
  if (input.dryRun && input.publish && !result.published) result.notes.push('--publish: once the files are in, the draft would be published (its DOI registered; the files of a published record cannot change).');
  if (t.rerun && draft && plan.some((p) => p.action !== 'skip' && p.action !== 'keep')) throw alreadyPublished(site, draft, input, false);
  return { result, plan, body };
}

function describe(result: SiteDeposit, r: RdmRecord | undefined, plan: SyncItem[]): void {
  result.id = r?.id ?? null;
  result.url = r ? recordUrl(r) : null;
  result.doi = r?.doi ?? null;
  result.status = r?.status ?? null;
  result.published = Boolean(r?.isPublished && !r.isDraft);
  result.files = plan.map((p) => ({ name: p.name, size: p.size, action: p.action === 'resume' ? 'upload' : p.action }));
}

// ---- 4. remote changes ---------------------------------------------------------------------------

/** The site refused the metadata (400, with the fields it named): say so, and that no file was sent. */
function rejected(site: SiteNames, filesSent: boolean) {
  return (err: unknown): never => {
    if (err instanceof ApiError && err.status === 400 && err.code === 'API_ERROR') {
      throw new ApiError(err.provider, err.status, `${site.name} refused the metadata: ${err.message.replace(/^.* answered 400( to [A-Z]+ \S+)?: /, '')}`, {
        code: 'METADATA_REJECTED',
        hint: `Fix the fields named above (in the metadata file or the flags)${filesSent ? '' : '; no file was sent'}.`,
        body: err.body,
        details: err.details,
      });
    }
    throw err;
  };
}

/** A failure after which the site may have created the draft all the same (a gateway error, a lost answer). */
function maybeCreated(err: unknown): boolean {
  return (err instanceof ApiError && err.status >= 500) || err instanceof NetworkError;
}

/** How many times the draft-creating POST is sent at most. */
const CREATE_ATTEMPTS = 4;

/**
 * The draft a failed attempt (sent at `sentAt`) made, if the site has one: the caller's newest drafts,
 * never published, without files, created no earlier than a minute before the attempt (the site's
 * clock), with the title that was sent.
 */
export async function findFreshDraft(client: InvenioClient, title: string, sentAt: number): Promise<RdmRecord | undefined> {
  const since = sentAt - 60_000;
  let seen = 0;
  for await (const r of client.userRecords({ pageSize: 10 })) {
    const created = r.created ? Date.parse(r.created) : Number.NaN;
    if (r.isDraft && !r.isPublished && r.status !== 'new_version_draft' && created >= since && r.title === title && (r.files?.length ?? 0) === 0) return r;
    if (++seen >= 10) break;
  }
  return undefined;
}

/**
 * Create the draft without ever leaving a second one behind (SPEC.md, as for Zenodo): a 5xx or a lost
 * answer does not say whether the site created it, so before asking again rdp looks for the draft that
 * attempt may have made among the user's newest, and adopts it.
 */
async function createDraft(site: SiteNames, ports: DepositPorts, client: InvenioClient, body: DraftBody): Promise<RdmRecord> {
  const base = client.http.retry.backoffBaseMs;
  const title = typeof body.metadata.title === 'string' ? body.metadata.title : '';
  for (let attempt = 1; ; attempt++) {
    const sentAt = ports.clock.now();
    try {
      return await client.createDraft(body as unknown as Record<string, unknown>);
    } catch (err) {
      if (!maybeCreated(err) || attempt >= CREATE_ATTEMPTS || ports.signal.aborted) throw err;
      const why = err instanceof ApiError ? `answered ${err.status}` : 'did not answer';
      ports.log.info(`${site.name} ${why} when asked to create the draft; checking whether it was created anyway before trying again.`);
      // A moment for the site's search index to show a draft that was made.
      await ports.clock.sleep(Math.min(30_000, Math.max(base * 2 ** (attempt - 1), Math.min(1500, base * 3))), ports.signal);
      let made: RdmRecord | undefined;
      try {
        made = await findFreshDraft(client, title, sentAt);
      } catch {
        throw err; // cannot tell: better to stop than to risk a second draft
      }
      if (made) {
        ports.log.info(`${site.name} had created draft ${made.id} before the error; using it.`);
        return made;
      }
      ports.log.info(`No draft was made; asking again (attempt ${attempt + 1} of ${CREATE_ATTEMPTS}).`);
    }
  }
}

/**
 * What the site noted when it saved the draft (a draft is saved with what is valid; publishing needs the
 * rest): said on stderr, and kept in the result's notes, where --json shows it.
 */
function warnProblems(ports: DepositPorts, site: SiteNames, r: RdmRecord, result: SiteDeposit): void {
  for (const e of r.errors) {
    const note = `${site.name} saved the draft and notes ${e.field || 'a field'}: ${e.messages.join(' ')} (needed before it can be published).`;
    ports.log.info(note);
    result.notes.push(note);
  }
}

async function execute(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local, t: Target, result: SiteDeposit, planned: SyncItem[], body: DraftBody): Promise<SiteDeposit> {
  let plan = planned;
  const client = t.client;
  if (!client) throw new FailureError('INTERNAL', `no ${site.name} client`);
  if (t.rerun && t.draft) {
    // Published by this command before: nothing to send or change here; the steps after publishing follow.
    if (result.metadataChanged) result.notes.push(`The metadata differs from what record ${t.draft.id} was published with; rdp leaves a published record as it is (use --new-version for changes).`);
    describe(result, t.draft, plan);
    return result;
  }
  const remembers = !local.givenDeposition && t.stateKey !== undefined;
  let draft = t.draft;
  if (!draft) {
    draft = await createDraft(site, ports, client, body).catch(rejected(site, false));
    warnProblems(ports, site, draft, result);
    ports.log.info(`Created draft ${draft.id}${draft.links.selfHtml ? ` (${draft.links.selfHtml})` : ''}.`);
  }
  if (remembers && t.stateKey) await ports.state.rememberDraft(t.stateKey, { id: draft.id });
  const id = draft.id;
  const resume = input.resume(id);
  let final: RdmRecord = draft;
  try {
    if (local.o.writeDoi) plan = await writeDoi(site, ports, input, local, client, draft, body, plan, result);
    if (t.kind !== 'created' && result.metadataChanged) {
      final = await client.updateDraft(id, body as unknown as Record<string, unknown>).catch(rejected(site, false));
      warnProblems(ports, site, final, result);
    }
    await sendFiles(site, ports, client, id, plan, local.o.concurrency, resume, result);
    if (input.publish) {
      final = await publishSiteDraft(site, client, id, `publish with: ${resume}`, ports.log);
      if (remembers && t.stateKey) await ports.state.rememberPublished(t.stateKey, { id, doi: final.doi });
      ports.log.success(`Published ${final.doi ? `${final.doi} ` : ''}(${recordUrl(final) ?? id}).`);
    } else {
      final = await client.getDraft(id);
    }
  } catch (err) {
    if (ports.signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`Interrupted. Draft ${id} is kept on ${site.name}${draft.links.selfHtml ? ` (${draft.links.selfHtml})` : ''}, with what had arrived (parts of large files included).`, {
        hint: `Resume with: ${resume}\n(or run the same command again on this machine)`,
      });
    }
    throw err;
  }
  describe(result, final, plan);
  return result;
}

async function sendFiles(site: SiteNames, ports: DepositPorts, client: InvenioClient, id: string, plan: SyncItem[], concurrency: number, resume: string, result: SiteDeposit): Promise<void> {
  const sends = plan.filter((p) => p.action === 'upload' || p.action === 'replace' || p.action === 'resume');
  const total = sends.reduce((n, p) => n + p.size, 0);
  if (sends.length) ports.log.info(`Uploading ${sends.length} file${sends.length === 1 ? '' : 's'} (${formatBytes(total)}) to draft ${id}, ${Math.min(concurrency, sends.length)} at a time…`);
  const progress = sends.length ? new TransferProgress(ports.terminal, { verb: 'Uploading', totalBytes: total, totalItems: sends.length }) : undefined;
  let outcome;
  try {
    outcome = await syncFiles(client, id, plan, { concurrency, signal: ports.signal, progress });
  } finally {
    progress?.end();
  }
  for (const d of outcome.deleted) ports.log.info(`− ${d} deleted (not in the local files)`);
  result.bytesSent = outcome.bytesSent;
  const mp = outcome.sent.filter((s) => s.multipart);
  result.multipart = { files: mp.length, partRequests: mp.reduce((n, s) => n + s.partRequests, 0), refused: client.multipartRefused };
  if (outcome.failures.length) throw failureError(outcome.failures, sends.length, resume);
  for (const f of outcome.unverified) ports.log.warn(`${f}: ${site.name} has not computed its checksum yet; the next run of this command compares it.`);
}

function failureError(failures: { name: string; error: unknown }[], total: number, resume: string): RdpError {
  const [first] = failures;
  const hint = `What arrived is kept; send the rest with: ${resume} (or the same command again on this machine)`;
  if (failures.length === 1 && first?.error instanceof RdpError) {
    const e = first.error;
    const message = e.message.startsWith(first.name) ? e.message : `${first.name}: ${e.message}`;
    return new RdpError(e.code === 'API_ERROR' || e.code === 'NETWORK_ERROR' ? 'UPLOAD_FAILED' : e.code, message, { hint: `${e.hint ? `${e.hint} ` : ''}${hint}`, details: e.details, cause: e });
  }
  const lines = failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
  return new FailureError('UPLOAD_FAILED', `${failures.length} of ${total} files failed: ${lines.join('; ')}`, { hint, details: { failed: failures.map((f) => f.name) } });
}

/**
 * --write-doi: the draft's DOIs into the CITATION.cff of the folders being sent, before their files go
 * (so the published file cites itself). A folder without one gets a warning, never a new file; a site
 * without DOIs a warning, and the upload goes on. When a file changed, the plan is made again.
 */
async function writeDoi(site: SiteNames, ports: DepositPorts, input: DepositInput, local: Local, client: InvenioClient, draft: RdmRecord, body: DraftBody, plan: SyncItem[], result: SiteDeposit): Promise<SyncItem[]> {
  const got = await siteDois(site, ports, client, draft);
  if (!got) return plan;
  const { dois } = got;
  // A later save of the draft keeps the reserved DOI (a full replace without it would drop it).
  if (got.draft.pids) body.pids = got.draft.pids;
  const written = await writeDoiToFolders(ports.log, input.cwd, local.inputs, dois);
  result.citation = written.citation;
  const { changed } = written;
  if (got.firstVersion && written.citation.length) ports.log.warn(`${site.name} mints the DOI of all versions only when the first version is published, so doi: names this version's DOI.`);
  if (!changed) return plan;
  const inputs = await readInputs(input.paths, input.cwd, { includeHidden: input.includeHidden, exclude: input.exclude });
  local.inputs = inputs;
  local.sources = await siteSources(inputs, local.o.zip);
  return planSync(client, draft.id, local.sources, await client.listFiles(draft.id), { deleteExtra: local.o.deleteExtra, concurrency: local.o.concurrency, signal: ports.signal });
}

