// `rdp publish <record-id> --on <site>` (the `publish` capability of an InvenioRDM site), and the same
// steps after `rdp upload --to <site> --publish`: the steps for one draft or record, in order, each
// looking at the site before it acts so that a re-run is safe:
//   citation.doi  --write-doi (a draft only): the draft's DOI reserved, the DOIs into ./CITATION.cff,
//              and the draft's CITATION.cff replaced by it when the draft holds one
//   site.dmp   --dmp, the deposit's side: the plan's DOI among the draft's RDM `related_identifiers`
//              (is documented by); a published record is not changed (skipped, with the way on)
//   publish    POST /records/{id}/draft/actions/publish (a published record: `already`)
// The links to the other services (the plan gets the DOI, ORCID, Zotero) are added by the workflow.
// What the site requires before it publishes (resource type, title, creators, publication date) is
// checked before anything changes: MISSING_METADATA names the fields, and the draft stays as it is.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CFF_FILE, type RecordDois, writeDoiToCitation } from '../../citation/write-doi.js';
import { ApiError, InputError, NetworkError, NotFoundError } from '../../errors/errors.js';
import type { Log } from '../../ports.js';
import { fileSource } from '../../transfer/source.js';
import type { Step, StepResult } from '../../publish/steps.js';
import { isObj } from '../../util/guards.js';
import type { PublishedRecord, PublishInput, PublishPlan, PublishPorts } from '../types.js';
import { dmpRelated } from '../zenodo/deposit/metadata.js';
import { InvenioClient, type RdmRecord, type SiteNames } from './client.js';
import { missingForRdmPublish, rdmIdentifier, zenodoToRdm } from './metadata.js';
import type { SitePublishOptions } from './deposit/options.js';
import { planSync, syncFiles } from './sync.js';
import { siteJournalRecord } from './types.js';

type Md = Record<string, unknown>;

/** A record's page: a draft's is /uploads/<id>, a published record's /records/<id>. */
export function sitePage(r: RdmRecord): string | null {
  return (r.isPublished && !r.isDraft ? (r.links.selfHtml ?? r.links.recordHtml) : (r.links.selfHtml ?? r.links.recordHtml)) ?? null;
}

/** The published record, or undefined when the id names none (an unknown id, or a draft never published). */
async function publishedOrNone(client: InvenioClient, id: string): Promise<RdmRecord | undefined> {
  try {
    const r = await client.getRecord(id);
    return r.isPublished ? r : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * A refusal to publish that no field can fix: the site publishes only what its curators accepted
 * (invenio-curations, the curation package of TU Wien and TU Graz: CurationRequestNotAcceptedError, answered 400 with an
 * empty message and the placeholder error {metadata.title: "."}), or only a draft in a community
 * (RDM_COMMUNITY_REQUIRED_TO_PUBLISH: 400 "Cannot publish without selecting a community.").
 */
function publishGate(err: ApiError): { what: string; next: (site: SiteNames, id: string, then: string) => string } | undefined {
  const body = isObj(err.body) ? err.body : {};
  const message = typeof body.message === 'string' ? body.message : '';
  const fields = Array.isArray(body.fieldErrors) ? body.fieldErrors.filter(isObj) : [];
  const placeholder = fields.length === 1 && fields[0]?.field === 'metadata.title' && String(fields[0]?.message).trim() === '.';
  if (/not been curated/i.test(message) || (placeholder && !/validation/i.test(message))) {
    return {
      what: 'the site publishes a record only after one of its curators has accepted it, and this draft has not been accepted (yet).',
      next: (site, id, then) => `Submit draft ${id} for review on ${site.name} (\`rdp uploads list --on ${site.id}\` shows its page); once a curator has accepted it, ${then}`,
    };
  }
  if (/without (selecting )?a community/i.test(message)) {
    return {
      what: 'the site publishes a record only in a community, and this draft is in none.',
      next: (site, id) => `Submit draft ${id} to a community on ${site.name} (\`rdp uploads list --on ${site.id}\` shows its page); the community's curators publish it when they accept it.`,
    };
  }
  return undefined;
}

/** The site's refusal of a new version without the DOI of its own the previous version had. */
function needsOwnDoi(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.status !== 400 || !isObj(err.body) || !Array.isArray(err.body.fieldErrors)) return false;
  return err.body.fieldErrors.some((e) => isObj(e) && e.field === 'pids.doi' && /previous version used a DOI registered from/i.test(String(e.message)));
}

/**
 * Publish a draft. A 5xx or a lost answer is checked against the record (a slow publish may have gone
 * through); a refusal (400 with the fields the site named) is PUBLISH_FAILED, the draft kept.
 */
export async function publishSiteDraft(site: SiteNames, client: InvenioClient, id: string, then: string, log?: Log): Promise<RdmRecord> {
  try {
    try {
      return await client.publish(id);
    } catch (err) {
      // A site whose DOIs are optional: after a version with a DOI of the site's own, the next one needs one
      // too, which the site's upload form reserves when asked (invenio-rdm-records components/pids.py
      // validate_optional_doi). rdp reserves it and publishes again.
      if (!needsOwnDoi(err)) throw err;
      const reserved = await client.reserveDoi(id);
      log?.info(`${site.name} gives every version of this record a DOI of its own once one had it: reserved ${reserved.doi ?? 'a DOI'} for draft ${id}.`);
      return await client.publish(id);
    }
  } catch (err) {
    if ((err instanceof ApiError && err.status >= 500) || err instanceof NetworkError) {
      const now = await publishedOrNone(client, id).catch(() => undefined);
      if (now) return now;
    }
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.code === 'API_ERROR') {
      const gate = publishGate(err);
      if (gate) {
        throw new ApiError(err.provider, err.status, `${site.name} did not publish draft ${id}: ${gate.what}`, { code: 'PUBLISH_FAILED', hint: `The draft and its files are kept. ${gate.next(site, id, then)}`, body: err.body });
      }
      throw new ApiError(err.provider, err.status, `${site.name} did not publish draft ${id}: ${err.message.replace(/^.* answered \d+( to [A-Z]+ \S+)?: /, '')}`, {
        code: 'PUBLISH_FAILED',
        hint: `The draft and its files are kept. Fix the fields named above, then ${then}`,
        body: err.body,
        details: err.details,
      });
    }
    throw err;
  }
}

