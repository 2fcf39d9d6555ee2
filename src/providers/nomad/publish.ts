// `rdp publish <upload-id> --on nomad [--dataset NAME] [--doi]` (the `publish` capability), and the same
// after `rdp upload --to nomad --publish`: the steps for one upload, each looking at NOMAD first so that
// a re-run is safe (./datasets.ts):
//   publish        publish the upload and wait for it (a published upload: `already`)
//   nomad.dataset  --dataset NAME: the user's dataset NAME (made when missing) holding the upload's entries
//   nomad.doi      --doi: the dataset's DOI (permanent; the workflow asked before anything ran)
import { FailureError } from '../../errors/errors.js';
import type { Step, StepResult } from '../../publish/steps.js';
import type { PublishInput, PublishPlan, PublishPorts } from '../types.js';
import { NomadClient, type NomadUpload } from './client.js';
import { nomadJournalRecord } from './types.js';
import { ensureUploadDataset, mintDatasetDoi, uploadDatasetDoi } from './datasets.js';
import type { NomadPublishOptions } from './deposit/options.js';
import { waitForProcess } from './deposit/wait.js';

export async function plan(ports: PublishPorts, input: PublishInput): Promise<PublishPlan> {
  const o = input.read as NomadPublishOptions;
  const uploadId = input.id.trim();
  const login = await ports.login();
  const nomad = new NomadClient(login.http);
  let upload: NomadUpload = await nomad.getUpload(uploadId);
  const page = `${login.endpoints.web}/user/uploads/upload/id/${upload.uploadId}`;
  const checkHint = `Check it with \`rdp uploads list --on nomad\` or at ${page}.`;
  let datasetId: string | undefined;
  let doi: string | null = null;

  const steps: Step[] = [
    {
      id: 'publish',
      run: async (): Promise<StepResult> => {
        if (upload.published) return { status: 'already' };
        const publishing = await nomad.publish(upload.uploadId);
        upload = await waitForProcess(ports, nomad, publishing, { process: 'publish_upload', verb: 'Publishing', checkHint });
        if (!upload.published) {
          throw new FailureError('NOMAD_PUBLISH_FAILED', `NOMAD did not publish upload ${upload.uploadId}: ${upload.errors[0] ?? upload.lastStatusMessage ?? upload.processStatus}`, {
            hint: `Run the same command again, or publish it at ${page}.`,
          });
        }
        return { status: 'done' };
      },
    },
  ];
  const name = o.dataset;
  if (name !== undefined) {
    steps.push({
      id: 'nomad.dataset',
      needs: ['publish'],
      run: async (ctx): Promise<StepResult> => {
        const r = await ensureUploadDataset(login.http, { name, uploadId: upload.uploadId }, { signal: ctx.signal, now: () => ports.clock.now() });
        datasetId = r.dataset.id;
        return { status: r.outcome, detail: { datasetId: r.dataset.id, name } };
      },
    });
    if (o.doi) {
      steps.push({
        id: 'nomad.doi',
        needs: ['nomad.dataset'],
        run: async (ctx): Promise<StepResult> => {
          const id = datasetId ?? (typeof ctx.results.get('nomad.dataset')?.detail?.datasetId === 'string' ? (ctx.results.get('nomad.dataset')?.detail?.datasetId as string) : undefined);
          if (!id) throw new Error('internal: no dataset id');
          const r = await mintDatasetDoi(login.http, id);
          doi = r.doi;
          return { status: r.outcome, detail: { datasetId: id, doi: r.doi } };
        },
        // Your dataset of that name has its DOI and holds this upload (an earlier run, from any machine).
        exists: async () => (await uploadDatasetDoi(login.http, { name, uploadId: upload.uploadId })) !== undefined,
      });
    }
  }

  return {
    // The dataset is part of what the steps are about: another --dataset for the same upload is another record.
    record: nomadJournalRecord(login.endpoints.host, upload.uploadId, name),
    id: upload.uploadId,
    steps,
    doiStep: o.doi ? 'nomad.doi' : undefined,
    published: () => undefined,
    summary: () => ({ url: page, doi, published: upload.published }),
  };
}
