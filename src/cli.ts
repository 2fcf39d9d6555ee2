// main(argv) -> exit code. Builds the command tree, runs it, and is the ONLY place that maps errors
// to exit codes and prints them (SPEC.md section 4). Nothing here or below calls process.exit.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, CommanderError } from 'commander';
import { buildProgram } from './commands/index.js';
import { operandsNotOptions } from './commands/operands.js';
import { Context } from './context.js';
import { CancelledError, ExitCode, fromSystemError, isAbortError, RdpError, UsageError } from './errors/errors.js';
import { IO, type Streams } from './output/io.js';
import { findProvider, registerSites } from './providers/index.js';
import { nearest } from './util/text.js';

/** The signals that interrupt a command (SIGHUP is left alone: `nohup rdp …` must keep running). */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Flags whose value is a secret (discouraged, but accepted). */
const SECRET_FLAGS = ['--client-secret'];

export interface MainOptions {
  streams?: Streams;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Directory holding keychain-child.js (defaults to this file's directory: dist/). */
  runtimeDir?: string;
  /** Listen for SIGINT and SIGTERM (off for in-process tests). */
  handleSignals?: boolean;
}

/**
 * The process's own streams. stdin is made when first read, not here: making it (a file stream for
 * /dev/null or a file, a socket for a pipe) costs ~6 ms of every start, and only prompts, pastes and
 * piped secrets read it. Whether it is a terminal is asked of the descriptor, which makes no stream.
 */
function processStreams(): Streams {
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: () => (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(0),
  };
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const streams: Streams = options.streams ?? processStreams();
  const env = options.env ?? process.env;
  const io = new IO(streams, env, { json: argv.includes('--json'), debug: argv.includes('--debug') || env.RDP_DEBUG === '1' });
  // A secret given as a flag value is redacted from everything printed, even from the parser's own
  // error ("Unknown option '-abc…'" when the value starts with a dash).
  for (const [i, arg] of argv.entries()) {
    for (const flag of SECRET_FLAGS) {
      if (arg === flag) io.secret(argv[i + 1]);
      else if (arg.startsWith(`${flag}=`)) io.secret(arg.slice(flag.length + 1));
    }
  }
  const ac = new AbortController();
  const ctx = new Context({
    io,
    env,
    cwd: options.cwd ?? process.cwd(),
    signal: ac.signal,
    runtimeDir: options.runtimeDir ?? dirname(fileURLToPath(import.meta.url)),
  });

  // Ctrl-C, and SIGTERM (`kill`, `timeout`, a CI job cancelled, `docker stop`), end the command the same
  // way: transfers aborted, temporary files removed, what was done recorded, exit 130.
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 1) {
      ac.abort(new CancelledError());
      return;
    }
    // A second signal: stop waiting for clean-up and let the signal's default action end the process.
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) for (const s of SIGNALS) process.on(s, onSignal);
  ignoreBrokenPipe(streams.stdout);

  // The InvenioRDM sites in the config file become providers before the command tree is built.
  registerSites(env, (text) => io.warn(text));
  const program = buildProgram(ctx, {
    // Help is as wide as the terminal it is written to (80 columns elsewhere): the streams given, not
    // process.stdout, so that an in-process run (the tests) reads the same as the real CLI.
    getOutHelpWidth: () => (streams.stdout.isTTY ? streams.stdout.columns : undefined) as number, // undefined: 80
    getErrHelpWidth: () => (streams.stderr.isTTY ? streams.stderr.columns : undefined) as number,
    getOutHasColors: () => false,
    getErrHasColors: () => false,
    // The parser writes to stderr only the help of a usage error (`rdp`, `rdp auth` without a
    // subcommand); with --json, stderr holds the error document instead (report() prints it).
    ...(io.flags.json ? { writeErr: () => {} } : {}),
  });
  try {
    const misplaced = secretOnCommandLine(program, argv, io);
    if (misplaced) throw misplaced;
    await program.parseAsync(withoutHelpForUnknownCommand(program, operandsNotOptions(program, argv)), { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    return report(io, withUsageHint(err, program, argv), ac.signal.aborted, program);
  } finally {
    await ctx.dispose();
    if (handleSignals) for (const s of SIGNALS) process.removeListener(s, onSignal);
  }
}

/**
 * `rdp bogus --help` would print rdp's own help and exit 0, as if `bogus` were fine: without the help
 * flag the parser reports the unknown command (with the nearest valid one) and exits 2, as gh does.
 */
function withoutHelpForUnknownCommand(program: Command, argv: string[]): string[] {
  const isCommand = (word: string) => word === 'help' || program.commands.some((c) => c.name() === word || c.aliases().includes(word));
  // `rdp help bogus` likewise: the unknown command is reported, not rdp's help with exit 2.
  const [first, second] = argv.filter((a) => !a.startsWith('-'));
  if (first === 'help' && second !== undefined && !isCommand(second)) return argv.filter((_, i) => i !== argv.indexOf('help'));
  if (!argv.includes('--help') && !argv.includes('-h')) return argv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv;
    if (arg.startsWith('-')) {
      const opt = program.options.find((o) => o.long === arg || o.short === arg);
      if (opt && (opt.required || opt.optional) && !arg.includes('=')) i++;
      continue;
    }
    return isCommand(arg) ? argv : argv.filter((a) => a !== '--help' && a !== '-h');
  }
  return argv;
}

