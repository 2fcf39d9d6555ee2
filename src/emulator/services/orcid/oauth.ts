// ORCID's OAuth 2 / OpenID Connect server (providers.md 0.3, 4.3, 4.4): consent page, 6-character
// single-use codes, tokens as UUIDs (token_type "bearer", ~20 years), refresh tokens, the 2-legged
// `/read-public` grant (orcid null), and with `openid` an RS256 id_token signed with an RSA key made at
// start (node:crypto), published at /oauth/jwks and in the discovery document. Token errors:
// {"error","error_description"}; 401 "Bad client credentials"; bad or reused codes and a redirect
// mismatch 400 invalid_grant (newer servers; older ones answered 500). Redirect URIs: the ready-made
// client registers the bare host http://127.0.0.1, which ORCID lets match any port and path. No PKCE:
// ORCID's token endpoint drops code_verifier, so a code bound to a challenge could never be exchanged;
// this emulator refuses an authorize request that carries code_challenge, so a client sending one fails.
// Faults (POST /_emulator/faults {"service":"orcid","action":…}): id-token-tamper, id-token-wrong-nonce,
// id-token-wrong-aud, id-token-wrong-iss, id-token-expired, id-token-unknown-kid; token-bad-orcid (an iD
// whose check character is wrong in the token response).
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mountOAuth2, oauthErrorBody, registerDefaultClient, secondsLeft } from '../../oauth-common.js';
import type { ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { randomAlnum } from '../../tokens.js';
import { MEMBER_SCOPES, orcidClientScopes } from './members.js';

export const ID_TOKEN_FAULTS = [
  'id-token-tamper',
  'id-token-wrong-nonce',
  'id-token-wrong-aud',
  'id-token-wrong-iss',
  'id-token-expired',
  'id-token-unknown-kid',
] as const;

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function mountOrcidOAuth(ctx: ServiceContext): void {
  registerDefaultClient(ctx, `APP-${randomAlnum(16).toUpperCase()}`, randomUUID(), 'rdp (emulator client)', ['http://127.0.0.1']);
  let key: SigningKey | undefined;
  // Made on first use: a 2048-bit key takes a moment, and most emulator runs never need one.
  const signingKey = (): SigningKey => {
    if (!key) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = `emulator-${randomAlnum(8)}`;
      const pub = pair.publicKey.export({ format: 'jwk' });
      key = { kid, privateKey: createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' })), jwk: { ...pub, kid, use: 'sig', alg: 'RS256' } };
    }
    return key;
  };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  const idToken = (clientId: string, nonce: string | undefined): string => {
    const k = signingKey();
    const now = Math.floor(ctx.state.now() / 1000);
    const claims: Record<string, unknown> = {
      at_hash: randomAlnum(22),
      aud: clientId,
      sub: SEED.orcid.orcid,
      auth_time: now,
      iss: ctx.base,
      exp: now + 86400,
      given_name: SEED.orcid.given,
      family_name: SEED.orcid.family,
      iat: now,
      jti: randomUUID(),
    };
    if (nonce !== undefined) claims.nonce = nonce;
    const fault = ctx.faults.take('orcid', 'POST', '/oauth/token', ID_TOKEN_FAULTS)?.action;
    if (fault === 'id-token-wrong-nonce') claims.nonce = `${nonce ?? ''}x`;
    if (fault === 'id-token-wrong-aud') claims.aud = 'APP-SOMEONEELSE0000';
    if (fault === 'id-token-wrong-iss') claims.iss = 'https://evil.example.org';
    if (fault === 'id-token-expired') claims.exp = now - 3600;
    const header = { kid: fault === 'id-token-unknown-kid' ? 'some-other-key' : k.kid, alg: 'RS256' };
    const signingInput = `${b64(header)}.${b64(claims)}`;
    const signature = sign('RSA-SHA256', Buffer.from(signingInput), k.privateKey).toString('base64url');
    if (fault === 'id-token-tamper') {
      // Change a claim after signing: the signature no longer matches.
      return `${b64(header)}.${b64({ ...claims, sub: '0000-0001-5109-3700' })}.${signature}`;
    }
    return `${signingInput}.${signature}`;
  };

  mountOAuth2(ctx, {
    name: 'ORCID',
    scopes: ['/authenticate', 'openid', ...MEMBER_SCOPES],
    clientCredentialScopes: ['/read-public'],
    // member scopes only for member clients (members.ts): a public client asking gets invalid_scope
    allowedScopes: (client) => orcidClientScopes(ctx, client),
    defaultScopes: ['/authenticate'],
    refreshTokens: true,
    redirectRule: 'orcid',
    pkce: 'refuse',
    user: { id: SEED.orcid.orcid, label: `${SEED.orcid.name} (${SEED.orcid.orcid})` },
    tokenError: (code, description) =>
      code === 'invalid_client' ? oauthErrorBody(401, 'invalid_client', 'Bad client credentials') : oauthErrorBody(400, code, description),
    grantErrorText: (why, code) =>
      why === 'reused'
        ? `Reused authorization code: ${code}`
        : why === 'redirect'
          ? 'Redirect URI mismatch.'
          : why === 'pkce'
            ? 'Invalid code_verifier.'
            : `Invalid authorization code: ${code}`,
    tokenResponse(rec, info) {
      const body: Record<string, unknown> = {
        access_token: rec.token,
        token_type: 'bearer',
        refresh_token: rec.refreshToken ?? randomUUID(),
        expires_in: secondsLeft(rec, ctx.state.now()),
        scope: rec.scopes.join(' '),
      };
      if (info.grant === 'client_credentials') {
        body.orcid = null;
        return body;
      }
      body.name = SEED.orcid.name;
      body.orcid = ctx.faults.take('orcid', 'POST', '/oauth/token', ['token-bad-orcid']) ? '0000-0002-1825-0098' : SEED.orcid.orcid;
      if (rec.scopes.includes('openid')) body.id_token = idToken(info.client.clientId, info.code?.nonce);
      return body;
    },
  });

  ctx.router.get('/oauth/jwks', (_req, res) => {
    res.json(200, { keys: [signingKey().jwk] });
  });
  ctx.router.get('/.well-known/openid-configuration', (_req, res) => {
    res.json(200, {
      issuer: ctx.base,
      authorization_endpoint: `${ctx.base}/oauth/authorize`,
      token_endpoint: `${ctx.base}/oauth/token`,
      userinfo_endpoint: `${ctx.base}/oauth/userinfo`,
      jwks_uri: `${ctx.base}/oauth/jwks`,
      response_types_supported: ['code', 'id_token', 'id_token token'],
      scopes_supported: ['openid'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['family_name', 'given_name', 'name', 'auth_time', 'iss', 'sub'],
    });
  });
}
