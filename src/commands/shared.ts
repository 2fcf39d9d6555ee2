// Pieces every command definition shares: the provider argument, common options, and the action
// wrapper that applies the global flags. Only this folder and src/cli.ts import commander.
import { Argument, type Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { isProviderId, PROVIDER_IDS, type ProviderId } from '../providers/registry.js';
import { nearest } from '../util/text.js';

export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
}

export function parseProvider(value: string, allowed: readonly ProviderId[] = PROVIDER_IDS): ProviderId {
  const v = value.toLowerCase();
  if (!isProviderId(v) || !allowed.includes(v)) {
    const near = nearest(value, allowed);
    throw new UsageError(`Unknown provider "${value}".${near ? ` Did you mean "${near}"?` : ''}`, { hint: `Choose one of: ${allowed.join(', ')}.` });
  }
  return v;
}

export function providerArgument(description = 'zenodo, nomad, dmptool, orcid or zotero', required = true): Argument {
  const arg = new Argument(required ? '<provider>' : '[provider]', description).choices(PROVIDER_IDS);
  // Our own message for a wrong value (commander's would not say what to do next).
  return arg.argParser((v) => parseProvider(v));
}

export function sandboxOption(): Option {
  return new Option('--sandbox', "use Zenodo's or ORCID's sandbox, or NOMAD's test instance");
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