/**
 * The DOIs --write-doi writes for a site's draft (its DOI reserved first when it has none): `doi:` the
 * parent's DOI (all versions) where the record has one, which InvenioRDM mints when the first version
 * is published (invenio-rdm-records ParentPIDsComponent.publish); a first version has none yet, so
 * its own DOI stands in. undefined (with a warning) when the site reserves no DOI.
 */
export async function siteDois(site: SiteNames, ports: { log: Log }, client: InvenioClient, draft: RdmRecord): Promise<{ dois: RecordDois; draft: RdmRecord; firstVersion: boolean } | undefined> {
  let d = draft;
  if (!d.doi) {
    try {
      d = await client.reserveDoi(d.id);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || err.status === 401 || err.status === 403) throw err;
      ports.log.warn(`${site.name} reserved no DOI for draft ${d.id} (${err.message.replace(/^.* answered \d+( to [A-Z]+ \S+)?: /, '')}): its DOIs are probably not set up, so --write-doi wrote nothing.`);
      return undefined;
    }
    if (!d.doi) {
      ports.log.warn(`${site.name} answered without a DOI for draft ${d.id}, so --write-doi wrote nothing.`);
      return undefined;
    }
  }
  const version = d.doi as string;
  return { dois: { concept: d.parentDoi ?? version, version }, draft: d, firstVersion: !d.parentDoi };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** An RDM person or organisation as a library takes it: "Family, Given", or the name. */
function creatorName(c: unknown): string | undefined {
  const p = isObj(c) && isObj(c.person_or_org) ? c.person_or_org : undefined;
  if (!p) return undefined;
  const family = str(p.family_name);
  if (p.type !== 'organizational' && family) return str(p.given_name) ? `${family}, ${str(p.given_name)}` : family;
  return str(p.name) ?? family;
}

/** A published site record as the links describe it (ORCID, Zotero). */
export function sitePublishedRecord(site: SiteNames, r: RdmRecord, doi: string): PublishedRecord {
  const md = r.metadata;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObj) : []);
  const rights = list(md.rights)[0];
  return {
    title: str(md.title) ?? r.title,
    creators: list(md.creators).map(creatorName).filter((n): n is string => n !== undefined),
    date: str(md.publication_date) ?? (r.created ?? '').slice(0, 10),
    doi,
    url: `https://doi.org/${doi}`,
    repository: site.name,
    keywords: list(md.subjects).map((s) => str(s.subject) ?? str(s.id)).filter((k): k is string => k !== undefined),
    version: str(md.version),
    description: str(md.description),
    license: rights ? str(rights.id) : undefined,
  };
}

