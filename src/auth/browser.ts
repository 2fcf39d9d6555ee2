// Opening the authorize page. `BROWSER`, when set, names the command to run with the URL (as gh and
// Python's webbrowser do: a command line, `%s` marks where the URL goes, else it is the last argument;
// several commands may be separated by `:`). Otherwise the `open` package opens the default browser,
// but only where a person can see it: a terminal on stderr and, on Linux, a graphical session (a
// terminal browser on a remote host makes the login look stuck: peers.md complaint 10).
import { spawn } from 'node:child_process';

export type OpenResult = { opened: true; how: string } | { opened: false; why: string };

/** Split a command line the way a POSIX shell would for simple words and quotes (no expansion). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) cur += line[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** The argv for one BROWSER entry and a URL. */
export function browserArgv(entry: string, url: string): string[] {
  const words = splitCommand(entry);
  if (words.some((w) => w.includes('%s'))) return words.map((w) => w.split('%s').join(url));
  return [...words, url];
}

function runDetached(argv: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    if (!cmd) {
      resolve(false);
      return;
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { env, stdio: 'ignore', detached: true, windowsHide: true });
    } catch {
      resolve(false);
      return;
    }
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export interface OpenOptions {
  env: NodeJS.ProcessEnv;
  /** A person watches stderr (a terminal). */
  interactive: boolean;
  platform?: NodeJS.Platform;
}

/** Open `url` in a browser if there is a sensible way to; never throws. */
export async function openBrowser(url: string, opts: OpenOptions): Promise<OpenResult> {
  const browserEnv = opts.env.BROWSER?.trim();
  if (browserEnv) {
    // The user named the command: honour it even without a terminal (a remote editor's helper that
    // forwards URLs to the local browser sets BROWSER, for one).
    const entries = (opts.platform ?? process.platform) === 'win32' ? [browserEnv] : browserEnv.split(':');
    for (const entry of entries.filter((e) => e.trim())) {
      if (await runDetached(browserArgv(entry, url), opts.env)) return { opened: true, how: `with ${splitCommand(entry)[0]} (BROWSER)` };
    }
    return { opened: false, why: 'the command named by BROWSER could not be started' };
  }
  if (!opts.interactive) return { opened: false, why: 'no terminal' };
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux' && !opts.env.DISPLAY && !opts.env.WAYLAND_DISPLAY) {
    return { opened: false, why: 'no graphical session (DISPLAY is not set)' };
  }
  try {
    const { default: open } = await import('open');
    const child = await open(url, { wait: false });
    child.once('error', () => {});
    child.unref();
    return { opened: true, how: 'in your default browser' };
  } catch (err) {
    return { opened: false, why: (err as Error).message };
  }
}
