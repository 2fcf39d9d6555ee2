// All terminal output goes through here (STYLE.md 3.6): stdout carries data only; notices, progress,
// prompts, hints and errors go to stderr. Every write is passed through the secret redactor, so a token
// that reached a message by accident (a provider echoing it back, say) is never printed. Human output
// (everything but the JSON document) loses terminal control characters on the way (./sanitize.ts):
// a server's title or message cannot rename the terminal, clear the screen or break a table.
import type { Readable, Writable } from 'node:stream';
import { Redactor } from '../util/redact.js';
import { sanitizeForTerminal } from './sanitize.js';

export interface Streams {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface OutputFlags {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  color: boolean | undefined; // undefined = let chalk decide (NO_COLOR, FORCE_COLOR, TTY)
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
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
    return Boolean(this.streams.stdin.isTTY);
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

  async enableColor(): Promise<void> {
    if (this.flags.color === false) return;
    const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
    const level = (s: typeof supportsColor) => (s ? s.level : 0);
    const forced = this.flags.color === true ? 1 : 0;
    const errLevel = Math.max(forced, this.stderrIsTTY ? level(supportsColorStderr) : 0);
    const outLevel = Math.max(forced, this.stdoutIsTTY ? level(supportsColor) : 0);
    if (errLevel > 0) this.style = new Chalk({ level: errLevel as 1 | 2 | 3 });
    if (outLevel > 0 && !this.flags.json) this.outStyle = new Chalk({ level: outLevel as 1 | 2 | 3 });
  }

  /** Remember a secret so that no later output can show it. */
  secret(value: string | undefined | null): void {
    this.redactor.add(value);
  }

  private writeOut(text: string, human = true): void {
    const t = this.redactor.redact(text);
    this.streams.stdout.write(human ? sanitizeForTerminal(t, this.outStyle !== plain) : t);
  }
  private writeErr(text: string, human = true): void {
    const t = this.redactor.redact(text);
    this.streams.stderr.write(human ? sanitizeForTerminal(t, this.style !== plain) : t);
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
    this.streams.stdout.write(`${value}\n`);
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
