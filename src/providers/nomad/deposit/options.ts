// The options of `rdp upload --to nomad` as data (commands/options.ts builds the commander options from
// them), the rules of their combinations, and their typed reading. Light: loaded with the command tree.
import { UsageError } from '../../../errors/errors.js';
import { parseDuration } from '../../../util/text.js';
import type { DepositInput, OptionSpec } from '../../types.js';

function parseEmbargo(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 36) {
    throw new UsageError(`--embargo must be a whole number of months from 0 to 36, not "${value}".`);
  }
  return n;
}

/** `rdp publish <upload-id> --on nomad`'s own options; `rdp upload --to nomad --publish` takes them too. */
export const NOMAD_PUBLISH_OPTIONS: readonly OptionSpec[] = [
  { flags: '--dataset <name>', description: "NOMAD: put the upload's entries into your dataset of this name (made when missing)" },
  { flags: '--doi', description: 'NOMAD: then mint the dataset\'s DOI (permanent; asks first, --yes in scripts)' },
  { flags: '--yes', description: 'NOMAD: confirm --doi without asking (scripts, CI)' },
];

export interface NomadPublishOptions {
  dataset?: string | undefined;
  doi: boolean;
  yes: boolean;
}

/** --dataset, --doi, --yes: checked together (a DOI belongs to a dataset). */
export function readNomadPublishOptions(options: Record<string, unknown>): NomadPublishOptions {
  const dataset = typeof options.dataset === 'string' ? options.dataset.trim() : undefined;
  if (dataset !== undefined && (dataset === '' || dataset.length > 200 || /[\u0000-\u001f]/.test(dataset))) {
    throw new UsageError(`--dataset needs a dataset name (up to 200 characters), not ${JSON.stringify(options.dataset)}.`);
  }
  const doi = Boolean(options.doi);
  if (doi && dataset === undefined) {
    throw new UsageError('--doi mints the DOI of a dataset, so it needs --dataset NAME.', { hint: 'Add --dataset NAME (your dataset of that name; made when missing).' });
  }
  return { dataset, doi, yes: Boolean(options.yes) };
}

/** A DOI is permanent: asked for on a terminal, or confirmed with --yes. */
export function confirmNomadDoi(read: unknown): { question: string; yes: boolean; flag: string; step: string } | undefined {
  const o = read as NomadPublishOptions;
  if (!o.doi || o.dataset === undefined) return undefined;
  return {
    question: `Mint a DOI for your NOMAD dataset "${o.dataset}"? A DOI is permanent: the dataset can then take no more uploads and cannot be deleted.`,
    yes: o.yes,
    flag: '--yes',
    step: 'nomad.doi',
  };
}

export const NOMAD_PUBLISH_HELP = `
NOMAD (--on nomad): publishes the upload (if it is not yet), then with --dataset NAME puts its entries
into your dataset NAME (made when missing), and with --doi mints that dataset's DOI. A DOI is
permanent: rdp asks on a terminal; in scripts --yes is required (without it: exit 2, nothing minted).
A re-run once the dataset has its DOI and holds the upload asks nothing (every step: already).
`;

export const NOMAD_PUBLISH_EXAMPLES = [
  'rdp publish YXUIZpw5RJyV3LAsFI2MmQ --on nomad --dataset "Si phonons"',
  'rdp publish YXUIZpw5RJyV3LAsFI2MmQ --on nomad --dataset "Si phonons" --doi --yes',
];

export const NOMAD_OPTIONS: readonly OptionSpec[] = [
  { flags: '--name <name>', description: 'NOMAD: name of the new upload (default: the folder or file name)' },
  { flags: '--upload <id>', description: 'NOMAD: add the files to this existing upload' },
  { flags: '--new-upload', description: 'NOMAD: make a separate new upload even if this command made one before (a second copy, on purpose)', notResumed: true },
  { flags: '--embargo <months>', description: 'NOMAD: embargo period when published, 0-36 months', parse: parseEmbargo },
  { flags: '--no-wait', description: 'NOMAD: print the upload id at once; do not wait for processing' },
  { flags: '--timeout <duration>', description: 'NOMAD: stop waiting for processing after this long (90s, 30m, 2h)' },
  ...NOMAD_PUBLISH_OPTIONS,
];

