// The emulator's HTTP server: one loopback listener, each service mounted under its own prefix
// (its base URL is what `RDP_<ID>_URL` points at), a control API under /_emulator, a request log,
// fault injection and per-service rate limits.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SERVICE_IDS as PROVIDER_IDS, type ServiceId as ProviderId } from './ids.js';
import { type FaultRule, Faults } from './faults.js';
import { ByteMeter, EmuHttpError, type EmuRequest, EmuResponse, makeRequest } from './http.js';
import { defaultClientInfo, oauthControl } from './oauth-common.js';
import { Router } from './router.js';
import { EmulatorState, type RequestLogEntry, SEED, type TokenRecord } from './state.js';

export interface RateLimitPolicy {
  /** Requests allowed per window and key (token, or client address when anonymous). */
  limit: number;
  windowMs: number;
  /** 429 (Zenodo, Zotero) or 503 (NOMAD, ORCID). */
  status: 429 | 503;
  /** Send X-RateLimit-Limit/Remaining/Reset on every response (Zenodo). */
  headers: boolean;
}

export interface ServiceContext {
  id: ProviderId;
  /** Absolute base URL of this service (what RDP_<ID>_URL is set to). */
  base: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  router: Router;
  /** Routes under `/_emulator/<id>/` on the control API (seeding test data, e.g. DMPTool's plans). */
  control: Router;
  state: EmulatorState;
  faults: Faults;
  options: EmulatorOptions;
}

/** What a service module provides. Each lives in its own file under services/. */
export interface EmulatorService {
  id: ProviderId;
  /** Path under the origin where the service's base is (NOMAD's includes /api/v1). */
  basePath: string;
  /** Default rate limit, applied unless rate limits are switched off. */
  rateLimit?: RateLimitPolicy | undefined;
  /** The service's error body for a status (used for 404/405/500 and injected faults). */
  errorBody(status: number, message: string, req?: EmuRequest): { body: string; contentType: string };
  /** Register routes and seed data; returns the ready credential printed by `rdp emulator`. */
  mount(ctx: ServiceContext): ServiceInfo;
}

export interface ServiceInfo {
  token: string;
  /** Extra things a user needs (userID, ORCID iD, NOMAD username/password, OAuth client). */
  extra?: Record<string, unknown> | undefined;
  /** Release what the service holds outside memory (spooled uploads) when the emulator closes. */
  close?: (() => void | Promise<void>) | undefined;
}

export interface EmulatorOptions {
  port?: number | undefined;
  /**
   * false switches every service's rate limit off (the benchmark); `perMinute` overrides Zenodo's
   * limit (and `windowMs` its window, so that a test can see the budget reset without waiting a minute).
   */
  rateLimit?: boolean | { perMinute: number; windowMs?: number | undefined } | undefined;
  latencyMs?: number | undefined;
  /** Keep only sizes and checksums of uploaded files, not their contents (the benchmark). */
  discardUploads?: boolean | undefined;
  /**
   * false: do not advertise the ready-made OAuth clients (in `serviceInfo()`, `describe()` and
   * GET /_emulator), as a real service has none; for tests of what rdp does without a configured client.
   */
  readyClients?: boolean | undefined;
  /** Quiet request logging to this function (the `rdp emulator` command prints it). */
  onRequest?: ((e: RequestLogEntry) => void) | undefined;
  /** The InvenioRDM site's knobs (also switchable at run time: POST /_emulator/invenio/settings). */
  invenio?: InvenioSiteOptions | undefined;
}