/** The identifier a related entry carries, compared without scheme prefixes and case. */
const sameId = (a: unknown, b: string) => typeof a === 'string' && (rdmIdentifier(a).identifier as string).toLowerCase() === (rdmIdentifier(b).identifier as string).toLowerCase();

const FIELD_HOW: Record<string, string> = { title: '--title (3 characters or more)', creators: '--creator "Family, Given"', resource_type: '--upload-type', publication_date: 'publication_date in the metadata file', publisher: 'imprint_publisher in the metadata file (the name of the site, as its upload form fills in)' };

export function sitePublishPlan(site: SiteNames) {
  return async function plan(ports: PublishPorts, input: PublishInput): Promise<PublishPlan> {
    const id = input.id;
    const login = await ports.login();
    const client = new InvenioClient(login.http, { site });
    let draft = await client.findDraft(id);
    let record: RdmRecord | undefined;
    if (draft?.isPublished) {
      // A published record with an open edit: the record is what is linked; the edit is left as it is
      // (publishing it would change a published record's metadata, which this command does not do).
      const edit = draft;
      draft = undefined;
      record = await publishedOrNone(client, id);
      if (record) ports.log.warn(`${id} is being edited on ${site.name}; rdp leaves the edit as it is (save or discard it on the site${sitePage(edit) ? `: ${sitePage(edit)}` : ''}).`);
    } else if (!draft) {
      record = await publishedOrNone(client, id);
    }
    if (!draft && !record) {
      throw new NotFoundError(`${site.name} has no draft or record ${id} that you can access.`, {
        hint: `Check the id (the part after /uploads/ or /records/ in its address), and that the token belongs to its owner. \`rdp uploads list --on ${site.id}\` shows your drafts and records with their ids.`,
      });
    }
    // What --dmp names is resolved before anything changes (a plan number needs a DMPTool login).
    const dmpId = input.links.dmp !== undefined ? await ports.dmpIdentifier(input.links.dmp, '--dmp') : undefined;
    // The site's required fields, before anything changes (the draft stays as it is).
    if (draft) {
      const missing = missingForRdmPublish(draft.metadata, draft.pids);
      if (missing.length) {
        const page = sitePage(draft);
        throw new InputError('MISSING_METADATA', `Cannot publish draft ${id}: ${site.name} requires ${missing.join(', ')}, and ${missing.length === 1 ? 'it is' : 'they are'} missing. The draft is kept as it is.`, {
          hint: `Add ${missing.map((m) => FIELD_HOW[m] ?? m).join(', ')} with \`rdp upload <folder> --to ${site.id} --deposition ${id}\` (or fill ${missing.length === 1 ? 'it' : 'them'} in${page ? ` at ${page}` : ' on the site'}), then run the same command again.`,
          details: { missing },
        });
      }
    }
    const current = (): RdmRecord => (record ?? draft) as RdmRecord;

    const steps: Step[] = [];
    const o = input.read as SitePublishOptions | undefined;
    if (o?.writeDoi && !input.afterUpload) {
      steps.push({
        id: 'citation.doi',
        run: async (): Promise<StepResult> => {
          if (!draft) return { status: 'skipped', reason: `${id} is published on ${site.name}, so its ${CFF_FILE} cannot change.`, code: 'PUBLISHED' };
          const got = await siteDois(site, ports, client, draft);
          if (!got) return { status: 'skipped', reason: `${site.name} reserved no DOI for draft ${draft.id} (its DOIs are probably not set up).`, code: 'NO_RESERVED_DOI' };
          draft = got.draft;
          const { dois } = got;
          const w = await writeDoiToCitation(input.cwd, dois);
          if (w.outcome === 'no-file') {
            return { status: 'skipped', reason: `There is no ${CFF_FILE} in ${input.cwd}; rdp creates none.`, code: 'NO_CITATION_FILE', detail: { hint: `Run rdp publish in the folder that holds the ${CFF_FILE}.` } };
          }
          if (got.firstVersion) ports.log.warn(`${site.name} mints the DOI of all versions only when the first version is published, so doi: names this version's DOI.`);
          // The draft's copy is replaced by the local one when it differs (same size and checksum is kept).
          const remote = (await client.listFiles(draft.id)).find((f) => f.key === CFF_FILE);
          let sent = false;
          if (remote) {
            const path = join(input.cwd, CFF_FILE);
            const st = await stat(path);
            const plan = await planSync(client, draft.id, [fileSource({ path, size: st.size, mtimeMs: st.mtimeMs }, CFF_FILE)], [remote], { concurrency: 1, signal: ports.signal });
            if (plan.some((p) => p.action !== 'skip' && p.action !== 'keep')) {
              const outcome = await syncFiles(client, draft.id, plan, { concurrency: 1, signal: ports.signal });
              const failed = outcome.failures[0];
              if (failed) throw failed.error;
              sent = true;
            }
          } else ports.log.warn(`Draft ${draft.id} holds no ${CFF_FILE}; only the local file got the DOI.`);
          const detail = { doi: dois.concept, versionDoi: dois.version, file: w.path, draftFile: sent ? 'replaced' : remote ? 'unchanged' : 'none' };
          return { status: w.outcome === 'written' || sent ? 'done' : 'already', detail };
        },
      });
    }
    if (dmpId !== undefined) {
      const wanted = (zenodoToRdm({ related_identifiers: [dmpRelated(dmpId)] }).body.metadata.related_identifiers as Md[])[0] as Md;
      steps.push({
        id: 'site.dmp',
        run: async (): Promise<StepResult> => {
          const related = (current().metadata.related_identifiers as Md[] | undefined) ?? [];
          if (related.some((r) => sameId(r.identifier, dmpId))) return { status: 'already', detail: { identifier: dmpId } };
          if (!draft) {
            return {
              status: 'skipped',
              reason: `${id} is published on ${site.name}; rdp does not change a published record's metadata.`,
              code: 'PUBLISHED',
              detail: { hint: `Add ${dmpId} (is documented by) to the record's related works on ${site.name}, or with its next version (rdp upload … --to ${site.id} --new-version ${id} --dmp …).` },
            };
          }
          const body = {
            metadata: { ...draft.metadata, related_identifiers: [...related, wanted] },
            access: draft.access ?? { record: 'public', files: 'public' },
            files: { enabled: draft.filesEnabled },
            ...(draft.pids ? { pids: draft.pids } : {}),
            ...(draft.customFields ? { custom_fields: draft.customFields } : {}),
          };
          const saved = await client.updateDraft(draft.id, body);
          // A draft is saved with what is valid: the identifier may have been left out, with the reason in `errors`.
          if (!((saved.metadata.related_identifiers as Md[] | undefined) ?? []).some((r) => sameId(r.identifier, dmpId))) {
            const why = saved.errors.filter((e) => e.field.startsWith('metadata.related_identifiers')).map((e) => `${e.field}: ${e.messages.join(' ')}`);
            throw new ApiError(site.id, 400, `${site.name} did not keep ${dmpId} among the draft's related identifiers${why.length ? `: ${why.join('; ')}` : '.'}`, {
              code: 'METADATA_REJECTED',
              hint: `Add it on the site${sitePage(draft) ? ` (${sitePage(draft)})` : ''}, or run the command without --dmp.`,
            });
          }
          draft = saved;
          return { status: 'done', detail: { identifier: dmpId } };
        },
      });
    }
    steps.push({
      id: 'publish',
      run: async (): Promise<StepResult> => {
        if (record) return { status: 'already', detail: { doi: record.doi ?? '' } };
        const d = draft as RdmRecord;
        record = await publishSiteDraft(site, client, d.id, 'run the same command again.', ports.log);
        ports.log.info(`Published ${record.doi ? `${record.doi} ` : ''}(${sitePage(record) ?? record.id}).`);
        return { status: 'done', detail: { doi: record.doi ?? '' } };
      },
    });

    return {
      record: siteJournalRecord(site.id, login.endpoints.host, current().id),
      id: current().id,
      steps,
      doiStep: 'publish',
      published() {
        if (!record?.isPublished || !record.doi) return undefined;
        return sitePublishedRecord(site, record, record.doi);
      },
      summary: () => ({ url: sitePage(current()), doi: current().doi ?? null, published: Boolean(record?.isPublished) }),
    };
  };
}
