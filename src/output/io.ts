// All terminal output goes through here (STYLE.md 3.6): stdout carries data only; notices, progress,
// prompts, hints and errors go to stderr. Every write is passed through the secret redactor, so a token
// that reached a message by accident (a provider echoing it back, say) is never printed. Human output
// (everything but the JSON document) loses terminal control characters on the way (./sanitize.ts):
// a server's title or message cannot rename the terminal, clear the screen or break a table.
import type { Readable, Writable } from 'node:stream';
import { Redactor } from '../util/redact.js';
import { sanitizeForTerminal } from './sanitize.js';

type OutStream = Writable & { isTTY?: boolean; columns?: number; getColorDepth?: (env?: object) => number };

export interface Streams {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: OutStream;
  stderr: OutStream;
  /** Is stdin a terminal, asked without making the stdin stream (default: stdin.isTTY). */
  stdinIsTTY?: () => boolean;
}

export interface OutputFlags {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  color: boolean | undefined; // false: --no-color or --json; undefined: colorLevel() decides
}

export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * How much colour a stream gets (0 = none, also no bold or dim). In order: --no-color and --json turn it
 * off; FORCE_COLOR forces it on any stream (chalk's reading: "", "true" or a number >= 1 on, "0" or
 * "false" off; it wins over NO_COLOR, as in chalk and Node); NO_COLOR with any value, even empty, turns
 * it off, also on a terminal; otherwise a terminal gets the depth it reports (TERM, COLORTERM) and
 * anything else none.
 */
export function colorLevel(env: NodeJS.ProcessEnv, stream: OutStream, flag: boolean | undefined): ColorLevel {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const n = Number.parseInt(force, 10);
    if (Number.isNaN(n)) return 1;
    return Math.max(0, Math.min(n, 3)) as ColorLevel;
  }
  if (flag === true) return 1;
  if (env.NO_COLOR !== undefined) return 0;
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  // Node's own reading of the terminal (TERM, COLORTERM, CI variables), given our environment.
  const depth = typeof stream.getColorDepth === 'function' ? stream.getColorDepth({ ...env, FORCE_COLOR: undefined, NO_COLOR: undefined }) : 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

/**
 * A line that is redrawn in place at the bottom of a terminal's stderr (a transfer's progress bar). IO
 * clears it before any other output, on stdout too (stdout and stderr often share the terminal: a line
 * of data must never land inside a half-drawn progress line), and redraws it after.
 */
export interface LiveLine {
  clear(): void;
  redraw(): void;
}

const plain: Style = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  cyan: (s) => s,
};

export class IO {
  readonly streams: Streams;
  readonly env: NodeJS.ProcessEnv;
  flags: OutputFlags;
  readonly redactor = new Redactor();
  /** Styles for stderr; plain until enableColor() has loaded chalk. */
  style: Style = plain;
  /** Styles for stdout (data: tables); plain unless stdout is a colour terminal. */
  outStyle: Style = plain;

  constructor(streams: Streams, env: NodeJS.ProcessEnv, flags?: Partial<OutputFlags>) {
    this.streams = streams;
    this.env = env;
    this.flags = { json: false, quiet: false, debug: false, color: undefined, ...flags };
  }

  get stdinIsTTY(): boolean {
    return this.streams.stdinIsTTY ? this.streams.stdinIsTTY() : Boolean(this.streams.stdin.isTTY);
  }
  get stdoutIsTTY(): boolean {
    return Boolean(this.streams.stdout.isTTY);
  }
  get stderrIsTTY(): boolean {
    return Boolean(this.streams.stderr.isTTY);
  }
  get isCI(): boolean {
    const ci = this.env.CI;
    return Boolean(ci && ci !== '0' && ci.toLowerCase() !== 'false');
  }
  /** True when a person can answer a prompt: a terminal on stdin and stderr, and no --json. */
  get canPrompt(): boolean {
    return this.stdinIsTTY && this.stderrIsTTY && !this.flags.json;
  }
  /** True when animated progress (spinners, bars) may be drawn on stderr. */
  get interactive(): boolean {
    return this.stderrIsTTY && !this.isCI && !this.flags.json && !this.flags.quiet;
  }

  /** True when stderr gets colour and styles (see colorLevel). */
  get stderrColor(): boolean {
    return this.style !== plain;
  }