export interface InvenioSiteOptions {
  /**
   * Multipart uploads (transfer type `M`, InvenioRDM >= v13): on by default, as upstream. false refuses
   * them the way Zenodo does: the files init is accepted, every part, content or commit request of an
   * `M` file then answers 403 "Permission denied.".
   */
  multipart?: boolean | undefined;
  /**
   * The checksum a committed multipart file has. `task` (default, upstream local storage): none at
   * commit; a background task computes `md5:<hex>` over the stored file a moment later. `etag` (an S3
   * backend): `multipart:<md5 of the parts' MD5s>-<parts>-<part size>` at commit, replaced by `md5:`
   * later by the same task. With discardUploads there is no file to read: `etag` always.
   */
  multipartChecksum?: 'task' | 'etag' | undefined;
  /** How long the checksum task waits after a commit, ms (default 0: it runs right after). */
  checksumDelayMs?: number | undefined;
  /**
   * DOIs on publish (default on, as on sites registered with DataCite). false: a site whose DOIs are
   * optional and not set up (`RDM_PERSISTENT_IDENTIFIERS` doi not required, no DataCite): a record is
   * published without a DOI (its own or its parent's) unless the draft had one.
   */
  doi?: boolean | undefined;
  /**
   * With `doi` on: DOIs registered with DataCite but optional (RDM_PERSISTENT_IDENTIFIERS doi not
   * required). Default false. A record gets a DOI only when its draft reserved one; a new version must
   * keep the kind of DOI the latest version has (400 on pids.doi at publish, noted at a draft save).
   */
  doiOptional?: boolean | undefined;
  /**
   * Files of 0 bytes (default allowed, as upstream's RECORDS_RESOURCES_ALLOW_EMPTY_FILES). false, as
   * Zenodo's own configuration: the commit of an empty file answers 400 "Empty files are not accepted."
   * and the entry stays pending.
   */
  allowEmptyFiles?: boolean | undefined;
  /**
   * What publishing needs beside valid metadata and files (default `none`, as upstream). `curation`: a
   * site running invenio-curations (the curation package of TU Wien and TU Graz): publishing a draft no curator has accepted is a
   * 400 with an empty message and a placeholder error on metadata.title. `community`: a site with
   * RDM_COMMUNITY_REQUIRED_TO_PUBLISH: 400 "Cannot publish without selecting a community.".
   */
  publishGate?: 'none' | 'curation' | 'community' | undefined;
}

interface Mounted {
  service: EmulatorService;
  router: Router;
  control: Router;
  info: ServiceInfo;
  base: string;
}

