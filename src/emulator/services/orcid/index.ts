// ORCID stand-in (providers.md section 4): OAuth/OpenID endpoints on the base, the v3.0 record API
// under {base}/v3.0. API errors use the v3 JSON error fields; OAuth errors {"error","error_description"}.
import { EmuHttpError, type EmuRequest, type EmuResponse } from '../../http.js';
import type { EmulatorService, ServiceContext } from '../../server.js';
import { SEED, type TokenRecord } from '../../state.js';
import { mountOrcidMembers } from './members.js';
import { mountOrcidOAuth } from './oauth.js';
import { mountOrcidWorks } from './works.js';

export function orcidApiError(status: number, developer: string, user = developer, code = 9000): EmuHttpError {
  return new EmuHttpError(status, {
    'response-code': status,
    'developer-message': developer,
    'user-message': user,
    'error-code': code,
    'more-info': 'https://members.orcid.org/api/resources/troubleshooting',
  });
}

export function invalidToken(token: string): EmuHttpError {
  return new EmuHttpError(401, { error: 'invalid_token', error_description: `Invalid access token: ${token}` });
}

/** A usable token, or ORCID's 401. Missing tokens are allowed on the public API (returns undefined). */
export function orcidAuth(ctx: ServiceContext, req: EmuRequest, required: boolean): TokenRecord | undefined {
  const token = req.bearer();
  if (!token) {
    if (required) throw new EmuHttpError(401, { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' });
    return undefined;
  }
  const rec = ctx.state.find('orcid', token);
  if (!ctx.state.usable(rec)) throw invalidToken(token);
  return rec;
}

export function orcidPerson(orcid: string) {
  const s = SEED.orcid;
  return {
    'last-modified-date': { value: 1714640000000 },
    name: {
      'created-date': { value: 1460757617078 },
      'given-names': { value: s.given },
      'family-name': { value: s.family },
      'credit-name': null,
      source: null,
      visibility: 'public',
      path: orcid,
    },
    'other-names': { 'other-name': [], path: `/${orcid}/other-names` },
    biography: null,
    'researcher-urls': { 'researcher-url': [], path: `/${orcid}/researcher-urls` },
    emails: { email: [], path: `/${orcid}/email` },
    addresses: { address: [], path: `/${orcid}/address` },
    keywords: { keyword: [], path: `/${orcid}/keywords` },
    'external-identifiers': { 'external-identifier': [], path: `/${orcid}/external-identifiers` },
    path: `/${orcid}/person`,
  };
}

export const orcid: EmulatorService = {
  id: 'orcid',
  basePath: '/orcid',
  // Documented: 24 requests/s with a burst of 40; beyond it, 503.
  rateLimit: { limit: 40, windowMs: 1000, status: 503, headers: false },
  errorBody(status, message) {
    return {
      body: JSON.stringify({ 'response-code': status, 'developer-message': message, 'user-message': message, 'error-code': 9000 }),
      contentType: 'application/json',
    };
  },
  mount(ctx) {
    mountOrcidOAuth(ctx); // OAuth: consent page, authorize and token endpoints (oauth.ts)
    const ready = ctx.state.issue({
      service: 'orcid',
      userId: SEED.orcid.orcid,
      scopes: ['/authenticate', 'openid'],
      kind: 'oauth',
      expiresAt: Date.now() + 631_138_518_000,
    });

    ctx.router.get('/oauth/userinfo', (req, res) => {
      const rec = orcidAuth(ctx, req, true) as TokenRecord;
      if (!rec.userId) throw new EmuHttpError(403, { error: 'access_denied', error_description: 'This token does not belong to a user' });
      const s = SEED.orcid;
      res.json(200, { id: `${ctx.base}/${rec.userId}`, sub: rec.userId, name: s.name, family_name: s.family, given_name: s.given });
    });

    const record = (section: 'person' | 'record') => (req: EmuRequest, res: EmuResponse) => {
      orcidAuth(ctx, req, false);
      const id = req.params.orcid ?? '';
      if (!/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(id)) throw orcidApiError(400, `Invalid ORCID iD ${id}`, 'The ORCID iD is not valid', 9037);
      if (id !== SEED.orcid.orcid) throw orcidApiError(404, `ORCID ${id} not found`, 'The resource was not found.', 9016);
      const person = orcidPerson(id);
      if (section === 'person') {
        res.json(200, person);
        return;
      }
      res.json(200, {
        'orcid-identifier': { uri: `${ctx.base}/${id}`, path: id, host: new URL(ctx.base).host },
        preferences: { locale: 'en' },
        history: { 'creation-method': 'DIRECT', claimed: true, 'verified-email': true, 'submission-date': { value: 1460757617078 } },
        person,
        'activities-summary': { works: { path: `/${id}/works`, group: [] } },
        path: `/${id}`,
      });
    };
    ctx.router.get('/v3.0/:orcid/person', record('person'));
    ctx.router.get('/v3.0/:orcid/record', record('record'));
    mountOrcidMembers(ctx); // member API clients (members.ts)
    mountOrcidWorks(ctx); // works on the Member API (works.ts)

    return { token: ready.token, extra: { orcid: SEED.orcid.orcid, name: SEED.orcid.name } };
  },
};
