// The one loopback listener every browser login uses (SPEC.md section 3 "Login"). It binds 127.0.0.1
// only (never `localhost`, never all interfaces), serves only GET /callback, answers 400 to a callback
// whose state is missing or wrong and keeps waiting, answers 404 to everything else (a favicon), stops
// accepting connections after the first valid callback, and shows the outcome of the login as a small
// HTML page once the flow has exchanged the code.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, FailureError } from '../errors/errors.js';
import { escapeHtml, htmlPage } from '../util/html.js';
import { safeEqual } from './pkce.js';

export const CALLBACK_PATH = '/callback';
export const LOOPBACK_HOST = '127.0.0.1';

export interface PageOutcome {
  ok: boolean;
  title: string;
  /** Plain text (escaped here). */
  message: string;
}

export interface Callback {
  params: URLSearchParams;
  /** Show the outcome in the browser and end the response (a no-op for a pasted URL). */
  respond(outcome: PageOutcome): void;
}

export type CallbackCheck =
  | { ok: true; params: URLSearchParams }
  | { ok: false; status: 400 | 404 | 405; reason: string };

/**
 * Is this request (or pasted URL) the callback rdp waits for? `expected` is the state rdp sent (OAuth 2)
 * or the request token (OAuth 1.0a), carried back in the `param` query parameter.
 */
export function checkCallback(method: string, url: URL, param: string, expected: string | undefined, path = CALLBACK_PATH): CallbackCheck {
  if (url.pathname !== path) return { ok: false, status: 404, reason: 'not found' };
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, reason: 'method not allowed' };
  const got = url.searchParams.get(param);
  if (got === null || got === '') return { ok: false, status: 400, reason: `the response has no ${param}` };
  if (expected === undefined || !safeEqual(got, expected)) {
    return { ok: false, status: 400, reason: `the ${param} does not match the login rdp started` };
  }
  return { ok: true, params: url.searchParams };
}

export interface LoopbackOptions {
  /** 0 = a free port chosen by the OS. */
  port: number;
  /** The callback's path (default /callback; a redirect URI given with --redirect-uri may name another). */
  path?: string | undefined;
  /** The query parameter that must match (`state`, or `oauth_token` for OAuth 1.0a). */
  stateParam: string;
  /** What rdp calls the provider in pages (Zenodo, ORCID …). */
  providerName: string;
  /** How to pick another port, for the "port in use" error (`--port` or a config key). */
  portHint: string;
  debug?: ((line: string) => void) | undefined;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  connection: 'close',
};

export class LoopbackServer {
  readonly port: number;
  readonly path: string;
  readonly redirectUri: string;
  private expected: string | undefined;
  private accepted = false;
  private closed = false;
  private pending: ServerResponse | undefined;
  private waiters: { resolve: (cb: Callback) => void; reject: (err: Error) => void }[] = [];
  private queued: Callback | undefined;

  private constructor(
    private readonly server: Server,
    private readonly opts: LoopbackOptions,
  ) {
    this.port = (server.address() as AddressInfo).port;
    this.path = opts.path ?? CALLBACK_PATH;
    this.redirectUri = `http://${LOOPBACK_HOST}:${this.port}${this.path}`;
  }

