// Runs the built CLI (node bin/rdp.js) as a child process, the way a user or CI job does, in an
// isolated config directory, and keeps every byte it printed so that a test can prove no secret
// leaked into any output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'rdp.js');

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  timeoutMs?: number;
  /** This run prints a token on purpose (`rdp auth token`): keep it out of the leak scan. */
  printsSecret?: boolean;
  cwd?: string;
  /** Run this Node script instead of the CLI (scripts/demo.mjs), in the same environment. */
  script?: string;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Run inside a pseudo-terminal (util-linux `script`), so stdin, stdout and stderr are a TTY. */
  pty?: boolean;
  /** false: leave the pty without a size (0 columns), as `script` makes it without a terminal around it. */
  ptySize?: boolean;
  timeoutMs?: number;
}

/** A running rdp whose stdin stays open: for answering prompts and pasting. */
export interface Started {
  /** Write to the child's stdin (through a pty: what a person types). */
  write(text: string): void;
  /** Resolves with the first match of `re` in stdout + stderr (a pty merges them). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** stdout + stderr so far. */
  output(): string;
  /** stdout alone so far (without a pty). */
  stdout(): string;
  /** Send a signal (SIGINT to stop `rdp emulator`). */
  kill(signal?: NodeJS.Signals): void;
  done: Promise<RunResult>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export class Sandbox {
  readonly dir: string;
  readonly configDir: string;
  env: Record<string, string | undefined>;
  /** What each run printed; `cmd` (what the test typed) is shown in a failure but not scanned. */
  private readonly transcripts: { cmd: string; text: string }[] = [];
  private readonly secrets = new Set<string>();

  constructor(env: Record<string, string | undefined> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'rdp-test-'));
    this.configDir = join(this.dir, 'config');
    const base: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RDP_') || k === 'RDP_SECRET_SERVICE') base[k] = v;
    // A throwaway keyring starved of CPU by parallel tests (Chromium, uploads) can take seconds to
    // answer; the tests of the 3 s bound itself (keychain-failures) set it back explicitly.
    // No colour unless a test asks for it (a FORCE_COLOR in the developer's or CI's environment would win over NO_COLOR).
    this.env = { ...base, HOME: this.dir, XDG_CONFIG_HOME: this.configDir, NO_COLOR: '1', FORCE_COLOR: undefined, RDP_KEYCHAIN_TIMEOUT_MS: '15000', ...env };
  }

  /** Register a secret that must never appear in output. */
  secret(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    const env = { ...this.env, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [opts.script ?? BIN, ...args], {
      cwd: opts.cwd ?? this.dir,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('close', (c, s) => res([c, s])));
    clearTimeout(timer);
    const result = { code, signal, stdout, stderr, ms: Date.now() - started };
    this.transcripts.push({ cmd: opts.script ? `$ node ${opts.script}` : `$ rdp ${args.join(' ')}`, text: `${opts.printsSecret ? '' : stdout}\n${stderr}` });
    return result;
  }

  /** Start rdp and leave stdin open; the transcript joins the leak scan when it ends. */
  start(args: string[], opts: StartOptions = {}): Started {
    const started = Date.now();
    const env = { ...this.env, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const child = opts.pty
      ? spawn('script', ['-qfec', `${opts.ptySize === false ? '' : 'stty cols 100 rows 30; '}exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`, '/dev/null'], {
          cwd: this.dir,
          env: env as NodeJS.ProcessEnv,
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, [BIN, ...args], { cwd: this.dir, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let both = '';
    const watchers: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
    const feed = () => {
      for (const w of [...watchers]) {
        const m = w.re.exec(both);
        if (m) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      both += d;
      feed();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      both += d;
      feed();
    });
    child.stdin.on('error', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    const done = new Promise<RunResult>((resolve) =>
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.transcripts.push({ cmd: `$ rdp ${args.join(' ')}${opts.pty ? ' (pty)' : ''}`, text: `${stdout}\n${stderr}` });
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
      }),
    );
    return {
      write: (text) => child.stdin.write(text),
      kill: (signal = 'SIGTERM') => child.kill(signal),
      output: () => both,
      stdout: () => stdout,
      done,
      waitFor: (re, timeoutMs = 20_000) =>
        new Promise((resolve, reject) => {
          const m = re.exec(both);
          if (m) {
            resolve(m);
            return;
          }
          const t = setTimeout(() => reject(new Error(`rdp never printed ${re}; output so far:\n${both}`)), timeoutMs);
          watchers.push({ re, resolve: (x) => (clearTimeout(t), resolve(x)) });
        }),
    };
  }

  /** Text of every file under the config dir except the plaintext token store. */
  configFilesText(): { path: string; text: string }[] {
    const out: { path: string; text: string }[] = [];
    const walk = (d: string) => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n !== 'tokens.json') out.push({ path: p, text: readFileSync(p, 'utf8') });
      }
    };
    walk(this.configDir);
    return out;
  }

  /** No registered secret in any output of any run, nor in any config file but the token store. */
  assertNoLeaks(): void {
    expect(this.secrets.size).toBeGreaterThan(0);
    for (const secret of this.secrets) {
      for (const t of this.transcripts) {
        if (t.text.includes(secret)) throw new Error(`secret ${secret.slice(0, 4)}… leaked in output:\n${t.cmd}\n${t.text.slice(0, 2000)}`);
      }
      for (const f of this.configFilesText()) {
        if (f.text.includes(secret)) throw new Error(`secret ${secret.slice(0, 4)}… leaked into ${f.path}`);
      }
    }
  }

  get runs(): number {
    return this.transcripts.length;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function parseJson<T = unknown>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON: ${JSON.stringify(text.slice(0, 500))}`);
  }
}
