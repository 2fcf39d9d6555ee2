// `rdp upload <path>... --to zenodo`: local checks first (inputs, names, limits, metadata, logins),
// then the target deposition (a new draft, --deposition, or the draft of --new-version), the sync of
// the files, the metadata, and only with --publish the publication (and --zotero).
//
// Order of remote changes, so that a failure leaves the least behind: nothing is changed until every
// local check passed; a new draft is created with its metadata in one request (Zenodo validates it);
// deletions come before uploads (to make room); publishing is last. Ctrl-C keeps the draft and prints
// the command that resumes it.
import type { Context } from '../../../context.js';
import { ApiError, CancelledError, FailureError, NotFoundError, UsageError } from '../../../errors/errors.js';
import type { Deposition, ZenodoClient } from '../client.js';
import { readInputs } from '../../../transfer/local.js';
import { checkExcludes, countLeftOut } from '../../../transfer/selection.js';
import { readUploadState, rememberDraft, rememberPublished, type UploadKey, uploadKey, updateUploadState } from '../../../workflows/upload-state.js';
import { createDraft } from './create.js';
import { dmpIdentifier } from '../../dmptool/dmp.js';
import {
  checkMetadata,
  cleanRemote,
  findMetadataFile,
  flagMetadata,
  type LocalMetadata,
  type Metadata,
  mergeMetadata,
  requirePublishable,
  sameMetadata,
} from './metadata.js';
import { checkOptions, resumeCommand, shellQuote, type ZenodoUploadOptions } from './options.js';
import { orcidCreator } from '../../orcid/works.js';
import { publishDraft } from './publish.js';
import { planSources } from './sources.js';
import { changesFiles, checkRecordLimits, executePlan, type FileAction, failureError, planFiles, verifyFinal } from './sync.js';
import { addToZotero, requireZotero, zoteroItem } from '../../zotero/library.js';

export interface UploadFileResult {
  name: string;
  size: number;
  action: FileAction;
  md5?: string | undefined;
}

export interface ZenodoUploadResult {
  service: 'zenodo';
  dryRun: boolean;
  /** What happened to the deposition: a new draft, an existing one, the draft of a new version. */
  deposition: 'created' | 'existing' | 'new-version';
  id: number | null;
  url: string | null;
  /** The final DOI after publishing, else the reserved one. */
  doi: string | null;
  doiRegistered: boolean;
  conceptDoi: string | null;
  state: string | null;
  published: boolean;
  metadataSource: string | null;
  metadataChanged: boolean;
  metadata: Metadata;
  files: UploadFileResult[];
  /** What the named folders leave out, and why (hidden, --exclude, .rdpignore, loops). */
  skipped: { path: string; why: string }[];
  bytesSent: number;
  zotero?: { key: string; userId: string } | undefined;
  notes: string[];
}

async function localMetadata(ctx: Context, opts: ZenodoUploadOptions, inputs: Awaited<ReturnType<typeof readInputs>>): Promise<LocalMetadata> {
  const warn = (t: string) => ctx.io.warn(t);
  const file = await findMetadataFile(ctx, inputs, opts.metadata);
  if (file) {
    file.metadata = checkMetadata(file.metadata, file.path, warn);
    const flags = opts.title || opts.description || opts.uploadType || opts.license || opts.creator?.length || opts.keyword?.length || opts.orcidCreator || opts.dmp;
    ctx.io.info(`Metadata from ${file.path}${flags ? ', then the flags' : ''}.`);
  }
  const flags = flagMetadata(opts, (text) => ctx.io.warn(text));
  const local: LocalMetadata = { file, ...flags };
  if (opts.orcidCreator) local.creators.push(await orcidCreator(ctx, opts.sandbox));
  if (opts.dmp !== undefined) local.related.push(await dmpIdentifier(ctx, opts.dmp));
  return local;
}

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

function depUrl(dep: Deposition): string | null {
  return dep.links.recordHtml && dep.submitted ? dep.links.recordHtml : (dep.links.html ?? null);
}

