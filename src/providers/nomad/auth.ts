// How NOMAD authenticates (providers.md 2.2, 2.3): Bearer app tokens (JWTs whose `exp` says when they
// end); 401 for a bad or expired token, but also for "no access to this upload", so only token
// problems count as auth failures; FastAPI's `{detail}` error bodies; and the password login that
// turns a username and password into an app token (the password is never stored).
import { AuthDeniedError } from '../../errors/errors.js';
import { isObject, oauthErrorBody, type ParsedError, text } from '../../http/errors.js';
import type { AuthClassifier, Endpoints, Identity, PasswordLogin, ProviderPorts } from '../types.js';

export const classify: AuthClassifier = (status, parsed) => {
  if (status !== 401) return undefined;
  const d = parsed.message;
  if (/expired/i.test(d)) return { kind: 'expired', detail: d };
  // NOMAD also answers 401 for "no access to this upload"; only token problems count here.
  if (/token|authori[sz]ation required|incorrect username|not authenticated|signature|jwt/i.test(d)) {
    return { kind: 'invalid', detail: d };
  }
  return undefined;
};

export function errorBody(body: unknown): ParsedError | undefined {
  if (!isObject(body)) return undefined;
  const d = body.detail;
  if (typeof d === 'string') return { message: d };
  if (Array.isArray(d)) {
    const parts = d
      .filter(isObject)
      .map((e) => {
        const loc = Array.isArray(e.loc) ? e.loc.join('.') : '';
        return loc ? `${loc}: ${String(e.msg ?? '')}` : String(e.msg ?? '');
      })
      .filter(Boolean);
    return parts.length ? { message: parts.join('; ') } : undefined;
  }
  if (isObject(d)) {
    const reason = text(d.reason) ?? 'Unexpected server error';
    const exc = text(d.exception);
    return { message: exc ? `${reason} (${exc})` : reason };
  }
  return oauthErrorBody(body);
}

function joinName(a?: string, b?: string): string | undefined {
  const s = [a, b].filter(Boolean).join(' ');
  return s || undefined;
}

export async function verify(ports: ProviderPorts, _ep: Endpoints, token: string): Promise<Identity> {
  const [{ NomadClient }, { jwtExpiry }] = await Promise.all([import('./client.js'), import('../../util/jwt.js')]);
  const me = await new NomadClient(await ports.verifyHttp(token)).me();
  return {
    user: { id: me.user_id, username: me.username, name: me.name ?? joinName(me.first_name, me.last_name), email: me.email },
    expiresAt: jwtExpiry(token),
    grant: 'token',
  };
}

/** Username + password -> access token -> app token (providers.md 2.2). */
export const password: PasswordLogin = {
  maxLifetimeSeconds: 30 * 86400, // app_token_max_expires_in
  async login(ports, ep, username, pw, lifetimeSeconds) {
    ports.log.secret(pw);
    const { NomadClient } = await import('./client.js');
    const anon = await ports.anonymousHttp(ep.api, (status, parsed) =>
      status === 401
        ? new AuthDeniedError('AUTH_INVALID', `NOMAD rejected the username or password (${status}: ${parsed.message}). Nothing was stored.`, {
            hint: 'Check the username and password you use on the NOMAD website.',
          })
        : undefined,
    );
    const nomad = new NomadClient(anon);
    const access = await nomad.passwordToken(username, pw);
    ports.log.secret(access);
    const appToken = await nomad.appToken(access, lifetimeSeconds);
    ports.log.secret(appToken);
    const identity = await verify(ports, ep, appToken);
    identity.grant = 'password';
    identity.expiresAt ??= new Date(ports.clock.now() + lifetimeSeconds * 1000).toISOString();
    return { token: appToken, identity };
  },
};
