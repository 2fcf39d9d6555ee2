// `rdp publish <deposition-id>` on Zenodo (the `publish` capability): the steps for one deposition,
// in order, each looking at Zenodo before it acts so that a re-run is safe:
//   citation.doi  --write-doi (a draft only): the reserved DOIs into ./CITATION.cff, and the draft's
//                 CITATION.cff replaced by it when the draft holds one (the published file cites itself)
//   zenodo.dmp    --dmp, the deposit's side: the plan's DOI as a related identifier of the draft
//   publish       publish the draft (a published record: `already`)
// The links to the other services (the plan gets the DOI, ORCID, Zotero) are added by the workflow.
import { join } from 'node:path';
import { CFF_FILE, writeDoiToCitation } from '../../citation/write-doi.js';
import { UsageError } from '../../errors/errors.js';
import type { StepResult, Step } from '../../publish/steps.js';
import { readInputs } from '../../transfer/local.js';
import type { PublishInput, PublishPlan, PublishPorts } from '../types.js';
import { type Deposition, ZenodoClient } from './client.js';
import { cleanRemote, dmpRelated, type Metadata, publishedRecord } from './deposit/metadata.js';
import { publishDraft } from './deposit/publish.js';
import { planSources } from './deposit/sources.js';
import { executePlan, failureError, planFiles, verifyFinal } from './deposit/sync.js';
import { reservedDois } from './reserved-doi.js';
import { journalRecord } from './types.js';

export interface ZenodoPublishOptions {
  writeDoi: boolean;
}

const isPublished = (d: Deposition) => d.submitted && d.state === 'done';
const pageOf = (d: Deposition) => (d.links.recordHtml && d.submitted ? d.links.recordHtml : (d.links.html ?? null));

export async function plan(ports: PublishPorts, input: PublishInput): Promise<PublishPlan> {
  const o = input.read as ZenodoPublishOptions;
  const id = Number(input.id); // checked by the descriptor's checkId
  const login = await ports.login();
  const client = new ZenodoClient(login.http);
  let dep = await client.get(id);
  // What --dmp names is resolved before anything changes (a plan number needs a DMPTool login).
  const dmpId = input.links.dmp !== undefined ? await ports.dmpIdentifier(input.links.dmp, '--dmp') : undefined;
  if (!isPublished(dep) && dep.submitted) {
    throw new UsageError(`Deposition ${dep.id} is a published record being edited; rdp publishes drafts and links published records.`, {
      hint: `Save or discard the edit on Zenodo (${pageOf(dep) ?? dep.links.self}), then run the same command again.`,
    });
  }

  const steps: Step[] = [];
  if (o.writeDoi && !input.afterUpload) {
    steps.push({
      id: 'citation.doi',
      run: async (): Promise<StepResult> => {
        if (isPublished(dep)) return { status: 'skipped', reason: `Deposition ${dep.id} is published, so its ${CFF_FILE} cannot change.`, code: 'PUBLISHED' };
        const dois = reservedDois(dep);
        if (!dois) return { status: 'skipped', reason: `Zenodo reserved no DOI for draft ${dep.id}.`, code: 'NO_RESERVED_DOI' };
        const w = await writeDoiToCitation(input.cwd, dois);
        if (w.outcome === 'no-file') {
          return { status: 'skipped', reason: `There is no ${CFF_FILE} in ${input.cwd}; rdp creates none.`, code: 'NO_CITATION_FILE', detail: { hint: `Run rdp publish in the folder that holds the ${CFF_FILE}.` } };
        }
        // The draft's copy is replaced by the local one when it differs (same name, size and MD5 is kept).
        const remote = (await client.files(dep)).find((f) => f.name === CFF_FILE);
        let sent = false;
        if (remote) {
          const inputs = await readInputs([join(input.cwd, CFF_FILE)], input.cwd, {});
          const local = await planSources(inputs, undefined);
          const plans = (await planFiles(ports, local.sources, [remote], { deleteExtra: false, concurrency: 1 })).filter((p) => p.source);
          if (plans.some((p) => p.action !== 'skip')) {
            const outcome = await executePlan(ports, client, dep, plans, 1);
            if (outcome.failures.length) throw failureError(outcome, 1, 'rdp publish (the same command)');
            dep = await client.get(dep.id);
            verifyFinal(plans, (await client.files(dep)).filter((f) => f.name === CFF_FILE));
            sent = true;
          }
        } else ports.log.warn(`Draft ${dep.id} holds no ${CFF_FILE}; only the local file got the DOI.`);
        const detail = { doi: dois.concept, versionDoi: dois.version, file: w.path, draftFile: sent ? 'replaced' : remote ? 'unchanged' : 'none' };
        return { status: w.outcome === 'written' || sent ? 'done' : 'already', detail };
      },
    });
  }
  if (dmpId !== undefined) {
    const wanted = dmpRelated(dmpId);
    steps.push({
      id: 'zenodo.dmp',
      run: async (): Promise<StepResult> => {
        const related = (cleanRemote(dep.metadata).related_identifiers as Metadata[] | undefined) ?? [];
        if (related.some((r) => r.identifier === wanted.identifier)) return { status: 'already', detail: { identifier: dmpId } };
        if (isPublished(dep)) {
          return {
            status: 'skipped',
            reason: `Deposition ${dep.id} is published; rdp does not change a published record's metadata.`,
            code: 'PUBLISHED',
            detail: { hint: `Add ${dmpId} (isDocumentedBy) to the record's related identifiers on Zenodo, or with the next version (rdp upload … --new-version ${dep.id} --dmp …).` },
          };
        }
        const md = cleanRemote(dep.metadata);
        md.related_identifiers = [...related, wanted];
        dep = await client.updateMetadata(dep, md);
        return { status: 'done', detail: { identifier: dmpId } };
      },
    });
  }
  steps.push({
    id: 'publish',
    run: async (): Promise<StepResult> => {
      if (isPublished(dep)) return { status: 'already', detail: { doi: dep.doi ?? '' } };
      dep = await publishDraft(client, dep, `rdp publish ${dep.id}`);
      ports.log.info(`Published ${dep.doi ?? ''} (${pageOf(dep) ?? dep.id}).`);
      return { status: 'done', detail: { doi: dep.doi ?? '' } };
    },
  });

  return {
    record: journalRecord(login.endpoints.host, dep.id),
    id: dep.id,
    steps,
    doiStep: 'publish',
    published() {
      const doi = dep.doi;
      if (!isPublished(dep) || !doi) return undefined;
      return publishedRecord(cleanRemote(dep.metadata), doi, `https://doi.org/${doi}`);
    },
    summary: () => ({ url: pageOf(dep), doi: dep.doi ?? dep.reservedDoi ?? null, published: isPublished(dep) }),
  };
}
