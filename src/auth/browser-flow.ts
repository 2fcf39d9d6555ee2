// One browser login, whatever the protocol: start the loopback listener, build the authorize URL,
// print it (always, on its own line, on stderr), open a browser unless told not to, then wait for
// whichever comes first: the browser returning to the listener, or the user pasting the address the
// browser ended on (for a browser on another machine). Then exchange, show the outcome in the browser
// and close everything. Gives up after the timeout.
import type { Context } from '../context.js';
import { AuthDeniedError, CancelledError, FailureError, type RdpError } from '../errors.js';
import type { IO } from '../output/io.js';
import { fmtMs } from '../providers/http.js';
import { openBrowser } from './browser.js';
import { type Callback, checkCallback, LoopbackServer } from './loopback.js';

export interface FlowStart {
  /** The authorize URL to open. */
  url: string;
  /** The value the callback must carry in `stateParam`. */
  expect: string;
  /** Values that appear in the authorize URL and must be redacted from every later line. */
  redactAfterPrint?: string[] | undefined;
}

export interface BrowserFlowOptions<T> {
  name: string;
  /** `rdp login zenodo` (for hints). */
  command: string;
  port: number;
  /** How to choose another port, for the "port in use" error. */
  portHint: string;
  timeoutMs: number;
  noBrowser: boolean;
  /** `state` (OAuth 2) or `oauth_token` (OAuth 1.0a). */
  stateParam: string;
  /** Runs once the listener is up: registers nothing secret in the URL's query but protocol values. */
  begin(redirectUri: string): Promise<FlowStart>;
  /** Turns the callback's parameters into a login (the token exchange). */
  finish(params: URLSearchParams, redirectUri: string): Promise<T>;
}

/** The error a callback reports (`error=access_denied`, OAuth 1.0a's `oauth_problem`), if any. */
export function callbackError(params: URLSearchParams, name: string, command: string): RdpError | undefined {
  const error = params.get('error') ?? params.get('oauth_problem') ?? (params.has('denied') ? 'access_denied' : null);
  if (error === null) return undefined;
  const desc = clean(params.get('error_description') ?? params.get('oauth_problem_advice') ?? '');
  const what = `${clean(error)}${desc ? `: ${desc}` : ''}`;
  if (/^(access_denied|user_refused|permission_denied|consent_required|login_required|interaction_required)$/.test(error)) {
    return new AuthDeniedError('AUTH_DENIED', `The ${name} login was denied in the browser (${what}). Nothing was stored.`, {
      hint: `Run \`${command}\` again and approve the request (or log in with a token: \`${command} --with-token\`).`,
    });
  }
  return new FailureError('OAUTH_ERROR', `${name} ended the login with an error (${what}). Nothing was stored.`, {
    hint: `Run \`${command}\` again; if it keeps failing, check the OAuth client you configured (see \`rdp login --help\`).`,
  });
}

/** Provider text for a message: one line, no control characters, bounded. */
function clean(s: string): string {
  const one = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}

export async function runBrowserFlow<T>(ctx: Context, opts: BrowserFlowOptions<T>): Promise<T> {
  const { io } = ctx;
  const loopback = await LoopbackServer.start({
    port: opts.port,
    stateParam: opts.stateParam,
    providerName: opts.name,
    portHint: opts.portHint,
    debug: (l) => io.debug(l),
  });
  const ac = new AbortController();
  const onAbort = () => ac.abort(ctx.signal.reason ?? new CancelledError());
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let paste: PasteReader | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const start = await opts.begin(loopback.redirectUri);
    loopback.expect(start.expect);

    io.notice(`Log in to ${opts.name} in a browser; this is the address to open:`);
    io.notice(start.url);
    // From here on the state (and anything else of the URL) is a secret for every line printed.
    io.secret(start.expect);
    for (const v of start.redactAfterPrint ?? []) io.secret(v);

    if (opts.noBrowser) {
      io.info('(--no-browser: open the address yourself, on this machine or any other.)');
    } else {
      const opened = await openBrowser(start.url, { env: ctx.env, interactive: io.stderrIsTTY });
      if (opened.opened) io.info(`Opened it ${opened.how}.`);
      else io.info(`Not opening a browser (${opened.why}); open the address yourself.`);
    }
    io.info(`Waiting for the browser to come back to ${loopback.redirectUri} (gives up after ${fmtMs(opts.timeoutMs)}; Ctrl-C to cancel).`);

    const check = (text: string) => {
      const url = pastedUrl(text, loopback.redirectUri);
      if (!url) return { ok: false as const, reason: 'that is not an address' };
      return checkCallback('GET', url, opts.stateParam, start.expect);
    };
    if (io.canPrompt) {
      paste = readPastedTty(
        io,
        check,
        `If the browser runs on another machine, it ends on an address starting with ${loopback.redirectUri} that does not load there: ` +
          'copy that whole address, paste it here and press Enter (input hidden).',
      );
    } else if (opts.noBrowser && !io.stdinIsTTY) {
      paste = readPastedLines(io, check);
    }

    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new FailureError('LOGIN_TIMEOUT', `No answer from the browser within ${fmtMs(opts.timeoutMs)}: it never came back to ${loopback.redirectUri}. Nothing was stored.`, {
            hint:
              `Run \`${opts.command}\` again (--timeout to wait longer). If ${opts.name} said the redirect URI does not match, ` +
              `use the port you registered with --port. Without a browser on this machine, use --no-browser and paste the address the browser ends on.`,
          }),
        );
      }, opts.timeoutMs);
    });
    const fromListener = loopback.next(ac.signal);
    const contenders: Promise<Callback>[] = [fromListener, timeout];
    if (paste) contenders.push(paste.result.then((params) => ({ params, respond: () => {} })));
    const callback = await Promise.race(contenders);
    clearTimeout(timer);
    paste?.stop();

    const denied = callbackError(callback.params, opts.name, opts.command);
    if (denied) {
      callback.respond({ ok: false, title: `${opts.name} login cancelled`, message: `${io.redactor.redact(denied.message)} You can close this tab.` });
      throw denied;
    }
    let result: T;
    try {
      result = await opts.finish(callback.params, loopback.redirectUri);
    } catch (err) {
      const message = err instanceof Error ? io.redactor.redact(err.message) : 'The login failed.';
      callback.respond({ ok: false, title: `${opts.name} login failed`, message: `${message} See the terminal for what to do next.` });
      throw err;
    }
    callback.respond({ ok: true, title: `Logged in to ${opts.name}`, message: 'rdp has stored the login. You can close this tab and return to the terminal.' });
    return result;
  } finally {
    clearTimeout(timer);
    paste?.stop();
    ctx.signal.removeEventListener('abort', onAbort);
    ac.abort();
    await loopback.close();
  }
}

