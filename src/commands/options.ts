// Options declared as data (providers/types.ts OptionSpec: a deposit target's options, the upload
// command's own) made into commander options, read back from commander's values, and written out again
// as the command line that resumes an interrupted upload. The one place where option data meets
// commander and the shell.
import { Option } from 'commander';
import { UsageError } from '../errors/errors.js';
import type { OptionSpec } from '../providers/types.js';
import { shellQuote } from '../util/text.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** commander's attribute name of an option: `--new-version <id>` -> newVersion, `--no-wait` -> wait. */
export function attributeName(spec: Pick<OptionSpec, 'flags'>): string {
  return new Option(spec.flags).attributeName();
}

/** The long flag of an option: `--new-version`, `--no-wait`. */
export function longFlag(spec: Pick<OptionSpec, 'flags'>): string {
  return /--[\w-]+/.exec(spec.flags)?.[0] ?? spec.flags;
}

export function toOption(spec: OptionSpec): Option {
  const o = new Option(spec.flags, spec.description);
  if (spec.choices) o.choices(spec.choices);
  if (spec.repeatable) o.argParser(collect);
  else if (spec.parse) o.argParser(spec.parse);
  return o;
}

/**
 * An option that names where a command acts (`--to`, `--on`), refused when given twice with different
 * values: taking the last one silently would act on one service where the user may have meant both.
 */
export function once(option: Option, why: string): Option {
  const parse = option.parseArg;
  const flag = option.long ?? option.flags;
  option.parseArg = <T>(value: string, previous: T): T => {
    if (previous !== undefined && previous !== option.defaultValue && String(previous) !== value) {
      throw new UsageError(`${flag} is given twice ("${String(previous)}", then "${value}"): ${why}.`, { hint: `Give ${flag} once; run the command once for each.` });
    }
    return (parse ? parse(value, previous) : value) as T;
  };
  return option;
}

/** Was the option given? (A negatable option `--no-x` is given when its value is false.) */
export function given(spec: OptionSpec, values: Record<string, unknown>): boolean {
  const v = values[attributeName(spec)];
  return longFlag(spec).startsWith('--no-') ? v === false : v !== undefined;
}

/** The options' values, keyed by attribute name (only those given). */
export function valuesOf(specs: readonly OptionSpec[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of specs) if (given(s, values)) out[attributeName(s)] = values[attributeName(s)];
  return out;
}

/** The arguments that give an option its value again: `--title 'It'\''s'`, `--creator A --creator B`, `--zotero`. */
export function asArgs(spec: OptionSpec, value: unknown): string[] {
  const flag = longFlag(spec);
  const takesValue = /[<[]/.test(spec.flags);
  if (!takesValue) return value === true || (flag.startsWith('--no-') && value === false) ? [flag] : [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => [flag, String(v)]);
}

/**
 * The command line that runs this upload again into deposit `id`: the paths, the target, `--<resume>
 * <id>`, and every option given except those that chose the target (`notResumed`).
 */
export function resumeCommand(head: string[], target: { flag: string; id: string | number } | undefined, specs: readonly OptionSpec[], values: Record<string, unknown>): string {
  const args = [...head];
  if (target) args.push(target.flag, String(target.id));
  for (const s of specs) if (!s.notResumed && given(s, values)) args.push(...asArgs(s, values[attributeName(s)]));
  return args.map(shellQuote).join(' ');
}
