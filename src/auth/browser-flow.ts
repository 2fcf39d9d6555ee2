// One browser login, whatever the protocol and redirect mode (./redirect.ts). Build the
// authorize URL, print it (always, on its own line, on stderr), open a browser unless told not to, then
// wait for the authorization response:
// - loopback: whichever comes first, the browser returning to the 127.0.0.1 listener, or the user
//   pasting the address the browser ended on (for a browser on another machine);
// - out-of-band: the code the service shows, pasted;
// - https: the address of the registered page the browser lands on, pasted.
// Pasted input comes from the terminal (hidden), or without one as lines on stdin. Then exchange, show
// the outcome in the browser (loopback) and close everything. Gives up after the timeout.
import { AuthDeniedError, CancelledError, FailureError, type RdpError } from '../errors/errors.js';
import { fmtMs } from '../output/format.js';
import type { IO } from '../output/io.js';
import { type Callback, checkCallback, LoopbackServer } from './loopback.js';
import { safeEqual } from './pkce.js';
import type { AuthPorts, FlowSettings } from './ports.js';

export interface FlowStart {
  /** The authorize URL to open. */
  url: string;
  /** The value the callback must carry in `stateParam`. */
  expect: string;
  /** Values that appear in the authorize URL and must be redacted from every later line. */
  redactAfterPrint?: string[] | undefined;
}