export class EmulatorServer {
  readonly state = new EmulatorState();
  readonly faults = new Faults();
  readonly options: EmulatorOptions;
  private server: Server | undefined;
  private mounted: Mounted[] = [];
  private origin = '';
  private rateLimitsOn: boolean;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly services: EmulatorService[],
    options: EmulatorOptions = {},
  ) {
    this.options = options;
    this.rateLimitsOn = options.rateLimit !== false;
    this.faults.latencyMs = options.latencyMs ?? 0;
  }

  get url(): string {
    return this.origin;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 30_000;
    server.requestTimeout = 0; // large uploads may take long
    server.headersTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    this.origin = `http://127.0.0.1:${port}`;
    for (const service of this.services) {
      const router = new Router();
      const control = new Router();
      const base = `${this.origin}${service.basePath}`;
      const info = service.mount({
        id: service.id,
        base,
        origin: this.origin,
        router,
        control,
        state: this.state,
        faults: this.faults,
        options: this.options,
      });
      this.mounted.push({ service, router, control, info, base });
    }
  }

  get port(): number {
    return Number(new URL(this.origin).port);
  }

  serviceInfo(): Record<ProviderId, { url: string; token: string } & Record<string, unknown>> {
    const out = {} as Record<ProviderId, { url: string; token: string } & Record<string, unknown>>;
    for (const m of this.mounted) {
      const oauth = this.options.readyClients === false ? undefined : defaultClientInfo(this.state, m.service.id);
      out[m.service.id] = { url: m.base, token: m.info.token, ...m.info.extra, ...(oauth ? { oauth } : {}) };
    }
    return out;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    for (const m of this.mounted) await m.info.close?.();
  }

  setRateLimits(on: boolean): void {
    this.rateLimitsOn = on;
    this.windows.clear();
  }

  private find(pathname: string): { m: Mounted; rest: string } | undefined {
    for (const m of this.mounted) {
      const bp = m.service.basePath;
      if (pathname === bp || pathname.startsWith(`${bp}/`)) return { m, rest: pathname.slice(bp.length) || '/' };
    }
    return undefined;
  }

  private async handle(raw: IncomingMessage, out: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(raw.url ?? '/', this.origin);
    const hit = this.find(url.pathname);
    const service = hit?.m.service.id;
    const path = hit?.rest ?? url.pathname;
    const method = (raw.method ?? 'GET').toUpperCase();
    const res = new EmuResponse(out);
    let fault: string | undefined;

    const cutRule = service ? this.faults.take(service, method, path, ['cut']) : undefined;
    const meter = new ByteMeter(cutRule?.afterBytes, () => {
      fault = `cut after ${cutRule?.afterBytes} bytes`;
      raw.socket.destroy();
    });
    raw.on('error', (err) => meter.destroy(err));
    // A cut can come before a handler starts reading the body (while it awaits something else); the
    // reader still sees the destroyed stream, but the error event must not go unheard and crash.
    meter.on('error', () => {});
    raw.pipe(meter);
    const req = makeRequest(raw, url, path, meter);

    out.on('close', () => {
      const entry: RequestLogEntry = {
        at: started,
        service: service ?? (url.pathname.startsWith('/_emulator') ? 'control' : 'none'),
        method,
        path,
        query: url.search,
        status: out.headersSent ? out.statusCode : 0,
        bytesIn: meter.bytes,
        ms: Date.now() - started,
        fault,
      };
      this.state.log.push(entry);
      if (this.state.log.length > 50_000) this.state.log.splice(0, 10_000);
      this.options.onRequest?.(entry);
    });

    try {
      if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
        await this.control(req, res, url.pathname.slice('/_emulator'.length) || '/');
        return;
      }
      if (!hit) {
        res.json(404, { message: `No emulated service at ${url.pathname}. Services: ${this.mounted.map((m) => m.base).join(', ')}` });
        return;
      }
      const svc = hit.m.service;
      const sid = svc.id;

      const delay = this.faults.latencyMs + (this.faults.take(sid, method, path, ['latency'])?.latencyMs ?? 0);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (this.faults.take(sid, method, path, ['hold'])) await this.faults.holdUntilReleased();

      if (this.faults.take(sid, method, path, ['drop'])) {
        fault = 'drop';
        raw.socket.destroy();
        return;
      }
      const cutResponse = this.faults.take(sid, method, path, ['cut-response']);
      if (cutResponse) {
        res.cutAfter(cutResponse.afterBytes ?? 0, () => {
          fault = `response cut after ${cutResponse.afterBytes ?? 0} bytes`;
        });
      }
      const statusRule = this.faults.take(sid, method, path, ['status']);
      if (statusRule) {
        fault = `status ${statusRule.status}`;
        await drain(req);
        this.sendFault(svc, req, res, statusRule);
        return;
      }
      if (this.rateLimited(svc, req, res)) {
        fault = 'rate limited';
        await drain(req);
        return;
      }

      const after = this.faults.take(sid, method, path, ['status-after', 'drop-after']);
      if (after) {
        res.replaceAnswer((status) => {
          fault = `${after.action === 'drop-after' ? 'drop' : `status ${after.status ?? 503}`} after handling (was ${status})`;
          if (after.action === 'drop-after') raw.socket.destroy();
          else this.sendFault(svc, req, res, after);
        });
      }
      const { handler, params, methods } = hit.m.router.match(method, path);
      if (!handler) {
        await drain(req);
        const status = methods.length ? 405 : 404;
        const { body, contentType } = svc.errorBody(status, status === 405 ? 'Method not allowed' : 'Not found', req);
        res.send(status, body, contentType, methods.length ? { allow: methods.join(', ') } : {});
        return;
      }
      req.params = params;
      await handler(req, res);
    } catch (err) {
      if (res.sent) return;
      if (err instanceof EmuHttpError) {
        const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
        res.send(err.status, body, typeof err.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', err.headers);
        return;
      }
      if (raw.socket.destroyed) return;
      const svc = hit?.m.service;
      const msg = `Emulator error: ${(err as Error).message}`;
      if (svc) {
        const { body, contentType } = svc.errorBody(500, msg, req);
        res.send(500, body, contentType);
      } else {
        res.json(500, { message: msg });
      }
    }
  }

  private sendFault(svc: EmulatorService, req: EmuRequest, res: EmuResponse, rule: FaultRule): void {
    const status = rule.status ?? 503;
    const headers: Record<string, string> = {};
    if (rule.retryAfter !== undefined && rule.retryAfter !== null) headers['retry-after'] = String(rule.retryAfter);
    // Zenodo sends Retry-After on every response, Zotero on its 429s (providers.md 0.1, 5.6).
    else if (rule.retryAfter === undefined && status === 429 && (svc.id === 'zenodo' || svc.id === 'zotero')) headers['retry-after'] = '1';
    if (rule.body !== undefined) {
      const body = typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body);
      res.send(status, body, typeof rule.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', headers);
      return;
    }
    const { body, contentType } = svc.errorBody(status, status === 429 ? 'Too many requests' : 'Injected fault', req);
    res.send(status, body, contentType, headers);
  }

  /** Fixed-window limiting per token (or client) and service; true when the request was refused. */
  private rateLimited(svc: EmulatorService, req: EmuRequest, res: EmuResponse): boolean {
    const policy = this.policy(svc);
    if (!policy) return false;
    const key = `${svc.id}:${req.bearer() ?? req.header('zotero-api-key') ?? req.raw.socket.remoteAddress ?? ''}`;
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= policy.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const remaining = Math.max(0, policy.limit - w.count);
    const resetAt = w.start + policy.windowMs;
    if (policy.headers) {
      res.header('x-ratelimit-limit', String(policy.limit));
      res.header('x-ratelimit-remaining', String(remaining));
      res.header('x-ratelimit-reset', String(Math.ceil(resetAt / 1000)));
      // Zenodo (flask-limiter with headers on) sends Retry-After on every response: the seconds until
      // the window resets (providers.md 0.1).
      res.header('retry-after', String(Math.max(0, Math.ceil((resetAt - now) / 1000))));
    }
    if (w.count <= policy.limit) return false;
    const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
    const { body, contentType } = svc.errorBody(policy.status, 'Too many requests', req);
    res.send(policy.status, body, contentType, { 'retry-after': String(retryAfter) });
    return true;
  }

  private policy(svc: EmulatorService): RateLimitPolicy | undefined {
    if (!this.rateLimitsOn || !svc.rateLimit) return undefined;
    const rl = this.options.rateLimit;
    if (svc.id === 'zenodo' && typeof rl === 'object') return { ...svc.rateLimit, limit: rl.perMinute, windowMs: rl.windowMs ?? 60_000 };
    return svc.rateLimit;
  }

  private async control(req: EmuRequest, res: EmuResponse, sub: string): Promise<void> {
    const m = req.method;
    if (sub === '/' && m === 'GET') {
      res.json(200, this.describe());
      return;
    }
    if (sub === '/log' && m === 'GET') {
      const service = req.query.get('service');
      res.json(200, service ? this.state.log.filter((e) => e.service === service) : this.state.log);
      return;
    }
    if (sub === '/log' && m === 'DELETE') {
      this.state.log.length = 0;
      res.empty(204);
      return;
    }
    if (sub === '/faults' && m === 'GET') {
      res.json(200, { latencyMs: this.faults.latencyMs, rules: this.faults.list() });
      return;
    }
    if (sub === '/faults' && m === 'POST') {
      const body = await req.json<FaultRule | FaultRule[] | { latencyMs: number }>();
      if (!Array.isArray(body) && 'latencyMs' in body && !('action' in body)) {
        this.faults.latencyMs = Number(body.latencyMs) || 0;
        res.json(200, { latencyMs: this.faults.latencyMs });
        return;
      }
      const rules = Array.isArray(body) ? body : [body as FaultRule];
      res.json(201, { ids: rules.map((r) => this.faults.add(r)) });
      return;
    }
    if (sub === '/faults/release' && m === 'POST') {
      res.json(200, { released: this.faults.release() });
      return;
    }
    if (sub === '/faults' && m === 'DELETE') {
      this.faults.clear();
      this.faults.latencyMs = 0;
      res.empty(204);
      return;
    }
    if (sub === '/clock' && m === 'GET') {
      res.json(200, { now: new Date(this.state.now()).toISOString(), offsetMs: this.state.clockOffsetMs });
      return;
    }
    if (sub === '/clock' && m === 'POST') {
      // Move the emulator's clock forward (codes, consents and tokens expire by it): {"advanceMs": N};
      // or set its offset from real time: {"offsetMs": N} (0 puts it back).
      const body = await req.json<{ advanceMs?: unknown; offsetMs?: unknown }>();
      if (body.offsetMs !== undefined) {
        if (typeof body.offsetMs !== 'number' || !Number.isFinite(body.offsetMs)) throw new EmuHttpError(400, { message: 'offsetMs must be a number of milliseconds' });
        this.state.clockOffsetMs = body.offsetMs;
      } else {
        if (typeof body.advanceMs !== 'number' || !(body.advanceMs >= 0)) throw new EmuHttpError(400, { message: 'advanceMs must be a number of milliseconds >= 0' });
        this.state.clockOffsetMs += body.advanceMs;
      }
      res.json(200, { now: new Date(this.state.now()).toISOString(), offsetMs: this.state.clockOffsetMs });
      return;
    }
    if (sub === '/oauth' || sub.startsWith('/oauth/')) {
      await oauthControl(this.state, req, res, sub);
      return;
    }
    if (sub === '/rate-limit' && m === 'POST') {
      const body = await req.json<{ enabled: boolean }>();
      this.setRateLimits(Boolean(body.enabled));
      res.json(200, { enabled: this.rateLimitsOn });
      return;
    }
    if (sub === '/tokens' && m === 'POST') {
      const body = await req.json<Partial<TokenRecord> & { service: ProviderId; expiresIn?: number }>();
      if (!PROVIDER_IDS.includes(body.service)) throw new EmuHttpError(400, { message: `service must be one of ${PROVIDER_IDS.join(', ')}` });
      const rec = this.state.issue({
        service: body.service,
        userId: body.userId ?? defaultUser(body.service),
        scopes: body.scopes ?? [],
        kind: body.kind ?? 'personal',
        expiresAt: body.expiresIn !== undefined ? this.state.now() + body.expiresIn * 1000 : undefined,
      });
      res.json(201, rec);
      return;
    }
    const own = /^\/([a-z]+)(\/.*)$/.exec(sub);
    const target = own && this.mounted.find((x) => x.service.id === own[1]);
    if (own && target) {
      const { handler, params } = target.control.match(m, own[2] as string);
      if (handler) {
        req.params = params;
        await handler(req, res);
        return;
      }
    }
    res.json(404, { message: `Unknown control endpoint ${m} /_emulator${sub}` });
  }

  describe(): Record<string, unknown> {
    const services = this.serviceInfo();
    const env: Record<string, string> = {};
    for (const id of Object.keys(services) as ProviderId[]) {
      env[`RDP_${id.toUpperCase()}_URL`] = services[id].url;
      // The pre-made OAuth client, as the variables rdp reads it from (browser logins work at once).
      const oauth = services[id].oauth as { clientId: string; clientSecret: string } | undefined;
      if (oauth) {
        env[`RDP_${id.toUpperCase()}_CLIENT_ID`] = oauth.clientId;
        env[`RDP_${id.toUpperCase()}_CLIENT_SECRET`] = oauth.clientSecret;
      }
    }
    return { url: this.origin, port: this.port, control: `${this.origin}/_emulator`, env, services };
  }
}

function defaultUser(service: ProviderId): string {
  const ids: Record<ProviderId, string> = {
    zenodo: SEED.zenodo.id,
    nomad: SEED.nomad.user_id,
    dmptool: SEED.dmptool.id,
    orcid: SEED.orcid.orcid,
    zotero: String(SEED.zotero.userID),
    invenio: SEED.invenio.id,
  };
  return ids[service];
}

async function drain(req: EmuRequest): Promise<void> {
  try {
    for await (const _ of req.stream) {
      // discard
    }
  } catch {
    // the client went away
  }
}
