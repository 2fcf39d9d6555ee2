// `rdp upload <path>... --to zenodo`, in four steps: everything local first (inputs, names, limits,
// metadata, the other logins it needs), then the target deposition (a new draft, --deposition, the
// draft of --new-version, or the draft this same command made before), the plan (what to send, skip,
// replace, delete), and only then the remote changes (the draft, the files, the metadata, and with
// --publish the publication and --zotero).
//
// Order of remote changes, so that a failure leaves the least behind: nothing is changed until every
// local check passed; a new draft is created with its metadata in one request (Zenodo validates it);
// deletions come before uploads (to make room); publishing is last. Ctrl-C keeps the draft and prints
// the command that resumes it. ORCID, DMPTool and Zotero are reached through the workflow's links
// (DepositPorts.links), never imported here.
import { ApiError, CancelledError, FailureError, NotFoundError, UsageError } from '../../../errors/errors.js';
import type { UploadKey } from '../../../store/upload-state.js';
import { uploadKey } from '../../../store/upload-state.js';
import { CFF_FILE, citationFolders, writeDoiToFolders } from '../../../citation/write-doi.js';
import { type LocalInput, readInputs } from '../../../transfer/local.js';
import { shellQuote } from '../../../util/text.js';
import type { Deposit, DepositInput, DepositPorts } from '../../types.js';
import { type Deposition, ZenodoClient } from '../client.js';
import { journalRecord } from '../types.js';
import { createDraft } from './create.js';
import { checkSavable, cleanRemote, type LocalMetadata, type Metadata, mergeMetadata, readLocalMetadata, readSelection, requirePublishable, sameMetadata } from './metadata.js';
import type { ZenodoOptions } from './options.js';
import { publishDraft } from './publish.js';
import { reservedDois } from '../reserved-doi.js';
import { type LocalPlan, planSources } from './sources.js';
import { changesFiles, checkRecordLimits, executePlan, type FilePlan, failureError, planFiles, verifyFinal } from './sync.js';

/** Zenodo's upload result: the Deposit every upload reports, and Zenodo's own fields. */
export interface ZenodoDeposit extends Deposit {
  provider: 'zenodo';
  id: number | null;
  /** What happened to the deposition: a new draft, an existing one, the draft of a new version. */
  deposition: 'created' | 'existing' | 'new-version';
  doiRegistered: boolean;
  conceptDoi: string | null;
  /** Zenodo's state: unsubmitted, inprogress, done. */
  state: string | null;
  metadataSource: string | null;
  metadataChanged: boolean;
  metadata: Metadata;
  zotero?: { key: string; userId: string } | undefined;
  /** --write-doi: what happened to each CITATION.cff. */
  citation?: { path: string; outcome: 'written' | 'unchanged' | 'no-file'; doi: string; versionDoi: string }[] | undefined;
}

/** What the local files and flags say, before anything remote is looked at. */
interface Local {
  o: ZenodoOptions;
  /** --deposition was given (then the state file is neither read nor written). */
  givenDeposition: boolean;
  plan: LocalPlan;
  inputs: LocalInput[];
  skipped: { path: string; why: string }[];
  meta: LocalMetadata;
}

/** The deposition the upload works on, as far as it is known before the plan. */
interface Target {
  client: ZenodoClient | undefined;
  /** The draft that is written to (undefined: a new one is created). */
  dep: Deposition | undefined;
  /** Whose files the local ones are compared with: the draft, or (dry run) the version a new draft would copy. */
  compareWith: Deposition | undefined;
  kind: ZenodoDeposit['deposition'];
  base: Metadata;
  /** What this command remembers between runs (state file); undefined with --deposition. */
  stateKey: UploadKey | undefined;
  notes: string[];
  /** The same command after it published its record (a step after publishing failed): nothing is sent. */
  rerun?: boolean | undefined;
}

export async function runZenodoUpload(ports: DepositPorts, input: DepositInput): Promise<ZenodoDeposit> {
  const local = await readLocal(ports, input);
  const target = await findTarget(ports, input, local);
  const { result, plans, metadata } = await makePlan(ports, input, local, target);
  if (input.dryRun) return result;
  return execute(ports, input, local, target, result, plans, metadata);
}