export interface BrowserFlowOptions<T> extends FlowSettings {
  name: string;
  /** `state` (OAuth 2) or `oauth_token` (OAuth 1.0a). */
  stateParam: string;
  /** Runs once the redirect URI is known: registers nothing secret in the URL's query but protocol values. */
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

export async function runBrowserFlow<T>(ports: Pick<AuthPorts, 'terminal' | 'signal' | 'clock' | 'openBrowser'>, opts: BrowserFlowOptions<T>): Promise<T> {
  const io = ports.terminal;
  const r = opts.redirect;
  const loopback =
    r.kind === 'loopback'
      ? await LoopbackServer.start({ port: r.port, path: r.path, stateParam: opts.stateParam, providerName: opts.name, portHint: opts.portHint, debug: (l) => io.debug(l) })
      : undefined;
  const redirectUri = loopback ? loopback.redirectUri : (r as { uri: string }).uri;
  const ac = new AbortController();
  const onAbort = () => ac.abort(ports.signal.reason ?? new CancelledError());
  ports.signal.addEventListener('abort', onAbort, { once: true });
  let paste: PasteReader | undefined;
  const lifetime = opts.codeLifetime ? ` ${opts.name}'s codes expire ${opts.codeLifetime} after you approve${/second/.test(opts.codeLifetime) ? ': paste promptly' : ''}.` : '';
  try {
    const start = await opts.begin(redirectUri);
    loopback?.expect(start.expect);

    io.notice(`Log in to ${opts.name} in a browser; this is the address to open:`);
    io.notice(start.url);
    // From here on the state (and anything else of the URL) is a secret for every line printed.
    io.secret(start.expect);
    for (const v of start.redactAfterPrint ?? []) io.secret(v);

    if (opts.noBrowser) {
      io.info('(--no-browser: open the address yourself, on this machine or any other.)');
    } else {
      const opened = await ports.openBrowser(start.url);
      if (opened.opened) io.info(`Opened it ${opened.how}.`);
      else io.info(`Not opening a browser (${opened.why}); open the address yourself.`);
    }

    const check: Check =
      r.kind === 'loopback'
        ? (text) => {
            const url = pastedUrl(text, redirectUri);
            if (!url) return { ok: false, reason: 'that is not an address' };
            return checkCallback('GET', url, opts.stateParam, start.expect, r.path);
          }
        : r.kind === 'https'
          ? (text) => checkPastedHttps(text, redirectUri, opts.stateParam, start.expect)
          : (text) => checkPastedCode(text, opts.stateParam, start.expect);
    const stdinTty = io.stdinIsTTY && typeof io.streams.stdin.setRawMode === 'function';

    if (loopback) {
      io.info(`Waiting for the browser to come back to ${redirectUri} (gives up after ${fmtMs(opts.timeoutMs)}; Ctrl-C to cancel).`);
      if (io.canPrompt) {
        paste = readPastedTty(
          io,
          check,
          `If the browser runs on another machine, it ends on an address starting with ${redirectUri} that does not load there: ` +
            `copy that whole address, paste it here and press Enter (input hidden).${lifetime}`,
        );
      } else if (opts.noBrowser && !io.stdinIsTTY) {
        paste = readPastedLines(io, check, false);
      }
    } else {
      const what =
        r.kind === 'oob'
          ? `After you approve, ${opts.name} shows an authorization code`
          : `After you approve, the browser lands on ${redirectUri}?code=…`;
      const copy = r.kind === 'oob' ? 'copy the code' : 'copy that whole address from the address bar';
      if (stdinTty) {
        paste = readPastedTty(io, check, `${what}: ${copy}, paste it here and press Enter (input hidden; Ctrl-C to cancel).${lifetime}`);
      } else {
        io.notice(`${what}: ${copy} and send it as one line on stdin (gives up after ${fmtMs(opts.timeoutMs)}).${lifetime}`);
        paste = readPastedLines(io, check, true);
      }
    }

    // The wait is bounded on the login's clock (a test's clock moves on its own), and ends with the flow.
    const timeout = ports.clock.sleep(opts.timeoutMs, ac.signal).then(
      (): never => {
        throw loopback
          ? new FailureError('LOGIN_TIMEOUT', `No answer from the browser within ${fmtMs(opts.timeoutMs)}: it never came back to ${redirectUri}. Nothing was stored.`, {
              hint:
                `Run \`${opts.command}\` again (--timeout to wait longer). ${opts.mismatchHint ?? `If ${opts.name} said the redirect URI does not match, use the port you registered with --port.`} ` +
                'Without a browser on this machine, use --no-browser and paste the address the browser ends on.',
            })
          : new FailureError('LOGIN_TIMEOUT', `No ${r.kind === 'oob' ? 'authorization code' : 'address'} was pasted within ${fmtMs(opts.timeoutMs)}. Nothing was stored.`, {
              hint: `Run \`${opts.command}\` again (--timeout to wait longer). ${opts.mismatchHint ?? ''}`.trim(),
            });
      },
      (err: unknown): never => {
        throw err;
      },
    );
    timeout.catch(() => {});
    const contenders: Promise<Callback>[] = [timeout];
    if (loopback) contenders.push(loopback.next(ac.signal));
    if (paste) contenders.push(paste.result.then((params) => ({ params, respond: () => {} })));
    const callback = await Promise.race(contenders);
    paste?.stop();

    const denied = callbackError(callback.params, opts.name, opts.command);
    if (denied) {
      callback.respond({ ok: false, title: `${opts.name} login cancelled`, message: `${io.redactor.redact(denied.message)} You can close this tab.` });
      throw denied;
    }
    let result: T;
    try {
      result = await opts.finish(callback.params, redirectUri);
    } catch (err) {
      const message = err instanceof Error ? io.redactor.redact(err.message) : 'The login failed.';
      callback.respond({ ok: false, title: `${opts.name} login failed`, message: `${message} See the terminal for what to do next.` });
      throw err;
    }
    callback.respond({ ok: true, title: `Logged in to ${opts.name}`, message: 'rdp has stored the login. You can close this tab and return to the terminal.' });
    return result;
  } finally {
    paste?.stop();
    ports.signal.removeEventListener('abort', onAbort);
    ac.abort();
    await loopback?.close();
  }
}

type CheckResult = { ok: true; params: URLSearchParams } | { ok: false; reason: string };
type Check = (text: string) => CheckResult;

/** The state, when the pasted response carries one, must be the login's; an error response passes. */
function stateCheck(params: URLSearchParams, param: string, expected: string, required: boolean): CheckResult {
  const got = params.get(param);
  if (got === null || got === '') {
    return required ? { ok: false, reason: `the address has no ${param}` } : { ok: true, params };
  }
  if (!safeEqual(got, expected)) return { ok: false, reason: `the ${param} does not match the login rdp started` };
  return { ok: true, params };
}

/** https mode: the address the browser landed on, on the registered page, with the login's state. */
export function checkPastedHttps(text: string, redirectUri: string, param: string, expected: string): CheckResult {
  const url = pastedUrl(text, redirectUri);
  if (!url) return { ok: false, reason: 'that is not an address' };
  const want = new URL(redirectUri);
  if (url.origin !== want.origin || url.pathname !== want.pathname) return { ok: false, reason: `it is not on ${want.origin}${want.pathname}` };
  if (!url.searchParams.has('code') && !url.searchParams.has('error')) return { ok: false, reason: 'the address carries no code' };
  return stateCheck(url.searchParams, param, expected, true);
}

/**
 * Out-of-band mode: the code the service showed; or the address of the page that showed it
 * (`…/oauth/authorize/native?code=…`); or the error it answered instead (Doorkeeper shows a denial as
 * JSON `{"error": "access_denied", …}`).
 */
export function checkPastedCode(text: string, param: string, expected: string): CheckResult {
  const t = text.trim().replace(/^["'<]+|[>"']+$/g, '');
  if (t.startsWith('{')) {
    try {
      const body = JSON.parse(text.trim()) as Record<string, unknown>;
      if (typeof body.error === 'string') {
        const params = new URLSearchParams({ error: body.error });
        if (typeof body.error_description === 'string') params.set('error_description', body.error_description);
        return { ok: true, params };
      }
    } catch {
      // not JSON after all
    }
    return { ok: false, reason: 'that is neither a code nor an error from the service' };
  }
  if (/^https?:\/\//i.test(t) || /^\?/.test(t) || /^(code|error)=/.test(t)) {
    let params: URLSearchParams;
    try {
      params = /^https?:\/\//i.test(t) ? new URL(t).searchParams : new URLSearchParams(t.replace(/^\?/, ''));
    } catch {
      return { ok: false, reason: 'that is not an address' };
    }
    if (!params.get('code') && !params.get('error')) return { ok: false, reason: 'the address carries no code' };
    return stateCheck(params, param, expected, false);
  }
  if (!/^[A-Za-z0-9._~+/=-]{4,512}$/.test(t)) return { ok: false, reason: 'that does not look like an authorization code' };
  return { ok: true, params: new URLSearchParams({ code: t }) };
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
          io.notice(`That is not what rdp is waiting for (${r.reason}). Paste it again, whole.`);
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

/**
 * Lines from a pipe: the first valid one wins. At the end of stdin: nothing (`fatal` false: the
 * listener may still get the login), or an error (`fatal`: a pasted line was the only way).
 */
function readPastedLines(io: IO, check: Check, fatal: boolean): PasteReader {
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
  const result = new Promise<URLSearchParams>((resolve, reject) => {
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
          io.notice(`Ignored a line on stdin: not what rdp is waiting for (${r.reason}).`);
        }
        nl = buf.search(/\r?\n/);
      }
    };
    stdin.on('data', onData);
    stdin.once('end', () => {
      if (!stopped && buf.trim()) onData?.('\n');
      if (!stopped && fatal) {
        stop();
        reject(
          new FailureError('LOGIN_NO_CODE', 'stdin ended before a valid authorization response arrived. Nothing was stored.', {
            hint: 'Send the code (or the address the browser landed on) as one line on stdin, or run the login on a terminal to paste it.',
          }),
        );
      }
    });
    stdin.resume();
  });
  result.catch(() => {});
  return { result, stop };
}
