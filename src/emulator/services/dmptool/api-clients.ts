// DMPTool's API clients and the scopes each may be granted (providers.md 0.2). DMPTool's Doorkeeper
// runs with `default_scopes public read_dmps`, `optional_scopes edit_dmps create_dmps` and
// `enforce_configured_scopes`, and every API client (`ApiClient`, Doorkeeper's application) carries
// its own `scopes` column, `public read_dmps` unless a DMPTool administrator enabled more. A request
// for a scope outside the client's own is `invalid_scope`, in the browser flow and in
// client_credentials alike. So `edit_dmps` (needed for related identifiers) exists only for a client
// an administrator has granted it to.
//
// Control endpoints (what an administrator does on dmptool.org):
//   POST /_emulator/dmptool/api-clients              {"scopes": ["public","read_dmps","edit_dmps"], "name"?, "redirectUris"?}
//                                                    -> 201 a new client with these scopes
//   PUT  /_emulator/dmptool/api-clients/{client_id}  {"scopes": [...]} -> 200 (changes an existing client)
//   GET  /_emulator/dmptool/api-clients              -> every client with its scopes
import { EmuHttpError } from '../../http.js';
import { OOB_URI, oauthState } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { perEmulator } from '../../state.js';
import { randomAlnum } from '../../tokens.js';

/** What a self-registered client has (Doorkeeper's default scopes). */
export const DEFAULT_CLIENT_SCOPES = ['public', 'read_dmps'] as const;
/** Every scope DMPTool knows (default + optional). */
export const ALL_SCOPES = ['public', 'read_dmps', 'create_dmps', 'edit_dmps'] as const;

const granted = perEmulator(() => new Map<string, string[]>());

/** The scopes a DMPTool client may be granted. */
export function clientScopes(ctx: ServiceContext, clientId: string): string[] {
  return granted(ctx.state).get(clientId) ?? [...DEFAULT_CLIENT_SCOPES];
}

function checkScopes(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string' || !(ALL_SCOPES as readonly string[]).includes(s))) {
    throw new EmuHttpError(400, { message: `scopes must be a list of DMPTool scopes (${ALL_SCOPES.join(', ')})` });
  }
  return [...new Set(raw as string[])];
}

export function mountApiClients(ctx: ServiceContext): void {
  const scopes = granted(ctx.state);

  ctx.control.post('/api-clients', async (req, res) => {
    const body = await req.json<{ scopes?: unknown; name?: string; redirectUris?: string[] }>();
    const list = body.scopes === undefined ? [...DEFAULT_CLIENT_SCOPES] : checkScopes(body.scopes);
    const client = ctx.state.registerClient({
      service: 'dmptool',
      clientId: randomAlnum(43),
      clientSecret: randomAlnum(43),
      // DMPTool's production refuses http: redirects: a client registers the out-of-band URI by default.
      redirectUris: body.redirectUris ?? [OOB_URI],
      name: body.name ?? 'An API client',
    });
    oauthState(ctx.state).remember(client.clientSecret);
    scopes.set(client.clientId, list);
    res.json(201, { ...client, scopes: list });
  });

  ctx.control.put('/api-clients/:id', async (req, res) => {
    const client = ctx.state.client('dmptool', req.params.id);
    if (!client) throw new EmuHttpError(404, { message: `no DMPTool API client ${req.params.id}` });
    const body = await req.json<{ scopes?: unknown }>();
    const list = checkScopes(body.scopes);
    scopes.set(client.clientId, list);
    res.json(200, { clientId: client.clientId, name: client.name, scopes: list });
  });

  ctx.control.get('/api-clients', (_req, res) => {
    const all = [...ctx.state.clients.values()].filter((c) => c.service === 'dmptool');
    res.json(200, all.map((c) => ({ clientId: c.clientId, name: c.name, redirectUris: c.redirectUris, scopes: clientScopes(ctx, c.clientId) })));
  });
}
