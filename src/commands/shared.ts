// Pieces every command definition shares: the provider argument, common options, and the action
// wrapper that applies the global flags. Only this folder and src/cli.ts import commander.
import { Argument, type Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { getProvider, nameList, providers } from '../providers/index.js';
import type { Provider } from '../providers/types.js';

export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
}

/** The provider argument of login, logout and auth: any provider of this run (parsed to its descriptor). */
export function providerArgument(description?: string, required = true): Argument {
  const list = providers();
  const arg = new Argument(required ? '<provider>' : '[provider]', description ?? nameList(list, 'or', 'id')).choices(list.map((p) => p.id));
  // Our own message for a wrong value (commander's would not say what to do next).
  return arg.argParser((v): Provider => getProvider(v, list));
}

export function sandboxOption(): Option {
  return new Option('--sandbox', "use Zenodo's or ORCID's sandbox, or NOMAD's test instance");
}

/** "--client-credentials is for DMPTool and ORCID only": a flag only some providers take. */
export function onlyFor(flags: string, have: readonly Provider[]): UsageError {
  return new UsageError(`${flags} ${flags.includes(' and ') ? 'are' : 'is'} for ${nameList(have, 'and')} only.`);
}

/** A parser for a flag that takes a count: 1, 2, 3, … (up to `max` when the flag has a ceiling). */
export function positiveInt(name: string, max?: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || (max !== undefined && n > max)) {
      throw new UsageError(
        max === undefined ? `${name} must be a positive whole number (1, 2, 3, …), not "${value}".` : `${name} must be a whole number from 1 to ${max}, not "${value}".`,
      );
    }
    return n;
  };
}

/**
 * Wrap an action: apply the global flags (--json, --quiet, --debug, --no-color) from wherever they
 * were given on the command line, then run.
 */
export function run<A extends unknown[]>(ctx: Context, fn: (...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const flags = cmd.optsWithGlobals<GlobalFlags>();
    ctx.io.flags = {
      json: Boolean(flags.json),
      quiet: Boolean(flags.quiet),
      debug: Boolean(flags.debug) || ctx.env.RDP_DEBUG === '1',
      color: flags.color === false || flags.json ? false : undefined,
    };
    await ctx.io.enableColor();
    await fn(...(args as A));
  };
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
