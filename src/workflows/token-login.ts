// Logging in with a token (`--with-token`, for all five) and NOMAD's username + password exchange.
// Every token is checked against the provider before anything is stored.
import type { Context } from '../context.js';
import { AuthDeniedError, UsageError } from '../errors/errors.js';
import { DmptoolClient } from '../providers/dmptool/client.js';
import { NomadClient } from '../providers/nomad/client.js';
import { OrcidClient, personName } from '../providers/orcid/client.js';
import { parseOrcid } from '../providers/orcid/orcid-id.js';
import { type Endpoints, PROVIDERS, type ProviderId } from '../providers/registry.js';
import { ZenodoClient } from '../providers/zenodo/client.js';
import { ZoteroClient, zoteroScopes } from '../providers/zotero/client.js';
import type { AccountMeta, AccountUser, Grant, SecretName, Storage } from '../store/types.js';
import { jwtExpiry } from '../util/jwt.js';
import { verifyClient } from '../auth/credentials.js';

/** What a provider told us about a token. */
export interface Identity {
  user: AccountUser;
  scopes?: string[] | undefined;
  /** ISO time, null = never expires, undefined = unknown. */
  expiresAt?: string | null | undefined;
  grant: Grant;
  clientId?: string | undefined;
}

export interface LoginResult {
  provider: ProviderId;
  host: string;
  account: string;
  user: AccountUser;
  scopes?: string[] | undefined;
  expiresAt?: string | null | undefined;
  storage: Storage;
  location: string;
  /** rdp renews the token by itself before it expires (a refresh token, or stored client credentials). */
  renews?: boolean | undefined;
}

/** Reject what cannot be a token before sending it anywhere. */
export function checkTokenShape(provider: ProviderId, raw: string): string {
  const token = raw.trim();
  const name = PROVIDERS[provider].name;
  if (!token) {
    throw new UsageError(`No ${name} token was given on stdin.`, {
      hint:
        `Pipe it in: \`rdp login ${provider} --with-token < token.txt\` (on a terminal, the same command asks for it, hidden)` +
        (provider === 'nomad' ? ', or let rdp make an app token from your password: `rdp login nomad --username jdoe`.' : '.'),
    });
  }
  const malformed = (why: string) =>
    new AuthDeniedError('AUTH_INVALID', `That is not a ${name} token: ${why}. Nothing was stored.`, {
      hint: 'Paste only the token itself, on one line.',
    });
  if (/[\s\u0000-\u001f\u007f]/.test(token)) throw malformed('it contains spaces, line breaks or control characters');
  if (token.length > 8192) throw malformed('it is longer than 8 KiB');
  if (provider === 'zotero' && !/^[A-Za-z0-9]+$/.test(token)) throw malformed('a Zotero API key has only letters and digits');
  return token;
}

/** Ask the provider who the token belongs to; an exit-4 error when it refuses. */
export async function verifyToken(
  ctx: Context,
  provider: ProviderId,
  ep: Endpoints,
  token: string,
  opts: { orcid?: string | undefined } = {},
): Promise<Identity> {
  const http = await verifyClient(ctx, provider, ep, token);
  switch (provider) {
    case 'zenodo': {
      const who = await new ZenodoClient(http).identify();
      // Personal access tokens never expire (providers.md 1.2).
      return { user: { id: who.ownerId }, expiresAt: null, grant: 'token' };
    }
    case 'nomad': {
      const me = await new NomadClient(http).me();
      return {
        user: { id: me.user_id, username: me.username, name: me.name ?? joinName(me.first_name, me.last_name), email: me.email },
        expiresAt: jwtExpiry(token),
        grant: 'token',
      };
    }
    case 'dmptool': {
      const who = await new DmptoolClient(http).identify();
      return { user: { name: who.caller }, grant: 'token' };
    }
    case 'orcid': {
      const client = new OrcidClient(http, ep.web);
      if (opts.orcid) {
        const person = await client.person(opts.orcid);
        return { user: { orcid: opts.orcid, name: personName(person) }, grant: 'token' };
      }
      const info = await client.userinfo().catch((err: unknown) => {
        if (err instanceof AuthDeniedError && err.code === 'AUTH_INVALID') throw err;
        throw new UsageError('ORCID did not say which iD this token belongs to.', {
          hint: 'Pass it: `rdp login orcid --with-token --orcid 0000-0002-1825-0097`.',
          cause: err,
        });
      });
      const parsed = info.sub ? parseOrcid(info.sub) : undefined;
      if (!parsed?.ok) {
        throw new UsageError('ORCID did not return a valid iD for this token.', {
          hint: 'Pass it: `rdp login orcid --with-token --orcid 0000-0002-1825-0097`.',
        });
      }
      return { user: { orcid: parsed.id, name: info.name ?? joinName(info.given_name, info.family_name) }, grant: 'token' };
    }
    case 'zotero': {
      const key = await new ZoteroClient(http).currentKey();
      return {
        user: { id: String(key.userID), username: key.username, name: key.displayName },
        scopes: zoteroScopes(key),
        expiresAt: null, // keys never expire unless revoked
        grant: 'token',
      };
    }
  }
}