  /** Choose the styles of stderr and stdout from the flags, the environment and the streams. */
  async enableColor(): Promise<void> {
    const errLevel = colorLevel(this.env, this.streams.stderr, this.flags.color);
    const outLevel = this.flags.json ? 0 : colorLevel(this.env, this.streams.stdout, this.flags.color);
    this.style = plain;
    this.outStyle = plain;
    if (errLevel === 0 && outLevel === 0) return;
    const { Chalk } = await import('chalk');
    if (errLevel > 0) this.style = new Chalk({ level: errLevel });
    if (outLevel > 0) this.outStyle = new Chalk({ level: outLevel });
  }

  /** Remember a secret so that no later output can show it. */
  secret(value: string | undefined | null): void {
    this.redactor.add(value);
  }

  private live: LiveLine | undefined;

  /** Show `line` as the live line (undefined: none). Only one at a time. */
  setLiveLine(line: LiveLine | undefined): void {
    this.live = line;
  }

  /** Write around the live line: clear it, write, redraw it. */
  private around(write: () => void): void {
    const live = this.live;
    live?.clear();
    write();
    live?.redraw();
  }

  private writeOut(text: string, human = true): void {
    const t = this.redactor.redact(text);
    this.around(() => this.streams.stdout.write(human ? sanitizeForTerminal(t, this.outStyle !== plain) : t));
  }
  private writeErr(text: string, human = true): void {
    const t = this.redactor.redact(text);
    this.around(() => this.streams.stderr.write(human ? sanitizeForTerminal(t, this.style !== plain) : t));
  }

  /** Text for a writer that bypasses IO (a spinner): control characters removed, rdp's styles kept. */
  clean(text: string): string {
    return sanitizeForTerminal(this.redactor.redact(text), this.style !== plain);
  }

  /** Data for stdout (a line is added when missing). */
  out(text: string): void {
    this.writeOut(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A document written to stdout as data (a DMP's JSON for `-o -`): byte for byte, never cleaned. */
  document(text: string): void {
    this.writeOut(text, false);
  }

  /** The one document of --json mode. */
  json(value: unknown): void {
    this.writeOut(`${JSON.stringify(value, null, 2)}\n`, false);
  }

  /** Print a command's result: JSON with --json, else the human rendering (skipped when empty). */
  result<T>(value: T, human: (value: T) => string): void {
    if (this.flags.json) {
      this.json(value);
      return;
    }
    const text = human(value);
    if (text) this.out(text);
  }

  /**
   * Print a secret on purpose (only `rdp auth token` does this). It bypasses the redactor, and only
   * for this value.
   */
  printSecret(value: string): void {
    this.around(() => this.streams.stdout.write(`${value}\n`));
  }

  /** A notice on stderr; dropped by --quiet and --json. */
  info(text: string): void {
    if (this.flags.quiet || this.flags.json) return;
    this.writeErr(`${text}\n`);
  }

  /** A success line on stderr; dropped by --quiet and --json. */
  success(text: string): void {
    if (this.flags.quiet || this.flags.json) return;
    this.writeErr(`${this.style.green('✓')} ${text}\n`);
  }

  /** A warning on stderr; kept with --json (stderr is not the JSON channel), dropped by --quiet. */
  warn(text: string): void {
    if (this.flags.quiet) return;
    this.writeErr(`${this.style.yellow('!')} ${text}\n`);
  }

  /** Raw stderr text that must always appear (an authorize URL, a prompt). */
  notice(text: string): void {
    this.writeErr(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** --debug lines (request log); already-redacted input is redacted again here. */
  debug(text: string): void {
    if (!this.flags.debug) return;
    this.writeErr(`${this.style.dim(`[debug] ${text}`)}\n`);
  }

  /** The final error of a failed command (called only from src/cli.ts). */
  error(err: { code: string; message: string; hint?: string | undefined; details?: unknown }): void {
    if (this.flags.json) {
      const body: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.hint) body.hint = err.hint;
      if (err.details) body.details = err.details;
      this.writeErr(`${JSON.stringify({ error: body })}\n`, false);
      return;
    }
    this.writeErr(`${this.style.red('Error:')} ${err.message}\n`);
    if (err.hint) this.writeErr(`${this.style.dim(err.hint)}\n`);
  }
}
