// The command tree. Definitions are light; each action imports its implementation when it runs,
// so `rdp --help` and `rdp --version` load almost nothing (SPEC.md section 6).
import { Command, Option, type OutputConfiguration } from 'commander';
import type { Context } from '../context.js';
import { VERSION } from '../version.js';
import { authCommand } from './auth.js';
import { completionCommand } from './completion.js';
import { configCommand } from './config.js';
import { dmpsCommand } from './dmps.js';
import { emulatorCommand } from './emulator.js';
import { loginCommand } from './login.js';
import { logoutCommand } from './logout.js';
import { publishCommand } from './publish.js';
import { sitesCommand } from './sites.js';
import { uploadCommand } from './upload.js';
import { uploadsCommand } from './uploads.js';

export function buildProgram(ctx: Context, output: Partial<OutputConfiguration> = {}): Command {
  const program = new Command('rdp')
    .description('Publish research data to Zenodo and NOMAD, and work with ORCID, Zotero and DMPTool, from a terminal or CI.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--json', 'print one JSON document on stdout (errors as JSON on stderr)'))
    .addOption(new Option('-q, --quiet', 'print only data and errors'))
    .addOption(new Option('--debug', 'log HTTP requests to stderr (secrets redacted)'))
    .addOption(new Option('--no-color', 'do not colour output (NO_COLOR and FORCE_COLOR are honoured too)'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.streams.stdout.write(s),
      writeErr: (s) => ctx.io.streams.stderr.write(s),
      outputError: () => {}, // src/cli.ts prints errors
      ...output,
    })
    .addHelpText(
      'after',
      `
Examples:
  $ rdp login zenodo                       log in (token kept in the OS keychain)
  $ rdp login nomad --username jdoe        exchange a password for a NOMAD app token
  $ rdp auth status                        who is logged in where
  $ rdp upload ./data --to zenodo          upload a folder to a new Zenodo draft (resumable, verified)
  $ rdp upload ./run1 --to nomad           stream a folder to NOMAD as one zip, wait for processing
  $ rdp publish 542201 --dmp 89799         publish a draft; the plan gets its DOI
  $ rdp uploads list                       your uploads on Zenodo and NOMAD
  $ rdp emulator                           local stand-ins of all five services

Exit codes: 0 ok, 1 failure, 2 usage, 4 authentication needed or denied, 130 interrupted.
Environment: RDP_<ID>_TOKEN (RDP_ZOTERO_KEY), RDP_<ID>_URL, NO_COLOR. See the README.`,
    );

  for (const make of [loginCommand, logoutCommand, authCommand, uploadCommand, publishCommand, uploadsCommand, dmpsCommand, sitesCommand, configCommand, emulatorCommand, completionCommand]) {
    program.addCommand(make(ctx));
  }
  // Subcommands inherit the output settings and never exit on their own; a parse error carries the
  // command it happened in, so that the message can point at that command's help.
  const apply = (cmd: Command) => {
    const path: string[] = [];
    for (let c: Command | null = cmd; c && c !== program; c = c.parent) path.unshift(c.name());
    cmd
      .exitOverride((err) => {
        throw Object.assign(err, { commandPath: path.join(' ') });
      })
      .configureOutput(program.configureOutput())
      .showSuggestionAfterError(true);
    cmd.commands.forEach(apply);
  };
  program.commands.forEach(apply);
  return program;
}
