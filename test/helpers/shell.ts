// Drives a real interactive bash or zsh on a pseudo-terminal (util-linux `script`) with rdp's completion
// script loaded, presses TAB the way a person does, and reports what the shell did: the listing it
// printed and the words the command line ended up with (`rdp` is a shell function there that prints
// its arguments, so Enter after TAB shows the completed line).
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Completed {
  /** What the terminal showed between pressing TAB and the command's output (the listing, if any). */
  shown: string;
  /** The arguments `rdp` got when Enter was pressed after TAB. */
  args: string[];
}

export interface InteractiveShell {
  /** Type `line`, press TAB, then Enter. */
  complete(line: string): Promise<Completed>;
  close(): Promise<void>;
}

/** `shell` with the completion script `script` (bash: sourced; zsh: autoloaded from its folder through compinit). */
export async function interactiveShell(shell: 'bash' | 'zsh', scriptPath: string, cwd: string): Promise<InteractiveShell> {
  const home = mkdtempSync(join(tmpdir(), `rdp-${shell}-`));
  const env: NodeJS.ProcessEnv = { HOME: home, PATH: process.env.PATH, TERM: 'dumb', LANG: 'C.UTF-8', ZDOTDIR: home };
  let setup: string;
  let command: string;
  if (shell === 'bash') {
    // Readline lists every candidate on the first TAB, never pages or asks.
    writeFileSync(join(home, 'inputrc'), 'set show-all-if-ambiguous on\nset completion-query-items -1\nset page-completions off\nset bell-style none\nset enable-bracketed-paste off\n');
    env.INPUTRC = join(home, 'inputrc');
    command = 'bash --norc --noprofile -i';
    setup = `source '${scriptPath}'; rdp() { printf 'ARGS'; printf '<%s>' "$@"; printf '\\n'; }; PS1='$ '`;
  } else {
    const dir = join(home, 'zfunc');
    mkdirSync(dir);
    copyFileSync(scriptPath, join(dir, '_rdp'));
    command = 'zsh -f -i';
    // compinit from the system's zsh, our _rdp first in fpath; list on the first TAB; keep the slash
    // of a completed folder when Enter follows (zsh removes it by default).
    setup = `fpath=('${dir}' $fpath); autoload -U compinit; compinit -u -D; unsetopt listambiguous beep autoremoveslash; LISTMAX=1000; rdp() { print -r -- "ARGS<\${(j:><:)@}>" }; PS1='%% '`;
  }
  const child: ChildProcess = spawn('script', ['-qfec', `stty cols 250 rows 60; exec ${command}`, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; from: number; resolve: (m: { index: number; end: number; match: RegExpExecArray }) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      w.re.lastIndex = w.from;
      const m = w.re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve({ index: m.index, end: m.index + m[0].length, match: m });
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  const waitFor = (re: RegExp, from: number) =>
    new Promise<{ index: number; end: number; match: RegExpExecArray }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${shell} never printed ${re}; its output:\n${out.slice(from)}`)), 20_000);
      waiters.push({ re: new RegExp(re.source, `${re.flags.replace('g', '')}g`), from, resolve: (m) => (clearTimeout(t), resolve(m)) });
      check();
    });

  child.stdin?.write(`${setup}\n`);
  child.stdin?.write(`echo SETUP''DONE\n`);
  let pos = (await waitFor(/^SETUPDONE\r?$/m, 0)).end;

  return {
    async complete(line: string): Promise<Completed> {
      const from = pos;
      child.stdin?.write(`${line}\t`);
      child.stdin?.write('\n');
      const m = await waitFor(/ARGS((?:<[^<>\r\n]*>)*)\r?\n/, from);
      pos = m.end;
      const args = [...(m.match[1] ?? '').matchAll(/<([^<>]*)>/g)].map((a) => a[1] as string);
      return { shown: out.slice(from, m.index), args };
    },
    async close() {
      child.stdin?.end('exit\n');
      await new Promise((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.on('close', () => resolve(clearTimeout(t)));
      });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