// ---- 1. everything local -------------------------------------------------------------------------

async function readLocal(ports: DepositPorts, input: DepositInput): Promise<Local> {
  // Read (and checked) by the descriptor's readOptions before the workflow ran; a copy, since a
  // continued draft sets its deposition.
  const o = { ...(input.read as ZenodoOptions) };
  const { inputs, skipped } = await readSelection(ports, input);
  const plan = await planSources(inputs, o.zip);
  const meta = await readLocalMetadata(ports, input, inputs, o);
  return { o, givenDeposition: o.deposition !== undefined, plan, inputs, skipped, meta };
}

// ---- 2. the target deposition --------------------------------------------------------------------

async function findTarget(ports: DepositPorts, input: DepositInput, local: Local): Promise<Target> {
  const { o } = local;
  const notes: string[] = [];
  const login = input.dryRun && o.deposition === undefined && o.newVersion === undefined ? await ports.login({ optional: true }) : await ports.login();
  if (!login) {
    notes.push('Not logged in to Zenodo: the plan is made from the local files alone (a new draft would be created).');
    return { client: undefined, dep: undefined, compareWith: undefined, kind: 'created', base: {}, stateKey: undefined, notes };
  }
  const client = new ZenodoClient(login.http);
  const t: Target = { client, dep: undefined, compareWith: undefined, kind: 'created', base: {}, stateKey: undefined, notes };
  // What this command remembers between runs: the draft it made, until it is published.
  t.stateKey = uploadKey('zenodo', client.http.base, input.cwd, input.paths, o.newVersion !== undefined ? { kind: 'new-version', of: String(o.newVersion) } : { kind: 'record' });
  if (o.deposition === undefined && o.newVersion === undefined && !o.newRecord) await continueOwnDraft(ports, input, local, t, login.endpoints.host);

  if (o.deposition !== undefined) {
    t.kind = 'existing';
    t.dep = await client.get(o.deposition);
    if (t.dep.state === 'done' && !t.rerun) {
      throw new UsageError(`Deposition ${t.dep.id} is published; the files of a published record cannot change.`, {
        hint: `Start its next version instead: rdp upload ${input.paths.map(shellQuote).join(' ')} --to zenodo --new-version ${t.dep.id}`,
      });
    }
    t.base = t.dep.metadata;
  } else if (o.newVersion !== undefined) {
    await startNewVersion(ports, input, local, t, o.newVersion);
  }
  t.compareWith ??= t.dep;
  return t;
}

/** The same command again: the draft it made before, until that draft is published. */
async function continueOwnDraft(ports: DepositPorts, input: DepositInput, local: Local, t: Target, host: string): Promise<void> {
  const client = t.client as ZenodoClient;
  const key = t.stateKey as UploadKey;
  const left = await ports.state.read(key);
  const draft = left ? await getIfThere(client, Number(left.id)) : undefined;
  if (left && draft && !draft.submitted) {
    local.o.deposition = draft.id;
    ports.log.info(`Continuing draft ${draft.id}, which this command created on ${left.created.slice(0, 16).replace('T', ' ')} (--new-record starts a separate record).`);
  } else if (left && draft) {
    // With --publish, the same command again after a step that follows publishing failed (ORCID,
    // the plan, Zotero): the record stays as it is and only the missing steps run, provided the
    // local files are what was published (checked with the plan; otherwise the refusal below).
    if (!input.publish || draft.state !== 'done' || !(await ports.links.unfinished(journalRecord(host, draft.id)))) throw alreadyPublished(draft, input, false);
    local.o.deposition = draft.id;
    t.rerun = true;
    ports.log.info(`This command published record ${draft.id} already; the steps after publishing that are still missing run now.`);
  } else if (left) {
    ports.log.info(`Draft ${left.id}, which this command created earlier, is gone from Zenodo${input.dryRun ? '; a new draft would be created' : '; creating a new one'}.`);
    if (!input.dryRun) await ports.state.update(key, () => undefined);
  }
}