/** The flags of `rdp login` that read a secret from stdin, and the command that shows how. */
const STDIN_SECRET_FLAGS: Record<string, { what: string; how: (provider: string) => string }> = {
  '--with-token': { what: 'the token', how: (p) => `printf %s "$TOKEN" | rdp login ${p} --with-token   (on a terminal, without the pipe, rdp asks for it with the input hidden)` },
  '--password-stdin': { what: 'the password', how: (p) => `printf %s "$PASSWORD" | rdp login ${p} --username <name> --password-stdin   (on a terminal, leave out --password-stdin and rdp asks for it with the input hidden)` },
};

/**
 * `rdp login zenodo --with-token=TOKEN`, `rdp login --with-token TOKEN`: a token (or NOMAD password)
 * typed on the command line where rdp reads it from stdin. Refused before the parser sees it, since the
 * parser's own errors would print it ("Unknown option '--with-token=…'", "Unknown provider \"…\""):
 * a token never appears in an error message (SPEC.md section 3, token store). The value is redacted
 * from everything printed. An operand shaped like a service name (a typo) is left to the parser.
 */
function secretOnCommandLine(program: Command, argv: string[], io: IO): UsageError | undefined {
  const login = program.commands.find((c) => c.name() === 'login');
  const at = argv.indexOf('login');
  if (!login || at < 0 || argv.slice(0, at).some((a) => !a.startsWith('-'))) return undefined;
  let flag: string | undefined;
  let inline = false;
  const operands: string[] = [];
  const rest = argv.slice(at + 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--') {
      operands.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    const [name, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name in STDIN_SECRET_FLAGS) {
      flag = name;
      if (value !== undefined) {
        io.secret(value);
        inline = true;
      }
      continue;
    }
    const opt = login.options.find((o) => o.long === name || o.short === name);
    const next = rest[i + 1];
    if (opt && value === undefined && next !== undefined && (opt.required || (opt.optional && !next.startsWith('-')))) i++;
  }
  if (!flag) return undefined;
  const serviceLike = (word: string) => /^[a-z][a-z0-9-]{0,30}$/.test(word);
  const secrets = operands.filter((o) => !findProvider(o) && !serviceLike(o));
  if (!inline && secrets.length === 0) return undefined;
  for (const v of secrets) io.secret(v);
  const provider = operands.find((o) => findProvider(o)) ?? '<service>';
  const { what, how } = STDIN_SECRET_FLAGS[flag] as (typeof STDIN_SECRET_FLAGS)[string];
  return new UsageError(`${flag} reads ${what} from stdin, never from the command line (shell history and the process list keep what is typed there). Nothing was stored.`, {
    hint: how(provider),
  });
}

const pipeWatched = new WeakSet<object>();

/**
 * `rdp dmps list --all | head`: a reader that stops early ends the output, not the process with a
 * stack trace (Unix tools die quietly of SIGPIPE; Node ignores SIGPIPE and reports EPIPE instead).
 * The listener stays for the stream's life: the error can arrive after main() has returned.
 */
function ignoreBrokenPipe(stdout: Streams['stdout']): void {
  if (pipeWatched.has(stdout)) return;
  pipeWatched.add(stdout);
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

/**
 * Every error names the next step (SPEC.md section 4): a usage error that names none (a flag's value
 * refused while the command line was read) points at the help of the command it was given to.
 */
function withUsageHint(err: unknown, program: Command, argv: string[]): unknown {
  if (!(err instanceof UsageError) || err.hint) return err;
  const names: string[] = [];
  let at: Command = program;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg.startsWith('-')) continue;
    const sub = at.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    names.push(sub.name());
    at = sub;
  }
  return new UsageError(err.message, { hint: helpHint(names.join(' ')), details: err.details, cause: err });
}

