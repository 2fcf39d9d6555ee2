// `rdp upload <path>... --to <provider>`: the options every upload has, then each deposit target's own
// (its descriptor's data, in the order of the provider list; each refused for the other targets). The
// action checks the flags, hands plain options to the upload workflow and renders what it returns.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { getProvider, nameList, withCapability } from '../providers/index.js';
import type { DepositInput, OptionSpec, Provider } from '../providers/types.js';
import { attributeName, given, longFlag, once, resumeCommand, toOption, valuesOf } from './options.js';
import { examples, run } from './shared.js';

/** The options of every upload, whatever the target. */
const COMMON: readonly OptionSpec[] = [
  { flags: '--publish', description: 'publish once the upload is complete (NOMAD: after successful processing)' },
  { flags: '--exclude <glob>', description: 'leave out what matches, gitignore-style, relative to each folder (repeatable)', repeatable: true },
  { flags: '--include-hidden', description: 'also send hidden files and folders (names starting with ".")' },
  { flags: '--dry-run', description: 'show the plan (what would be sent, skipped, left out and why) and change nothing', notResumed: true },
  { flags: '--sandbox', description: "use Zenodo's or ORCID's sandbox, or NOMAD's test instance" },
];

const SELECTION_HELP = `
What a folder sends: every regular file in it and below it, except hidden files and folders (names
starting with "."; --include-hidden sends them), what matches --exclude, and what matches the
folder's own .rdpignore (gitignore syntax; "!pattern" brings something back). .gitignore is not read.
Symbolic links are followed, except into a loop. --dry-run lists what is left out and why.
`;

type Target = Provider & Required<Pick<Provider, 'deposit'>>;

/** "--title and --license work only with --to zenodo": flags given for another target. */
function serviceOnly(flags: string[], owners: readonly Target[], used: Target): UsageError {
  const list = flags.length === 1 ? (flags[0] as string) : `${flags.slice(0, -1).join(', ')} and ${flags[flags.length - 1]}`;
  const to = owners.map((o) => `--to ${o.id}`);
  const where = to.length === 1 ? (to[0] as string) : `${to.slice(0, -1).join(', ')} or ${to[to.length - 1]}`;
  return new UsageError(`${list} ${flags.length === 1 ? 'works' : 'work'} only with ${where}, not with --to ${used.id}.`, {
    hint: `Leave ${flags.length === 1 ? 'it' : 'them'} out to upload to ${used.name}; \`rdp upload --help\` lists the options of each service.`,
  });
}

/**
 * The targets' options as the command offers them: one option per flag. Targets may declare the same
 * flag (an InvenioRDM site takes Zenodo's metadata flags): the first declaration is the option, and its
 * description names every target that takes it ("Zenodo, sites: title").
 */
export function mergedOptions(targets: readonly Target[]): OptionSpec[] {
  const byFlag = new Map<string, { spec: OptionSpec; prefixes: string[]; text: string }>();
  for (const t of targets) {
    for (const spec of t.deposit.options) {
      const m = /^([^:]{1,40}): (.*)$/s.exec(spec.description);
      const prefix = m ? (m[1] as string) : '';
      const seen = byFlag.get(longFlag(spec));
      if (!seen) byFlag.set(longFlag(spec), { spec, prefixes: [prefix], text: m ? (m[2] as string) : spec.description });
      else if (!seen.prefixes.includes(prefix)) seen.prefixes.push(prefix);
    }
  }
  return [...byFlag.values()].map(({ spec, prefixes, text }) => (prefixes.length > 1 ? { ...spec, description: `${prefixes.filter(Boolean).join(', ')}: ${text}` } : spec));
}

/** Check the flags and make the workflow's plain input. */
export function uploadInput(targets: readonly Target[], paths: string[], flags: Record<string, unknown>): { target: Target; input: Omit<DepositInput, 'cwd'> } {
  const target = getProvider(String(flags.to), targets) as Target;
  const own = new Set(target.deposit.options.map(longFlag));
  const foreign = mergedOptions(targets).filter((s) => !own.has(longFlag(s)) && given(s, flags));
  if (foreign.length) {
    const owners = targets.filter((t) => t.deposit.options.some((s) => longFlag(s) === longFlag(foreign[0] as OptionSpec)));
    throw serviceOnly(foreign.map(longFlag), owners, target);
  }
  const specs = [...COMMON, ...target.deposit.options];
  const resumeSpec = target.deposit.options.find((s) => attributeName(s) === target.deposit.resumeOption);
  const options = valuesOf(target.deposit.options, flags);
  const publish = Boolean(flags.publish);
  const input: Omit<DepositInput, 'cwd'> = {
    paths,
    publish,
    dryRun: Boolean(flags.dryRun),
    sandbox: Boolean(flags.sandbox),
    includeHidden: Boolean(flags.includeHidden),
    exclude: (flags.exclude as string[] | undefined) ?? [],
    options,
    read: target.deposit.readOptions({ options, publish }),
    resume: (id) => resumeCommand(['rdp', 'upload', ...paths, '--to', target.id], resumeSpec ? { flag: longFlag(resumeSpec), id } : undefined, specs, flags),
  };
  return { target, input };
}

export function uploadCommand(ctx: Context): Command {
  const targets = withCapability('deposit');
  const cmd = new Command('upload')
    .description(`Upload files and folders to ${nameList(targets, 'or')}: resumable, verified, several files at a time`)
    // rdp's own help names no configured site (bin/rdp.js prints it pre-rendered; see scripts/build.mjs).
    .summary('Upload files and folders to Zenodo, NOMAD or an InvenioRDM site: resumable, verified')
    .argument('<path...>', 'files and folders to upload')
    .addOption(
      once(
        new Option('--to <service>', `where to upload: ${nameList(targets, 'or', 'id')}`).choices(targets.map((p) => p.id)).makeOptionMandatory(),
        'one upload goes to one service',
      ),
    );
  for (const spec of COMMON) cmd.addOption(toOption(spec));
  for (const spec of mergedOptions(targets)) cmd.addOption(toOption(spec));
  return cmd
    .addHelpText('after', examples(targets.flatMap((t) => t.deposit.examples)) + SELECTION_HELP + [...new Set(targets.map((t) => t.deposit.help))].join(''))
    .action(
      run(ctx, async (paths: string[], flags: Record<string, unknown>) => {
        const { target, input } = uploadInput(targets, paths, flags);
        const { runUpload } = await import('../workflows/upload.js');
        const { deposit, render, next } = await runUpload(ctx, { target, ...input });
        ctx.io.result(deposit, () => render(ctx.io));
        if (next) ctx.io.info(next); // a hint, on stderr (SPEC.md section 4: stdout carries data only)
      }),
    );
}
