// ORCID's two kinds of API client (providers.md 0.3): public clients (the Public API, scopes
// /authenticate, openid, /read-public) and member clients (the Member API, which adds /read-limited,
// /activities/update, /person/update). A public client asking for a member scope gets `invalid_scope`;
// a member client's redirect URIs must be `https://` (ORCID's production registration refuses others).
// On the Member API, ORCID checks the client type before the scope (OrcidSecurityManagerImpl.isMyToken
// -> checkClientType): a public client's token is refused with 401 (error code 9017) whatever its
// scopes, a member token without the scope with 403 (9038).
//
// Control endpoints:
//   POST /_emulator/orcid/member-clients                  {"redirectUris": ["https://..."], "name"?, "clientId"?, "clientSecret"?}
//                                                         -> 201 the client (400 for a redirect URI that is not https://)
//   POST /_emulator/orcid/member-clients/{id}/tokens      {"scopes"?: [...]} -> 201 a token of this client for the
//                                                         seeded researcher (default /read-limited /activities/update)
import { EmuHttpError } from '../../http.js';
import { oauthState } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { type OAuthClient, perEmulator, SEED, type TokenRecord } from '../../state.js';
import { randomAlnum, randomUUID } from '../../tokens.js';

/** Scopes of the Public API. */
export const PUBLIC_SCOPES = ['/authenticate', 'openid', '/read-public'] as const;
/** Scopes only a member client may be granted. */
export const MEMBER_SCOPES = ['/read-limited', '/activities/update', '/person/update'] as const;

const members = perEmulator(() => new Set<string>());

export function isMemberClient(ctx: ServiceContext, clientId: string | undefined): boolean {
  return clientId !== undefined && members(ctx.state).has(clientId);
}

/** What a client may be granted: member clients everything, public clients the public scopes. */
export function orcidClientScopes(ctx: ServiceContext, client: OAuthClient): string[] {
  return isMemberClient(ctx, client.clientId) ? [...PUBLIC_SCOPES, ...MEMBER_SCOPES] : [...PUBLIC_SCOPES];
}

/** Register a member client; its redirect URIs must all be https://. */
export function registerMemberClient(ctx: ServiceContext, input: { redirectUris?: unknown; name?: string; clientId?: string; clientSecret?: string }): OAuthClient {
  const uris = input.redirectUris;
  if (!Array.isArray(uris) || uris.length === 0 || uris.some((u) => typeof u !== 'string')) {
    throw new EmuHttpError(400, { message: 'redirectUris must be a non-empty list of https:// URIs' });
  }
  for (const u of uris as string[]) {
    let url: URL | undefined;
    try {
      url = new URL(u);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') throw new EmuHttpError(400, { message: `Member API clients must use https:// redirect URIs, not ${u}` });
  }
  const client = ctx.state.registerClient({
    service: 'orcid',
    clientId: input.clientId ?? `APP-${randomAlnum(16).toUpperCase()}`,
    clientSecret: input.clientSecret ?? randomUUID(),
    redirectUris: uris as string[],
    name: input.name ?? 'A member integration',
  });
  oauthState(ctx.state).remember(client.clientSecret);
  members(ctx.state).add(client.clientId);
  return client;
}

export function mountOrcidMembers(ctx: ServiceContext): void {
  ctx.control.post('/member-clients', async (req, res) => {
    const body = await req.json<{ redirectUris?: unknown; name?: string; clientId?: string; clientSecret?: string }>();
    res.json(201, registerMemberClient(ctx, body));
  });

  ctx.control.post('/member-clients/:id/tokens', async (req, res) => {
    const client = ctx.state.client('orcid', req.params.id);
    if (!client || !isMemberClient(ctx, client.clientId)) throw new EmuHttpError(404, { message: `no member client ${req.params.id}` });
    const body = await req.json<{ scopes?: unknown }>();
    const scopes = body.scopes === undefined ? ['/read-limited', '/activities/update'] : body.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !orcidClientScopes(ctx, client).includes(s))) {
      throw new EmuHttpError(400, { message: 'scopes must be ORCID scopes' });
    }
    const rec: TokenRecord = ctx.state.issue({
      service: 'orcid',
      userId: SEED.orcid.orcid,
      scopes: scopes as string[],
      kind: 'oauth',
      clientId: client.clientId,
      expiresAt: Date.now() + 631_138_518_000,
    });
    oauthState(ctx.state).remember(rec.token);
    res.json(201, { token: rec.token, scopes: rec.scopes, clientId: client.clientId, orcid: rec.userId });
  });
}
