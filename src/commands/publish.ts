// `rdp publish <id> [--on <service>]`: publish a draft (or take a published record) and close the loop:
// the plan gets the record's DOI (--dmp), the record becomes an ORCID work (--orcid-work) and a Zotero
// item (--zotero); each service's own options come from its `publish` capability (NOMAD's --dataset,
// --doi, --yes). The action checks the flags, hands plain options to the publish workflow and renders
// the steps it returns.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { getProvider, nameList, withCapability } from '../providers/index.js';
import type { OptionSpec } from '../providers/types.js';
import { dashLedOperand } from './operands.js';
import { given, longFlag, once, toOption, valuesOf } from './options.js';
import { examples, run, sandboxOption } from './shared.js';

export interface PublishFlags {
  on?: string;
  dmp?: string;
  orcidWork?: boolean;
  zotero?: boolean;
  sandbox?: boolean;
}

export function publishCommand(ctx: Context): Command {
  const targets = withCapability('publish');
  const first = targets[0];
  const cmd = dashLedOperand(new Command('publish'), targets.flatMap((t) => (t.publish.idShape ? [t.publish.idShape] : [])))
    .description('Publish a draft, then link the record: its DOI on the DMP, in your ORCID works, in your Zotero library')
    .argument('<id>', targets.map((t) => `${t.publish.idHelp}${targets.length > 1 ? ` (--on ${t.id})` : ''}`).join(', or '))
    .addOption(once(new Option('--on <service>', `where the deposit is: ${nameList(targets, 'or', 'id')}${first ? ` (default: ${first.id})` : ''}`).choices(targets.map((p) => p.id)), 'a deposit id belongs to one service'))
    .option('--dmp <id>', "the data management plan (DMP ID, DMPTool plan number or URL): the draft gets the plan's DOI, the plan the record's DOI")
    .option('--orcid-work', 'add the record to your ORCID works (needs an ORCID member login)')
    .option('--zotero', 'add the record to your Zotero library')
    .addOption(sandboxOption());
  // One option per flag; a flag several services take names them all ("Zenodo, sites: ...").
  const byFlag = new Map<string, { spec: OptionSpec; prefixes: string[]; text: string }>();
  const own: { spec: OptionSpec; owner: string }[] = [];
  for (const t of targets) {
    for (const spec of t.publish.options) {
      own.push({ spec, owner: t.id });
      const m = /^([^:]{1,40}): (.*)$/s.exec(spec.description);
      const prefix = m ? (m[1] as string) : '';
      const seen = byFlag.get(longFlag(spec));
      if (!seen) byFlag.set(longFlag(spec), { spec, prefixes: [prefix], text: m ? (m[2] as string) : spec.description });
      else if (!seen.prefixes.includes(prefix)) seen.prefixes.push(prefix);
    }
  }
  for (const { spec, prefixes, text } of byFlag.values()) cmd.addOption(toOption(prefixes.length > 1 ? { ...spec, description: `${prefixes.filter(Boolean).join(', ')}: ${text}` } : spec));
  return cmd
    .addHelpText(
      'after',
      `${examples(targets.flatMap((t) => t.publish.examples))}
Every step is recorded (in $XDG_STATE_HOME/rdp/publish.json): the same command after a failure or
Ctrl-C does only what is missing, and a result that exists on the service already counts as done.
Without the permission a link needs (DMPTool's edit_dmps, an ORCID member login) the step is skipped
with what it needs, and the command still succeeds. --json lists every step: done, already, skipped
(with the reason) or failed.
${targets.map((t) => t.publish.help).join('')}`,
    )
    .action(
      run(ctx, async (id: string, flags: PublishFlags & Record<string, unknown>) => {
        const target = getProvider(flags.on ?? first?.id ?? '', targets) as (typeof targets)[number];
        const foreign = own.filter((o) => o.owner !== target.id && !target.publish.options.some((s) => longFlag(s) === longFlag(o.spec)) && given(o.spec, flags));
        if (foreign.length) {
          const names = [...new Set(foreign.map((o) => longFlag(o.spec)))];
          throw new UsageError(`${names.join(', ')} ${names.length === 1 ? 'works' : 'work'} only with --on ${foreign[0]?.owner}, not with --on ${target.id}.`, {
            hint: `Leave ${names.length === 1 ? 'it' : 'them'} out; \`rdp publish --help\` lists the options of each service.`,
          });
        }
        if (!id.trim()) throw new UsageError(`rdp publish needs ${target.publish.idHelp}.`);
        const checked = target.publish.checkId ? target.publish.checkId(id) : id.trim();
        const read = target.publish.readOptions(valuesOf(target.publish.options, flags));
        const links = { dmp: flags.dmp, orcidWork: Boolean(flags.orcidWork), library: Boolean(flags.zotero) };
        const [{ runPublish }, { renderPublish }] = await Promise.all([import('../workflows/publish.js'), import('./render.js')]);
        const result = await runPublish(ctx, { target, id: checked, sandbox: Boolean(flags.sandbox), read, links });
        ctx.io.result(result, () => renderPublish(ctx.io, result));
      }),
    );
}