async function startNewVersion(ports: DepositPorts, input: DepositInput, local: Local, t: Target, id: number): Promise<void> {
  const client = t.client as ZenodoClient;
  t.kind = 'new-version';
  const record = await versionBase(ports, client, id);
  // This very command published the latest version already: a second, identical one is refused.
  const left = input.publish && t.stateKey ? await ports.state.read(t.stateKey) : undefined;
  if (left?.published && left.id === record.id) throw alreadyPublished(record, input, true);
  t.base = record.metadata;
  // Check what can be checked against the published metadata before a draft is made.
  const merged = mergeMetadata(t.base, local.meta, { newVersion: true }, ports.clock.now());
  if (input.publish) requirePublishable(merged);
  checkSavable(merged, input.publish, ports.clock.now());
  if (input.dryRun) {
    const open = await client.openDraftOf(record.conceptrecid);
    if (open) {
      t.dep = open;
      t.notes.push(`The new-version draft ${open.id} exists already and would be used.`);
    } else {
      t.compareWith = record;
      t.notes.push(`A new-version draft of ${record.id} would be created (it starts with the files of ${record.id}).`);
    }
  } else {
    t.dep = await client.newVersion(record);
    ports.log.info(`New version of ${record.id}: draft ${t.dep.id}${t.dep.links.html ? ` (${t.dep.links.html})` : ''}.`);
    t.base = t.dep.metadata;
  }
}