export interface NomadOptions {
  name?: string | undefined;
  /** Add to this existing upload instead of creating one. */
  upload?: string | undefined;
  /** Make a new upload even if this command made one before. */
  newUpload: boolean;
  /** Months, 0-36. */
  embargo?: number | undefined;
  /** false with --no-wait. */
  wait: boolean;
  /** Bounds the wait for processing and publishing (milliseconds). */
  timeoutMs?: number | undefined;
  /** --dataset and --doi (the steps after --publish), as readNomadPublishOptions read them. */
  dataset?: string | undefined;
  doi?: boolean | undefined;
}

/** The rules of the combinations (UsageErrors naming the flags), then the typed options. */
export function readNomadOptions(input: Pick<DepositInput, 'options' | 'publish'>): NomadOptions {
  const o = input.options as { name?: string; upload?: string; newUpload?: boolean; embargo?: number; wait?: boolean; timeout?: string };
  const wait = o.wait !== false;
  if (o.newUpload && o.upload !== undefined) {
    throw new UsageError('--new-upload makes a separate upload, so it does not go with --upload.', {
      hint: '--upload adds the files to an upload you name; --new-upload makes a new one.',
    });
  }
  if (o.upload !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.upload)) {
      throw new UsageError(`"${o.upload}" is not a NOMAD upload id.`, { hint: 'Upload ids look like YXUIZpw5RJyV3LAsFI2MmQ; `rdp uploads list --on nomad` shows yours.' });
    }
    if (o.name !== undefined) {
      throw new UsageError('--name names a new upload; it cannot rename an existing one.', { hint: 'Leave out --name when you use --upload.' });
    }
    if (o.embargo !== undefined && !input.publish) {
      throw new UsageError('With --upload, --embargo takes effect when the upload is published.', { hint: 'Add --publish, or leave out --embargo.' });
    }
    if (input.publish && !wait) {
      throw new UsageError('--publish with --upload needs rdp to wait for the processing.', { hint: 'Leave out --no-wait.' });
    }
  }
  const pub = readNomadPublishOptions(input.options);
  if (pub.dataset !== undefined && !input.publish) {
    throw new UsageError('--dataset takes the entries of a published upload, so it needs --publish.', { hint: 'Add --publish, or leave out --dataset (and --doi).' });
  }
  if (pub.dataset !== undefined && !wait) {
    throw new UsageError('--dataset needs rdp to wait for the upload to be processed and published.', { hint: 'Leave out --no-wait.' });
  }
  let timeoutMs: number | undefined;
  if (o.timeout !== undefined) {
    if (!wait) throw new UsageError('--timeout bounds the wait for processing; with --no-wait there is none.', { hint: 'Leave out one of them.' });
    let seconds: number;
    try {
      seconds = parseDuration(o.timeout);
    } catch {
      seconds = 0;
    }
    if (!(seconds > 0)) throw new UsageError(`--timeout must be a duration such as 90s, 30m or 2h, not "${o.timeout}".`);
    timeoutMs = seconds * 1000;
  }
  return { name: o.name, upload: o.upload, newUpload: Boolean(o.newUpload), embargo: o.embargo, wait, timeoutMs, dataset: pub.dataset, doi: pub.doi };
}

export const NOMAD_HELP = `
NOMAD (--to nomad): one .zip, .tar, .tar.gz or .tgz is sent as it is; anything else is streamed as
one zip built on the fly (no temporary file): one folder's contents at the root of the upload,
several inputs each under its own name. rdp then waits for NOMAD's processing (a spinner on a
terminal, plain lines in CI), prints the entries, errors and warnings, and with --publish publishes.
stdout holds the upload id. Limits: 32 GiB per upload, 10 unpublished uploads per user.
The same command again (same paths, no --upload) goes on with the upload it made: nothing is sent
when the files are unchanged; changed files are refused (with the ways on); once that upload is
published it refuses (--new-upload makes a separate upload on purpose).
`;

export const NOMAD_EXAMPLES = [
  'rdp upload ./run1 --to nomad                           # zipped on the fly, processing waited for',
  'rdp upload calc.tar.gz --to nomad --publish            # sent as it is, published after processing',
  'rdp upload run1 run2 notes.txt --to nomad --name "Si phonons"',
  'rdp upload extra/ --to nomad --upload YXUIZpw5RJyV3LAsFI2MmQ',
  'rdp upload run1 --to nomad --publish --embargo 12 --timeout 2h',
  'rdp upload run1 --to nomad --publish --dataset "Si phonons" --doi --yes   # a dataset, and its DOI',
  'id=$(rdp upload data.zip --to nomad --no-wait)',
  'rdp upload run1 --to nomad --dry-run                   # what the zip would hold, and what is left out',
];