function joinName(a?: string, b?: string): string | undefined {
  const s = [a, b].filter(Boolean).join(' ');
  return s || undefined;
}

/** Validate an --orcid value (ISO 7064 check character). */
export function checkOrcidFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseOrcid(value);
  if (!parsed.ok) throw new UsageError(`"${value}" is not a valid ORCID iD: ${parsed.reason}.`);
  return parsed.id;
}

/** Store a checked login and describe where it went. */
export async function saveLogin(
  ctx: Context,
  ep: Endpoints,
  token: string,
  identity: Identity,
  storage: Storage,
  secrets: Partial<Record<SecretName, string>> = {},
): Promise<LoginResult> {
  const now = new Date().toISOString();
  const previous = await (await ctx.store()).accounts.get(ep.account);
  if (identity.grant === 'client_credentials' && previous && previous.grant !== 'client_credentials') {
    // A client's own token is not a person's login: say what is being replaced.
    const who = [previous.user?.orcid, previous.user?.name ?? previous.user?.username].filter(Boolean).join(' ');
    ctx.io.warn(
      `This replaces your personal ${ep.name} login${who ? ` (${who})` : ''} with your API client's own token: ` +
        (ep.provider === 'dmptool'
          ? 'DMPTool then answers as the client, so `rdp dmps list` shows what the client may see, not your plans.'
          : 'ORCID no longer knows who you are (no iD), so it is not added as a Zenodo creator.') +
        ` To get your own login back: \`rdp login ${ep.provider}\`.`,
    );
  }
  const meta: AccountMeta = {
    provider: ep.provider,
    account: ep.account,
    host: ep.host,
    api: ep.api,
    storage,
    user: identity.user,
    scopes: identity.scopes,
    expiresAt: identity.expiresAt,
    grant: identity.grant,
    clientId: identity.clientId,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await (await ctx.store()).save({ token, secrets, meta }, storage);
  const { keychainName } = await import('../store/keychain.js');
  return {
    provider: ep.provider,
    host: ep.host,
    account: ep.account,
    user: identity.user,
    scopes: identity.scopes,
    expiresAt: identity.expiresAt,
    storage,
    renews: Boolean(secrets.refresh_token) || (identity.grant === 'client_credentials' && Boolean(secrets.client_secret)) || undefined,
    location: storage === 'file' ? (await ctx.store()).file.describe() : `${keychainName()} (service rdp, account ${ep.account})`,
  };
}

/** NOMAD: username + password -> access token -> app token. The password is never stored. */
export async function nomadPasswordLogin(
  ctx: Context,
  ep: Endpoints,
  username: string,
  password: string,
  lifetimeSeconds: number,
): Promise<{ token: string; identity: Identity }> {
  ctx.io.secret(password);
  const anon = await ctx.http({
    provider: 'nomad',
    base: ep.api,
    mapError: (status, parsed) =>
      status === 401
        ? new AuthDeniedError('AUTH_INVALID', `NOMAD rejected the username or password (${status}: ${parsed.message}). Nothing was stored.`, {
            hint: 'Check the username and password you use on the NOMAD website.',
          })
        : undefined,
  });
  const nomad = new NomadClient(anon);
  const access = await nomad.passwordToken(username, password);
  ctx.io.secret(access);
  const appToken = await nomad.appToken(access, lifetimeSeconds);
  ctx.io.secret(appToken);
  const identity = await verifyToken(ctx, 'nomad', ep, appToken);
  identity.grant = 'password';
  identity.expiresAt ??= new Date(Date.now() + lifetimeSeconds * 1000).toISOString();
  return { token: appToken, identity };
}

/** "30d", "12h", "90m", "3600" (seconds) -> seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`"${value}" is not a duration.`, { hint: 'Use a number with a unit: 90s, 30m, 12h, 7d.' });
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult = unit.startsWith('m') ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : unit === 'w' ? 604800 : 1;
  return Math.round(n * mult);
}
