// Prompts on the terminal: a visible line (a username) and a hidden one (a password or a pasted token,
// never echoed). Both refuse to run without a terminal, naming the flag that answers instead.
import { CancelledError, UsageError } from '../errors/errors.js';
import type { IO } from './io.js';

/** Why a prompt cannot be shown: no terminal, or --json (a script's mode) on one. */
function withoutPrompt(io: IO): string {
  return io.flags.json && io.stdinIsTTY && io.stderrIsTTY ? 'with --json, which asks nothing (leave out --json to be asked)' : 'without a terminal';
}

export async function promptLine(io: IO, question: string, flagHint: string): Promise<string> {
  if (!io.canPrompt) throw new UsageError(`Cannot ask "${question.trim()}" ${withoutPrompt(io)}.`, { hint: flagHint });
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.streams.stdin, output: io.streams.stderr, terminal: true });
  const ac = new AbortController();
  rl.on('SIGINT', () => ac.abort());
  try {
    return (await rl.question(question, { signal: ac.signal })).trim();
  } catch {
    throw new CancelledError();
  } finally {
    rl.close();
  }
}

export async function promptHidden(io: IO, question: string, flagHint: string): Promise<string> {
  const stdin = io.streams.stdin;
  if (!io.canPrompt || typeof stdin.setRawMode !== 'function') {
    throw new UsageError(`Cannot ask "${question.trim()}" ${io.canPrompt ? 'without a terminal' : withoutPrompt(io)}.`, { hint: flagHint });
  }
  const setRaw = stdin.setRawMode.bind(stdin);
  // Echo off BEFORE the question appears: the terminal switches modes only once pending output has
  // drained, so an answer typed or pasted the moment the question shows would otherwise be echoed.
  setRaw(true);
  io.notice(question.replace(/\n$/, '')); // the question on its own line; the answer is not echoed
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.removeListener('data', onData);
      setRaw(false);
      stdin.pause();
      io.notice('');
      if (err) reject(err);
      else resolve(value.trim());
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') return done(new CancelledError()); // Ctrl-C
        if (ch === '\u0004' || ch === '\r' || ch === '\n') return done(); // Ctrl-D, Enter
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** All of stdin (a piped token or password), at most `limit` bytes. */
export async function readStdin(io: IO, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.streams.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > limit) throw new UsageError(`More than ${limit / 1024} KiB on stdin; expected one token.`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A yes/no question on the terminal (default no). Without a terminal it cannot be asked: a UsageError
 * (exit 2) whose hint names the flag that answers it in scripts.
 */
export async function confirm(io: IO, question: string, flagHint: string): Promise<boolean> {
  if (!io.canPrompt) throw new UsageError(`${question.trim()} rdp cannot ask ${withoutPrompt(io)}.`, { hint: flagHint });
  const answer = await promptLine(io, `${question.trim()} [y/N] `, flagHint);
  return /^y(es)?$/i.test(answer);
}