  /** Bind 127.0.0.1:port. A busy port is a clear error that says how to choose another. */
  static async start(opts: LoopbackOptions): Promise<LoopbackServer> {
    let self: LoopbackServer | undefined;
    // node:http is loaded here, not at the top: this module is on every command's path (token renewal
    // shares a bundle chunk with it) and node:http costs ~8 ms of start-up that only a login needs.
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => self?.handle(req, res));
    server.keepAliveTimeout = 1000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(
            new FailureError('PORT_IN_USE', `Port ${opts.port} on ${LOOPBACK_HOST} is already in use, so rdp cannot receive the login there.`, {
              hint: `Stop what uses it, or ${opts.portHint}.`,
            }),
          );
        } else if (err.code === 'EACCES') {
          reject(new FailureError('PORT_IN_USE', `Not allowed to listen on port ${opts.port} on ${LOOPBACK_HOST}.`, { hint: `Use a port above 1023: ${opts.portHint}.` }));
        } else {
          reject(new FailureError('LOOPBACK_FAILED', `Cannot listen on ${LOOPBACK_HOST}:${opts.port}: ${err.message}.`, { hint: opts.portHint }));
        }
      });
      server.listen({ port: opts.port, host: LOOPBACK_HOST, exclusive: true }, () => resolve());
    });
    self = new LoopbackServer(server, opts);
    opts.debug?.(`loopback listener on ${self.redirectUri}`);
    return self;
  }

  /** The value the callback must carry (known only once the authorize URL is built). */
  expect(value: string): void {
    this.expected = value;
  }

  /** The first valid callback. Rejects when the signal aborts. */
  next(signal: AbortSignal): Promise<Callback> {
    if (this.queued) return Promise.resolve(this.queued);
    return new Promise<Callback>((resolve, reject) => {
      if (signal.aborted) {
        reject(new CancelledError());
        return;
      }
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason instanceof Error ? signal.reason : new CancelledError());
        },
        { once: true },
      );
    });
  }

  /** Stop listening; a callback still waiting for its page gets a neutral one. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending) {
      this.page(this.pending, 200, htmlPage(`${this.opts.providerName} login`, '<p>Return to the terminal to see how the login ended.</p>'));
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', this.redirectUri);
    } catch {
      this.page(res, 400, htmlPage('Bad request', '<p>rdp could not read this address.</p>', 'error'));
      return;
    }
    this.opts.debug?.(`loopback: ${method} ${url.pathname}`);
    // Pages only for the address rdp gave out (a DNS-rebinding page would send another Host).
    const host = req.headers.host;
    if (host !== `${LOOPBACK_HOST}:${this.port}`) {
      this.page(res, 400, htmlPage('Bad request', '<p>rdp answers only on the 127.0.0.1 address it printed.</p>', 'error'));
      return;
    }
    if (this.accepted) {
      this.page(res, 404, htmlPage('Not found', '<p>rdp is no longer waiting for a login here.</p>'));
      return;
    }
    const check = checkCallback(method, url, this.opts.stateParam, this.expected, this.path);
    if (!check.ok) {
      if (check.status === 400) {
        this.opts.debug?.(`loopback: refused a callback (${check.reason}); still waiting`);
        this.page(
          res,
          400,
          htmlPage(
            'This is not the login rdp is waiting for',
            `<p>The address this browser was sent to does not belong to the login rdp started (${escapeHtml(check.reason)}). ` +
              'rdp is still waiting; finish the login with the link rdp printed in the terminal.</p>',
            'error',
          ),
        );
      } else if (check.status === 405) {
        this.page(res, 405, htmlPage('Method not allowed', '<p>Only GET.</p>', 'error'), { allow: 'GET' });
      } else {
        this.page(res, 404, htmlPage('Not found', '<p>Nothing here.</p>'));
      }
      return;
    }
    // The first valid callback: accept no more connections, keep this response open for the outcome.
    this.accepted = true;
    this.pending = res;
    this.server.close();
    this.server.closeIdleConnections();
    const cb: Callback = {
      params: check.params,
      respond: (outcome) => {
        if (this.pending !== res) return;
        this.pending = undefined;
        const body = `<p>${escapeHtml(outcome.message)}</p>`;
        this.page(res, outcome.ok ? 200 : 400, htmlPage(outcome.title, body, outcome.ok ? 'ok' : 'error'));
      },
    };
    const waiters = this.waiters.splice(0);
    if (waiters.length === 0) this.queued = cb;
    for (const w of waiters) w.resolve(cb);
  }

  private page(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
    if (res.headersSent || res.writableEnded) return;
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      ...extra,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
    });
    res.end(html);
  }
}
