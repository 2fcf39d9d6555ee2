// DMPTool stand-in (providers.md section 3): API v2 under {base}/api/v2 with the standard envelope.
// 401 envelope for a bad token; 403 with an empty body and WWW-Authenticate for a missing scope.
import { EmuHttpError, type EmuRequest, type EmuResponse } from '../../http.js';
import type { EmulatorService, ServiceContext } from '../../server.js';
import { SEED, type TokenRecord } from '../../state.js';
import { mountApiClients } from './api-clients.js';
import { mountDmptoolOAuth } from './oauth.js';
import { mountPlans } from './plans.js';
import { mountRelatedIdentifiers } from './related.js';
import { mountTemplates } from './templates.js';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface EnvelopeExtra {
  caller?: string | undefined;
  page?: number;
  per_page?: number;
  total_items?: number;
  prev?: string;
  next?: string;
  items?: unknown[];
  errors?: unknown[];
}

/** The v2 envelope (providers.md 3.3). */
export function envelope(req: EmuRequest | undefined, code: number, extra: EnvelopeExtra = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    application: 'dmptool',
    api_version: 2,
    source: req ? `${req.method} ${'/api/v2' + (req.path.split('/api/v2')[1] ?? '')}` : 'GET /api/v2',
    time: new Date().toISOString().replace('Z', '+00:00'),
  };
  if (extra.caller) body.caller = extra.caller;
  body.code = code;
  body.message = REASONS[code] ?? 'Error';
  const total = extra.total_items ?? 0;
  if (total > 0) {
    body.page = extra.page;
    body.per_page = extra.per_page;
  }
  body.total_items = total;
  if (extra.prev) body.prev = extra.prev;
  if (extra.next) body.next = extra.next;
  body.items = extra.items ?? [];
  if (extra.errors) body.errors = extra.errors;
  return body;
}

export function sendEnvelope(res: EmuResponse, req: EmuRequest, code: number, extra: EnvelopeExtra = {}): void {
  res.json(code, envelope(req, code, extra));
}

/** The token of a request, with one of `anyOf` scopes; Doorkeeper's 401/403 otherwise. */
export function dmptoolAuth(ctx: ServiceContext, req: EmuRequest, anyOf: string[]): TokenRecord {
  const rec = ctx.state.find('dmptool', req.bearer());
  if (!ctx.state.usable(rec)) {
    throw new EmuHttpError(401, envelope(req, 401, { errors: ['token is invalid, expired or has been revoked'] }));
  }
  if (anyOf.length && !anyOf.some((s) => rec.scopes.includes(s))) {
    throw new EmuHttpError(403, '', {
      'www-authenticate': `Bearer realm="Doorkeeper", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token. Required scopes: ${anyOf.join(' ')}"`,
    });
  }
  return rec;
}

export function callerName(rec: TokenRecord): string {
  return rec.kind === 'client' ? SEED.dmptool.clientName : SEED.dmptool.name;
}

export const dmptool: EmulatorService = {
  id: 'dmptool',
  basePath: '/dmptool',
  errorBody(status, message, req) {
    return { body: JSON.stringify(envelope(req, status, { errors: [message] })), contentType: 'application/json' };
  },
  mount(ctx) {
    mountDmptoolOAuth(ctx); // OAuth: consent page, authorize and token endpoints (oauth.ts)
    const ready = ctx.state.issue({
      service: 'dmptool',
      userId: SEED.dmptool.id,
      scopes: ['public', 'read_dmps'],
      kind: 'oauth',
      expiresAt: Date.now() + 315_569_520_000, // authorization_code tokens: 10 years
    });

    ctx.router.get('/api/v2/heartbeat', (req, res) => sendEnvelope(res, req, 200));

    const plans = mountPlans(ctx);
    plans.seedDefaults();
    mountTemplates(ctx);
    mountRelatedIdentifiers(ctx, plans); // POST /api/v2/related_identifiers (related.ts)
    mountApiClients(ctx); // which scopes each API client may get (api-clients.ts)

    return { token: ready.token, extra: { scopes: ready.scopes } };
  },
};