/** A deposition that may be gone (404): undefined then. */
async function getIfThere(client: ZenodoClient, id: number): Promise<Deposition | undefined> {
  try {
    return await client.get(id);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * The published record a new version follows: the latest version of the id given, which may be a
 * version's id or the concept (all-versions) id that Zenodo redirects to the latest version.
 */
async function versionBase(ports: DepositPorts, client: ZenodoClient, id: number): Promise<Deposition> {
  let record = await getIfThere(client, id);
  if (!record) {
    const latest = await client.latestVersionId(id).catch(() => undefined);
    if (latest === undefined) {
      throw new NotFoundError(`Zenodo has no record ${id} that you can access (neither a version's id nor a concept id).`, {
        hint: 'Check the id (the number in the record URL, or its concept id), and that the token belongs to its owner. `rdp uploads list --on zenodo` shows yours.',
      });
    }
    ports.log.info(`${id} is the concept id of a record; its latest version is ${latest}.`);
    record = await client.get(latest);
  }
  if (!record.submitted) {
    throw new UsageError(`Deposition ${record.id} has never been published, so it has no versions.`, {
      hint: `Upload into the draft itself: --deposition ${record.id}`,
    });
  }
  const latest = await client.latestVersionId(record.id).catch(() => undefined);
  if (latest !== undefined && latest !== record.id) {
    ports.log.info(`${record.id} is not the latest version; the new version follows the latest, ${latest}.`);
    record = await client.get(latest);
  }
  return record;
}

/** The same command after its draft was published: refused, with the two ways on. */
function alreadyPublished(dep: Deposition, input: DepositInput, version: boolean): FailureError {
  const paths = input.paths.map(shellQuote).join(' ');
  const doi = dep.doi ?? dep.reservedDoi;
  const record = `${doi ? `${doi} ` : ''}(record ${dep.id}${depUrl(dep) ? `, ${depUrl(dep)}` : ''})`;
  const message = version
    ? `This command published the latest version already: ${record}. Running it again would publish one more version, with another DOI.`
    : `This command's upload is published already: ${record}. Running it again would make a second record with a second DOI.`;
  return new FailureError('ALREADY_PUBLISHED', message, {
    hint: `${version ? 'For one more version on purpose, name the version it follows' : 'For the next version of that record'}: rdp upload ${paths} --to zenodo --new-version ${dep.id}${input.publish ? ' --publish' : ''}
For a separate record on purpose: ${version ? 'use --new-record instead of --new-version' : 'add --new-record'}.`,
    details: { id: dep.id, doi: doi ?? null },
  });
}

// ---- 3. the plan ---------------------------------------------------------------------------------

async function makePlan(ports: DepositPorts, input: DepositInput, local: Local, t: Target): Promise<{ result: ZenodoDeposit; plans: FilePlan[]; metadata: Metadata }> {
  const metadata = mergeMetadata(t.base, local.meta, { newVersion: t.kind === 'new-version' }, ports.clock.now());
  if (input.publish) requirePublishable(metadata);
  checkSavable(metadata, input.publish, ports.clock.now());
  const dep = t.dep;
  const metadataChanged = !dep || !sameMetadata(metadata, cleanRemote(dep.metadata));
  const remoteFiles = t.client && t.compareWith ? await t.client.files(t.compareWith) : [];
  const plans = await planFiles(ports, local.plan.sources, remoteFiles, { deleteExtra: local.o.deleteExtra, concurrency: local.o.concurrency });
  checkRecordLimits(plans);
  if (t.rerun && dep && changesFiles(plans)) throw alreadyPublished(dep, input, false);
  if (dep?.submitted && changesFiles(plans)) {
    throw new UsageError(`Deposition ${dep.id} is published (being edited), and the files of a published record cannot change.`, {
      hint: `Start a new version for changed files: --new-version ${dep.id}`,
    });
  }
  const result: ZenodoDeposit = {
    provider: 'zenodo',
    dryRun: input.dryRun,
    deposition: t.kind,
    id: null,
    url: null,
    doi: null,
    doiRegistered: false,
    conceptDoi: null,
    state: null,
    published: false,
    metadataSource: local.meta.file?.path ?? null,
    metadataChanged,
    metadata,
    files: [],
    skipped: local.skipped,
    bytesSent: 0,
    notes: t.notes,
  };
  if (input.dryRun && local.o.writeDoi) {
    const folders = citationFolders(local.inputs);
    result.notes.push(folders.length ? `--write-doi: the draft's DOI would be written into ${CFF_FILE} (where it exists) before the files are sent.` : `--write-doi: no folder to write a DOI into.`);
  }
  describe(result, dep, plans);
  if (input.dryRun && input.publish && !result.published) result.notes.push('--publish: once the files are in, the draft would be published (its DOI registered; the files of a published record cannot change).');
  return { result, plans, metadata };
}

function depUrl(dep: Deposition): string | null {
  return dep.links.recordHtml && dep.submitted ? dep.links.recordHtml : (dep.links.html ?? null);
}

/** The result's view of the deposition and the files. */
function describe(result: ZenodoDeposit, dep: Deposition | undefined, plans: FilePlan[]): void {
  result.id = dep?.id ?? null;
  result.url = dep ? depUrl(dep) : null;
  result.doi = dep ? (dep.doi ?? dep.reservedDoi ?? null) : null;
  result.doiRegistered = Boolean(dep?.doi && dep.submitted);
  result.conceptDoi = dep?.conceptDoi ?? null;
  result.state = dep?.state ?? null;
  result.published = Boolean(dep?.submitted && dep.state === 'done');
  result.files = plans.map((p) => ({ name: p.name, size: p.size, action: p.action, md5: p.md5 }));
}

// ---- 4. remote changes ---------------------------------------------------------------------------

/** Zenodo refused the metadata (400 with field errors): say so, and that no file was sent. */
function rejected(err: unknown): never {
  if (err instanceof ApiError && err.status === 400 && err.code === 'API_ERROR') {
    throw new ApiError(err.provider, err.status, `Zenodo refused the metadata: ${err.message.replace(/^Zenodo answered 400 to [A-Z]+ \S+: /, '')}`, {
      code: 'METADATA_REJECTED',
      hint: 'Fix the fields named above (in the metadata file or the flags); no file was sent.',
      body: err.body,
      details: err.details,
    });
  }
  throw err;
}

async function execute(
  ports: DepositPorts,
  input: DepositInput,
  local: Local,
  t: Target,
  result: ZenodoDeposit,
  planned: FilePlan[],
  metadata: Metadata,
): Promise<ZenodoDeposit> {
  let plans = planned;
  const client = t.client;
  if (!client) throw new FailureError('INTERNAL', 'no Zenodo client');
  if (t.rerun && t.dep) {
    // Published by this command before: nothing to send or change here; the steps after publishing follow.
    if (result.metadataChanged) result.notes.push(`The metadata differs from what record ${t.dep.id} was published with; rdp leaves a published record as it is (use --new-version for changes).`);
    describe(result, t.dep, plans);
    return result;
  }
  const remembers = !local.givenDeposition && t.stateKey !== undefined;
  let dep = t.dep;
  if (!dep) {
    dep = await createDraft(ports, client, metadata).catch(rejected);
    ports.log.info(`Created draft ${dep.id}${dep.links.html ? ` (${dep.links.html})` : ''}${dep.reservedDoi ? `; reserved DOI ${dep.reservedDoi}` : '; Zenodo reserved no DOI for it (yet)'}.`);
  }
  if (remembers && t.stateKey) await ports.state.rememberDraft(t.stateKey, dep);
  const draft = dep;
  const resume = input.resume(draft.id);
  try {
    if (local.o.writeDoi) plans = await writeDoi(ports, input, local, client, dep, plans, result);
    if (t.kind !== 'created' && result.metadataChanged) dep = await client.updateMetadata(dep, metadata).catch(rejected);
    dep = await sendFiles(ports, client, dep, plans, local.o.concurrency, resume, result);
    if (input.publish) {
      dep = await publishDraft(client, dep, resume);
      if (remembers && t.stateKey) await ports.state.rememberPublished(t.stateKey, dep);
      ports.log.success(`Published ${dep.doi ? `${dep.doi} ` : ''}(${depUrl(dep) ?? dep.id}).`);
      // --dmp (the plan's side), --orcid-work and --zotero follow as the steps of `rdp publish` (the workflow runs them).
    }
  } catch (err) {
    if (ports.signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`Interrupted. Deposition ${draft.id} is kept as a draft${draft.links.html ? ` (${draft.links.html})` : ''}, with what had arrived.`, {
        hint: `Resume with: ${resume}\n(or run the same command again on this machine)`,
      });
    }
    throw err;
  }
  describe(result, dep, plans);
  return result;
}

/** The sync of the files, then the check that the draft holds exactly them. */
async function sendFiles(ports: DepositPorts, client: ZenodoClient, dep: Deposition, plans: FilePlan[], concurrency: number, resume: string, result: ZenodoDeposit): Promise<Deposition> {
  const outcome = await executePlan(ports, client, dep, plans, concurrency);
  if (ports.signal.aborted) throw new CancelledError();
  result.bytesSent = outcome.bytesSent;
  if (outcome.failures.length) throw failureError(outcome, plans.filter((p) => p.action === 'upload' || p.action === 'replace').length, resume);
  for (const p of plans) {
    const sent = outcome.sent.find((s) => s.name === p.name);
    if (sent) p.md5 = sent.md5;
  }
  if (!outcome.unverified.length && !outcome.deleted.length) return dep;
  const now = await client.get(dep.id);
  verifyFinal(plans, await client.files(now));
  return now;
}

/**
 * --write-doi: the draft's DOIs into the CITATION.cff of the folders being sent, before their files
 * go (so the published file cites itself). A folder without one gets a warning, never a new file. When
 * a file changed, what is sent is read again (its size and checksum are new).
 */
async function writeDoi(ports: DepositPorts, input: DepositInput, local: Local, client: ZenodoClient, dep: Deposition, plans: FilePlan[], result: ZenodoDeposit): Promise<FilePlan[]> {
  const dois = reservedDois(dep);
  if (!dois) {
    ports.log.warn(`Zenodo reserved no DOI for draft ${dep.id}, so --write-doi wrote nothing.`);
    return plans;
  }
  const written = await writeDoiToFolders(ports.log, input.cwd, local.inputs, dois);
  result.citation = written.citation;
  const { changed } = written;
  if (!changed) return plans;
  const inputs = await readInputs(input.paths, input.cwd, { includeHidden: input.includeHidden, exclude: input.exclude });
  local.inputs = inputs;
  local.plan = await planSources(inputs, local.o.zip);
  const next = await planFiles(ports, local.plan.sources, await client.files(dep), { deleteExtra: local.o.deleteExtra, concurrency: local.o.concurrency });
  checkRecordLimits(next);
  return next;
}