/** Print an error once, in the right format, and choose the exit code. */
function report(io: IO, err: unknown, aborted: boolean, program: Command): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.Ok;
    // `rdp help [command]` asked for help (exit 0); `rdp`, `rdp auth` without a subcommand did not (2):
    // the help went to stderr, or, with --json, the error document does.
    if (err.code === 'commander.help') {
      if (err.exitCode === 0) return ExitCode.Ok;
      if (io.flags.json) io.error(missingSubcommand(program, (err as CommanderError & { commandPath?: string }).commandPath));
      return ExitCode.Usage;
    }
    if (err.code === 'commander.executeSubCommandAsync') return ExitCode.Usage;
    const usage = usageError(err);
    io.error(usage);
    return usage.exitCode;
  }
  if (err instanceof RdpError) {
    if (err instanceof CancelledError && !io.flags.json) {
      io.notice(io.style.yellow(err.message));
      if (err.hint) io.notice(err.hint);
    } else {
      io.error(err);
    }
    if (io.flags.debug && err.cause) io.debug(`cause: ${stackOf(err.cause)}`);
    return err.exitCode;
  }
  if (aborted || isAbortError(err)) {
    const c = new CancelledError();
    if (io.flags.json) io.error(c);
    else io.notice(io.style.yellow(c.message));
    return c.exitCode;
  }
  const system = fromSystemError(err);
  if (system) {
    io.error(system);
    if (io.flags.debug) io.debug(stackOf(err));
    return system.exitCode;
  }
  io.error({
    code: 'INTERNAL',
    message: `Unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    hint: 'This is a bug in rdp. Rerun with --debug and report it at https://github.com/rdp-cli/rdp/issues.',
  });
  if (io.flags.debug) io.debug(stackOf(err));
  return ExitCode.Failure;
}

/**
 * The parser's errors in rdp's words: what was wrong, the nearest valid word when one is close, and the
 * help of the command where it happened (src/commands/index.ts records it on the error).
 */
function usageError(err: CommanderError): UsageError {
  const path = (err as CommanderError & { commandPath?: string }).commandPath;
  let hint = helpHint(path);
  let message = err.message.replace(/^error:\s*/i, '');
  const meant = /\n\(Did you mean (.+)\?\)$/.exec(message);
  if (meant) message = message.slice(0, meant.index);
  const suggestion = (word: string | undefined) => (word ? ` Did you mean "${word}"?` : '');
  let m: RegExpExecArray | null;
  if ((m = /^unknown command '(.*)'$/.exec(message))) {
    message = `Unknown command "${m[1]}".${suggestion(meant?.[1])}`;
  } else if ((m = /^unknown option '(.*)'$/.exec(message))) {
    message = `Unknown option '${m[1]}'.${meant ? ` Did you mean '${meant[1]}'?` : ''}`;
    // An id that begins with a dash where the command takes no such id (the ids it does take, NOMAD's,
    // are given to it before parsing: src/commands/operands.ts): `--` ends the options.
    if (!meant && /^-[A-Za-z0-9_-]{15,}$/.test(m[1] as string)) {
      hint = `If ${m[1]} is an id, put it after \`--\`, which ends the options: rdp ${path ? `${path} ` : ''}[options] -- ${m[1]}`;
    }
  } else if ((m = /^option '(\S+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.+)\.$/.exec(message))) {
    const choices = (m[3] as string).split(', ');
    message = `${m[1]} cannot be "${m[2]}".${suggestion(nearest(m[2] as string, choices))}`;
    hint = `Choose one of: ${choices.join(', ')}.`;
  } else if ((m = /^command-argument value '(.*)' is invalid for argument '(.+)'\. Allowed choices are (.+)\.$/.exec(message))) {
    const choices = (m[3] as string).split(', ');
    message = `Unknown ${m[2]} "${m[1]}".${suggestion(nearest(m[1] as string, choices))}`;
    hint = `Choose one of: ${choices.join(', ')}.`;
  } else if ((m = /^required option '(.*)' not specified$/.exec(message))) {
    message = `${m[1]} is required.`;
  } else if ((m = /^missing required argument '(.*)'$/.exec(message))) {
    message = `Missing the ${m[1]} argument.`;
  } else {
    message = capitalise(message);
    if (!/[.?!]$/.test(message)) message += '.';
  }
  return new UsageError(message, { hint });
}

/** `rdp` or a command group (`path`: its words after `rdp`) given without the subcommand it needs. */
function missingSubcommand(program: Command, path: string | undefined): UsageError {
  let at: Command | undefined = program;
  for (const word of path ? path.split(' ') : []) at = at?.commands.find((c) => c.name() === word);
  const names = (at?.commands ?? []).map((c) => c.name()).filter((n) => n !== 'help');
  const what = path ? `\`rdp ${path}\` needs a subcommand` : 'No command given';
  return new UsageError(`${what}${names.length ? `: ${names.join(', ')}` : ''}.`, { hint: helpHint(path) });
}

/** The hint of a usage error: the help of the command (`path`: its words after `rdp`). */
function helpHint(path: string | undefined): string {
  return `Run \`rdp ${path ? `${path} ` : ''}--help\` for usage.`;
}

function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