/** A pasted redirect: the full URL, or only its query (`code=…&state=…`). */
export function pastedUrl(text: string, redirectUri: string): URL | undefined {
  const t = text.trim().replace(/^["'<]+|[>"']+$/g, '');
  if (!t) return undefined;
  try {
    if (/^https?:\/\//i.test(t)) return new URL(t);
    if (/^[?]?[\w.~-]+=/.test(t)) return new URL(`${redirectUri}?${t.replace(/^\?/, '')}`);
  } catch {
    return undefined;
  }
  return undefined;
}

type Check = (text: string) => { ok: true; params: URLSearchParams } | { ok: false; reason: string };

interface PasteReader {
  result: Promise<URLSearchParams>;
  stop(): void;
}

/** Hidden input on a terminal: each Enter checks one pasted address; wrong ones are explained. */
function readPastedTty(io: IO, check: Check, prompt: string): PasteReader {
  const stdin = io.streams.stdin;
  // Echo off BEFORE the prompt appears: the terminal switches modes only once pending output has
  // drained, so a paste made the moment the prompt shows would otherwise be echoed.
  stdin.setRawMode?.(true);
  io.notice(prompt);
  let stopped = false;
  let onData: ((chunk: Buffer | string) => void) | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (onData) stdin.removeListener('data', onData);
    stdin.setRawMode?.(false);
    stdin.pause();
  };
  const result = new Promise<URLSearchParams>((resolve, reject) => {
    let line = '';
    onData = (chunk) => {
      for (const ch of chunk.toString()) {
        if (ch === '\u0003') {
          stop();
          reject(new CancelledError());
          return;
        }
        if (ch === '\r' || ch === '\n') {
          const text = line;
          line = '';
          if (!text.trim()) continue;
          io.secret(text.trim());
          const r = check(text);
          if (r.ok) {
            io.notice('Got it.');
            stop();
            resolve(r.params);
            return;
          }
          io.notice(`That is not the address rdp is waiting for (${r.reason}). Paste the whole address from the browser's address bar.`);
        } else if (ch === '\u007f' || ch === '\b') {
          line = line.slice(0, -1);
        } else if (ch >= ' ') {
          line += ch;
        }
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
  result.catch(() => {});
  return { result, stop };
}

/** Lines from a pipe (`--no-browser` without a terminal): the first valid one wins; EOF just ends. */
function readPastedLines(io: IO, check: Check): PasteReader {
  const stdin = io.streams.stdin;
  let stopped = false;
  let buf = '';
  let onData: ((chunk: Buffer | string) => void) | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (onData) stdin.removeListener('data', onData);
    stdin.pause();
    // A pipe that stays open (nobody closes it) must not keep the finished command alive.
    (stdin as { unref?: () => void }).unref?.();
  };
  const result = new Promise<URLSearchParams>((resolve) => {
    onData = (chunk) => {
      buf += chunk.toString();
      let nl = buf.search(/\r?\n/);
      while (nl >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(buf[nl] === '\r' ? nl + 2 : nl + 1);
        if (text.trim()) {
          io.secret(text.trim());
          const r = check(text);
          if (r.ok) {
            stop();
            resolve(r.params);
            return;
          }
          io.notice(`Ignored a line on stdin: not the address rdp is waiting for (${r.reason}).`);
        }
        nl = buf.search(/\r?\n/);
      }
    };
    stdin.on('data', onData);
    stdin.once('end', () => {
      if (!stopped && buf.trim()) onData?.('\n');
    });
    stdin.resume();
  });
  return { result, stop };
}
