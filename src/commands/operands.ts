// Ids that begin with a dash. NOMAD's upload ids are 22 base64url characters, and one in 64 begins
// with `-` (`-l0OabHPLGSpqOi-5turjg`): the parser would take it for an option ("Unknown option"), or
// worse, for a group of known short flags (`-qAb…` is --quiet plus `-Ab…`; `-VAb…` prints the version).
// A command declares the exact shapes of the ids its operand takes (dashLedOperand); before parsing,
// src/cli.ts calls operandsNotOptions, which gives such an argument to the command as its operand
// (after `--`), and joins a dash-led value to the option that takes it (`--upload=-l0O…`), so that no
// level of the parser reads it as flags. Anything else that begins with a dash stays an option, and an
// unknown one is still a usage error.
import type { Command, Option } from 'commander';

const shapes = new WeakMap<Command, readonly RegExp[]>();

/** `cmd`'s operand may be an id of one of these exact shapes, even one that begins with `-`. */
export function dashLedOperand<C extends Command>(cmd: C, idShapes: readonly RegExp[]): C {
  if (idShapes.length) shapes.set(cmd, idShapes);
  return cmd;
}

/** Long options are lower-case words: a double-dash argument with a capital or a digit is no option of ours. */
const NOT_A_LONG_OPTION = /[A-Z0-9_]/;

function isDashLedId(arg: string, idShapes: readonly RegExp[]): boolean {
  if (!idShapes.some((re) => re.test(arg))) return false;
  if (arg.startsWith('--')) return NOT_A_LONG_OPTION.test(arg.slice(2));
  return true;
}

function known(cmd: Command, arg: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === arg || x.short === arg);
    if (o) return o;
  }
  return undefined;
}

/**
 * The command line with every dash-led id (of a shape the command's operand takes, and no option of
 * that command) moved after `--` as an operand (in order, with the operands that followed it), and
 * each dash-led value of an option that takes one joined to its flag. Anything else is left as it is.
 */
export function operandsNotOptions(program: Command, argv: string[]): string[] {
  // The command the arguments are for: the program's options take no values, so every word before the
  // command's name is a global flag.
  let cmd: Command = program;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv;
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
    if (!sub.commands.length) {
      i++;
      break;
    }
  }
  if (cmd === program) return argv;
  const idShapes = shapes.get(cmd) ?? [];
  const head = argv.slice(0, i);
  const kept: string[] = [];
  const moved: string[] = [];
  let changed = false;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (moved.length) {
        moved.push(...argv.slice(i + 1));
        return [...head, ...kept, '--', ...moved];
      }
      kept.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      (moved.length ? moved : kept).push(arg);
      continue;
    }
    const option = known(cmd, arg);
    if (option) {
      const value = argv[i + 1];
      if (option.required && value !== undefined) {
        i++;
        if (value.length > 1 && value.startsWith('-')) {
          // The option takes the next argument whatever it is; joined, no parser reads it as flags.
          kept.push(option.long === arg ? `${arg}=${value}` : `${arg}${value}`);
          changed = true;
        } else kept.push(arg, value);
        continue;
      }
      if (option.optional && value !== undefined && !value.startsWith('-')) {
        kept.push(arg, value);
        i++;
        continue;
      }
      kept.push(arg);
      continue;
    }
    if (isDashLedId(arg, idShapes)) {
      moved.push(arg);
      changed = true;
      continue;
    }
    kept.push(arg);
  }
  if (!changed) return argv;
  return moved.length ? [...head, ...kept, '--', ...moved] : [...head, ...kept];
}
