// Zenodo stand-in (providers.md section 1): the legacy deposit API under {base}/api (deposit.ts) and
// the bucket API (bucket.ts), with its data in store.ts.
// Errors: {"status": N, "message": "..."}. A missing, bad, expired or revoked token gets 403, never 401
// (providers.md 0.1: Zenodo ignores an invalid token and runs the request anonymously, and anonymous
// access to depositions is 403). The deposit:write and deposit:actions scopes are registered but guard
// nothing: the REST app verifies a token with an empty scope list, and no view of the legacy deposit API
// asks for a scope (test/contract/zenodo/oauth-deposit-scopes.json), so a token of any scope may upload
// and publish. Rate limit: 100 requests/minute per token with X-RateLimit-* headers.
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { EmulatorService, ServiceContext } from '../../server.js';
import { SEED, type TokenRecord } from '../../state.js';
import { mountBucket } from './bucket.js';
import { mountDeposit } from './deposit.js';
import { zenodoStore } from './store.js';
import { mountZenodoOAuth } from './oauth.js';

export const ZENODO_SCOPES = ['deposit:write', 'deposit:actions', 'user:email'];

function zenodoError(status: number, message: string): EmuHttpError {
  return new EmuHttpError(status, { status, message });
}

/** The token of a request (Bearer header, or the legacy ?access_token=); its scopes are not checked. */
export function zenodoAuth(ctx: ServiceContext, req: EmuRequest): TokenRecord {
  const token = req.bearer() ?? req.query.get('access_token') ?? undefined;
  const rec = token ? ctx.state.find('zenodo', token) : undefined;
  if (!ctx.state.usable(rec)) {
    throw zenodoError(403, "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.");
  }
  return rec;
}

export const zenodo: EmulatorService = {
  id: 'zenodo',
  basePath: '/zenodo',
  rateLimit: { limit: 100, windowMs: 60_000, status: 429, headers: true },
  errorBody(status, message) {
    return { body: JSON.stringify({ status, message }), contentType: 'application/json' };
  },
  mount(ctx) {
    mountZenodoOAuth(ctx); // OAuth: consent page, authorize and token endpoints (oauth.ts)
    const pat = ctx.state.issue({ service: 'zenodo', userId: SEED.zenodo.id, scopes: ZENODO_SCOPES, kind: 'personal' });

    mountDeposit(ctx);
    mountBucket(ctx);

    return { token: pat.token, extra: { user: SEED.zenodo, scopes: ZENODO_SCOPES }, close: () => zenodoStore(ctx.state).close() };
  },
};
