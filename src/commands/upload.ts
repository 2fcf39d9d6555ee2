// `rdp upload <path>... --to zenodo|nomad`. Options shared by both services first, then each
// service's own (NOMAD's below); the action hands plain options to the service's implementation.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { examples, run, sandboxOption } from './shared.js';

export interface UploadCommandOptions extends NomadFlags {
  to: 'zenodo' | 'nomad';
  publish?: boolean;
  sandbox?: boolean;
}

// ---- NOMAD (--to nomad) ----------------------------------------------------------------------

interface NomadFlags {
  name?: string;
  upload?: string;
  embargo?: number;
  /** false with --no-wait */
  wait: boolean;
  timeout?: string;
}

function parseEmbargo(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 36) {
    throw new UsageError(`--embargo must be a whole number of months from 0 to 36, not "${value}".`);
  }
  return n;
}

function addNomadOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'NOMAD: name of the new upload (default: the folder or file name)')
    .option('--upload <id>', 'NOMAD: add the files to this existing upload')
    .option('--embargo <months>', 'NOMAD: embargo period when published, 0-36 months', parseEmbargo)
    .option('--no-wait', 'NOMAD: print the upload id at once; do not wait for processing')
    .option('--timeout <duration>', 'NOMAD: stop waiting for processing after this long (90s, 30m, 2h)');
}

/** The NOMAD-only flags the user set (refused with --to zenodo). */
function nomadFlagsUsed(opts: NomadFlags): string[] {
  const used: string[] = [];
  if (opts.name !== undefined) used.push('--name');
  if (opts.upload !== undefined) used.push('--upload');
  if (opts.embargo !== undefined) used.push('--embargo');
  if (!opts.wait) used.push('--no-wait');
  if (opts.timeout !== undefined) used.push('--timeout');
  return used;
}

async function uploadToNomad(ctx: Context, paths: string[], opts: UploadCommandOptions): Promise<void> {
  const { runNomadUpload, renderNomadUpload } = await import('../upload/nomad/run.js');
  ctx.io.result(await runNomadUpload(ctx, paths, opts), renderNomadUpload);
}

const NOMAD_HELP = `
NOMAD (--to nomad): one .zip, .tar, .tar.gz or .tgz is sent as it is; anything else is streamed as
one zip built on the fly (no temporary file): one folder's contents at the root of the upload,
several inputs each under its own name. rdp then waits for NOMAD's processing (a spinner on a
terminal, plain lines in CI), prints the entries, errors and warnings, and with --publish publishes.
stdout holds the upload id. Limits: 32 GiB per upload, 10 unpublished uploads per user.
`;

// ---- the command -------------------------------------------------------------------------------

export function uploadCommand(ctx: Context): Command {
  const cmd = new Command('upload')
    .description('Upload files and folders to Zenodo or NOMAD')
    .argument('<path...>', 'files and folders to upload')
    .addOption(new Option('--to <service>', 'where to upload: zenodo or nomad').choices(['zenodo', 'nomad']).makeOptionMandatory())
    .option('--publish', 'publish once the upload is complete (NOMAD: after successful processing)')
    .addOption(sandboxOption());
  addNomadOptions(cmd);
  return cmd
    .addHelpText(
      'after',
      examples([
        'rdp upload ./run1 --to nomad                       # zipped on the fly, processing waited for',
        'rdp upload calc.tar.gz --to nomad --publish        # sent as it is, published after processing',
        'rdp upload run1 run2 notes.txt --to nomad --name "Si phonons"',
        'rdp upload extra/ --to nomad --upload YXUIZpw5RJyV3LAsFI2MmQ',
        'rdp upload run1 --to nomad --publish --embargo 12 --timeout 2h',
        'id=$(rdp upload data.zip --to nomad --no-wait)',
      ]) + NOMAD_HELP,
    )
    .action(
      run(ctx, async (paths: string[], opts: UploadCommandOptions) => {
        if (opts.to === 'nomad') return uploadToNomad(ctx, paths, opts);
        const nomadOnly = nomadFlagsUsed(opts);
        if (nomadOnly.length) throw new UsageError(`${nomadOnly.join(', ')}: only for --to nomad.`, { hint: 'See `rdp upload --help`.' });
        throw new UsageError('Uploading to Zenodo is not available in this build.', { hint: 'Use --to nomad.' });
      }),
    );
}