/** The same command after its draft was published: refused, with the two ways on. */
function alreadyPublished(dep: Deposition, opts: ZenodoUploadOptions, version: boolean): FailureError {
  const paths = opts.paths.map(shellQuote).join(' ');
  const doi = dep.doi ?? dep.reservedDoi;
  const record = `${doi ? `${doi} ` : ''}(record ${dep.id}${depUrl(dep) ? `, ${depUrl(dep)}` : ''})`;
  const message = version
    ? `This command published the latest version already: ${record}. Running it again would publish one more version, with another DOI.`
    : `This command's upload is published already: ${record}. Running it again would make a second record with a second DOI.`;
  return new FailureError('ALREADY_PUBLISHED', message, {
    hint: `${version ? 'For one more version on purpose, name the version it follows' : 'For the next version of that record'}: rdp upload ${paths} --to zenodo --new-version ${dep.id}${opts.publish ? ' --publish' : ''}
For a separate record on purpose: ${version ? 'use --new-record instead of --new-version' : 'add --new-record'}.`,
    details: { id: dep.id, doi: doi ?? null },
  });
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
async function versionBase(ctx: Context, client: ZenodoClient, id: number): Promise<Deposition> {
  let record = await getIfThere(client, id);
  if (!record) {
    const latest = await client.latestVersionId(id).catch(() => undefined);
    if (latest === undefined) {
      throw new NotFoundError(`Zenodo has no record ${id} that you can access (neither a version's id nor a concept id).`, {
        hint: 'Check the id (the number in the record URL, or its concept id), and that the token belongs to its owner. `rdp uploads list --on zenodo` shows yours.',
      });
    }
    ctx.io.info(`${id} is the concept id of a record; its latest version is ${latest}.`);
    record = await client.get(latest);
  }
  if (!record.submitted) {
    throw new UsageError(`Deposition ${record.id} has never been published, so it has no versions.`, {
      hint: `Upload into the draft itself: --deposition ${record.id}`,
    });
  }
  const latest = await client.latestVersionId(record.id).catch(() => undefined);
  if (latest !== undefined && latest !== record.id) {
    ctx.io.info(`${record.id} is not the latest version; the new version follows the latest, ${latest}.`);
    record = await client.get(latest);
  }
  return record;
}

export async function runZenodoUpload(ctx: Context, opts: ZenodoUploadOptions): Promise<ZenodoUploadResult> {
  const ids = checkOptions(opts);
  const dryRun = Boolean(opts.dryRun);
  const notes: string[] = [];

  // 1. Everything local.
  checkExcludes(opts.exclude);
  const inputs = await readInputs(opts.paths, ctx.cwd, { includeHidden: opts.includeHidden, exclude: opts.exclude });
  const skipped = inputs.flatMap((i) => i.skipped.map((x) => ({ path: `${i.arg.replace(/\/+$/, '')}/${x.rel}`, why: x.why })));
  if (skipped.length && !dryRun) ctx.io.info(`Left out of the upload: ${countLeftOut(skipped)} (--dry-run lists them, with the reason).`);
  const local = await planSources(inputs, opts.zip);
  const meta = await localMetadata(ctx, opts, inputs);
  const zoteroCred = opts.zotero ? await requireZotero(ctx) : undefined;

  // 2. Zenodo: who, and which deposition.
  const [{ requireCredential, apiClient }, { findLogin }] = await Promise.all([import('../../../auth/credentials.js'), import('../../../auth/find.js')]);
  const cred = dryRun && ids.deposition === undefined && ids.newVersion === undefined ? await findLogin(ctx, 'zenodo', opts.sandbox) : await requireCredential(ctx, 'zenodo', opts.sandbox);
  let client: ZenodoClient | undefined;
  if (cred) {
    const { ZenodoClient } = await import('../client.js');
    client = new ZenodoClient(await apiClient(ctx, cred));
  } else {
    notes.push('Not logged in to Zenodo: the plan is made from the local files alone (a new draft would be created).');
  }

  /** The draft that is written to (undefined: a new one is created). */
  let dep: Deposition | undefined;
  /** Whose files the local ones are compared with: the draft, or (dry run) the version a new draft would copy. */
  let compareWith: Deposition | undefined;
  let kind: ZenodoUploadResult['deposition'] = 'created';
  let base: Metadata = {};
  // What this command remembers between runs (state.ts): the draft it made, until it is published.
  const remembers = ids.deposition === undefined;
  const stateKey: UploadKey | undefined = client
    ? uploadKey(client.http.base, ctx.cwd, opts.paths, ids.newVersion !== undefined ? { kind: 'new-version', of: String(ids.newVersion) } : { kind: 'record' })
    : undefined;
  if (client && stateKey && ids.deposition === undefined && ids.newVersion === undefined && !opts.newRecord) {
    const left = await readUploadState(ctx, stateKey);
    const draft = left ? await getIfThere(client, left.id) : undefined;
    if (left && draft && !draft.submitted) {
      ids.deposition = draft.id;
      ctx.io.info(`Continuing draft ${draft.id}, which this command created on ${left.created.slice(0, 16).replace('T', ' ')} (--new-record starts a separate record).`);
    } else if (left && draft) {
      throw alreadyPublished(draft, opts, false);
    } else if (left) {
      ctx.io.info(`Draft ${left.id}, which this command created earlier, is gone from Zenodo${dryRun ? '; a new draft would be created' : '; creating a new one'}.`);
      if (!dryRun) await updateUploadState(ctx, stateKey, () => undefined);
    }
  }
  if (client && ids.deposition !== undefined) {
    kind = 'existing';
    dep = await client.get(ids.deposition);
    if (dep.state === 'done') {
      throw new UsageError(`Deposition ${dep.id} is published; the files of a published record cannot change.`, {
        hint: `Start its next version instead: rdp upload ${opts.paths.map(shellQuote).join(' ')} --to zenodo --new-version ${dep.id}`,
      });
    }
    base = dep.metadata;
  } else if (client && ids.newVersion !== undefined) {
    kind = 'new-version';
    const record = await versionBase(ctx, client, ids.newVersion);
    // This very command published the latest version already: a second, identical one is refused.
    const left = opts.publish && stateKey ? await readUploadState(ctx, stateKey) : undefined;
    if (left?.published && left.id === record.id) throw alreadyPublished(record, opts, true);
    base = record.metadata;
    // Check what can be checked against the published metadata before a draft is made.
    if (opts.publish) requirePublishable(mergeMetadata(base, meta, { newVersion: true }));
    if (dryRun) {
      const open = await client.openDraftOf(record.conceptrecid);
      if (open) {
        dep = open;
        notes.push(`The new-version draft ${dep.id} exists already and would be used.`);
      } else {
        compareWith = record;
        notes.push(`A new-version draft of ${record.id} would be created (it starts with the files of ${record.id}).`);
      }
    } else {
      dep = await client.newVersion(record);
      ctx.io.info(`New version of ${record.id}: draft ${dep.id}${dep.links.html ? ` (${dep.links.html})` : ''}.`);
      base = dep.metadata;
    }
  }

  const metadata = mergeMetadata(base, meta, { newVersion: kind === 'new-version' });
  if (opts.publish) requirePublishable(metadata);
  compareWith ??= dep;
  const metadataChanged = !dep || !sameMetadata(metadata, cleanRemote(dep.metadata));

  // 3. The plan: what to send, skip, replace, delete.
  const remoteFiles = client && compareWith ? await client.files(compareWith) : [];
  const plans = await planFiles(ctx, local.sources, remoteFiles, { deleteExtra: Boolean(opts.deleteExtra), concurrency: opts.concurrency });
  checkRecordLimits(plans);
  if (dep?.submitted && changesFiles(plans)) {
    throw new UsageError(`Deposition ${dep.id} is published (being edited), and the files of a published record cannot change.`, {
      hint: `Start a new version for changed files: --new-version ${dep.id}`,
    });
  }
  const result: ZenodoUploadResult = {
    service: 'zenodo',
    dryRun,
    deposition: kind,
    id: dep?.id ?? null,
    url: dep ? depUrl(dep) : null,
    doi: dep ? (dep.doi ?? dep.reservedDoi ?? null) : null,
    doiRegistered: Boolean(dep?.doi && dep.submitted),
    conceptDoi: dep?.conceptDoi ?? null,
    state: dep?.state ?? null,
    published: Boolean(dep?.submitted && dep.state === 'done'),
    metadataSource: meta.file?.path ?? null,
    metadataChanged,
    metadata,
    files: plans.map((p) => ({ name: p.name, size: p.size, action: p.action, md5: p.md5 })),
    skipped,
    bytesSent: 0,
    notes,
  };
  if (dryRun) return result;
  if (!client) throw new FailureError('INTERNAL', 'no Zenodo client');

  // 4. Remote changes.
  if (!dep) {
    dep = await createDraft(ctx, client, metadata).catch(rejected);
    ctx.io.info(`Created draft ${dep.id}${dep.links.html ? ` (${dep.links.html})` : ''}; reserved DOI ${dep.reservedDoi ?? '?'}.`);
  }
  if (remembers && stateKey) await rememberDraft(ctx, stateKey, dep);
  const draft = dep;
  const resume = resumeCommand(opts, draft.id);
  try {
    if (kind !== 'created' && metadataChanged) dep = await client.updateMetadata(dep, metadata).catch(rejected);
    const outcome = await executePlan(ctx, client, dep, plans, opts.concurrency);
    if (ctx.signal.aborted) throw new CancelledError();
    result.bytesSent = outcome.bytesSent;
    if (outcome.failures.length) throw failureError(outcome, plans.filter((p) => p.action === 'upload' || p.action === 'replace').length, resume);
    for (const p of plans) {
      const sent = outcome.sent.find((s) => s.name === p.name);
      if (sent) p.md5 = sent.md5;
    }
    if (outcome.unverified.length || outcome.deleted.length) {
      dep = await client.get(dep.id);
      verifyFinal(plans, await client.files(dep));
    }

    if (opts.publish) {
      dep = await publishDraft(client, dep, resume);
      if (remembers && stateKey) await rememberPublished(ctx, stateKey, dep);
      ctx.io.success(`Published ${dep.doi ? `${dep.doi} ` : ''}(${depUrl(dep) ?? dep.id}).`);
      if (zoteroCred) {
        const doi = dep.doi ?? dep.reservedDoi ?? '';
        const item = zoteroItem(metadata, doi, doi ? `https://doi.org/${doi}` : (depUrl(dep) ?? ''));
        result.zotero = await addToZotero(ctx, zoteroCred, item);
        ctx.io.success(`Added to your Zotero library (item ${result.zotero.key}).`);
      }
    }
  } catch (err) {
    if (ctx.signal.aborted || err instanceof CancelledError) {
      throw new CancelledError(`Interrupted. Deposition ${draft.id} is kept as a draft${draft.links.html ? ` (${draft.links.html})` : ''}, with what had arrived.`, {
        hint: `Resume with: ${resume}\n(or run the same command again on this machine)`,
      });
    }
    throw err;
  }

  result.id = dep.id;
  result.url = depUrl(dep);
  result.doi = dep.doi ?? dep.reservedDoi ?? null;
  result.doiRegistered = Boolean(dep.doi && dep.submitted);
  result.conceptDoi = dep.conceptDoi ?? null;
  result.state = dep.state;
  result.published = dep.submitted && dep.state === 'done';
  result.files = plans.map((p) => ({ name: p.name, size: p.size, action: p.action, md5: p.md5 }));
  return result;
}
