// NOMAD stand-in (providers.md section 2), mounted so that its base is the API root ending in /api/v1.
// Errors: {"detail": "..."}; validation errors: 422 {"detail": [{loc, msg, type}]}. Tokens are HS256
// JWTs: a 300 s access token from /auth/token, app tokens {"user", "exp"} from /auth/app_token.
// Uploads, processing and publishing live in ./uploads.ts, ./processing.ts and ./archive.ts; datasets
// and DOIs in ./datasets.ts.
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { EmulatorService, ServiceContext } from '../../server.js';
import { SEED } from '../../state.js';
import { signJwtHS256, verifyJwtHS256 } from '../../tokens.js';
import { mountDatasets } from './datasets.js';
import { bindStore } from './store.js';
import { mountUploads } from './uploads.js';

export const NOMAD_ACCESS_TOKEN_LIFETIME = 300;
export const NOMAD_APP_TOKEN_MAX = 2_592_000;

export function detail(status: number, message: string, headers: Record<string, string> = {}): EmuHttpError {
  return new EmuHttpError(status, { detail: message }, headers);
}

export function nomadUser() {
  const u = SEED.nomad;
  return {
    user_id: u.user_id,
    username: u.username,
    name: u.name,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    affiliation: u.affiliation,
    created: '2024-01-01T00:00:00',
    is_admin: false,
    is_oasis_admin: false,
  };
}

/** The user id of an authenticated request; 401 with NOMAD's texts otherwise. */
export function nomadAuth(ctx: ServiceContext, req: EmuRequest): string {
  const token = req.bearer();
  if (!token) throw detail(401, 'Authorization required.', { 'www-authenticate': 'Bearer' });
  const check = verifyJwtHS256(token, ctx.state.jwtSecret);
  if (!check.ok) throw detail(401, check.reason === 'expired' ? 'Expired token.' : 'Invalid token.', { 'www-authenticate': 'Bearer' });
  const user = check.payload.user;
  if (typeof user !== 'string') throw detail(401, 'Invalid token.', { 'www-authenticate': 'Bearer' });
  return user;
}

export function appToken(ctx: ServiceContext, userId: string, expiresIn: number): string {
  return signJwtHS256({ user: userId, exp: Math.floor(Date.now() / 1000) + expiresIn }, ctx.state.jwtSecret);
}

export const nomad: EmulatorService = {
  id: 'nomad',
  basePath: '/nomad/api/v1',
  // NOMAD signals its rate limit with 503.
  rateLimit: { limit: 30, windowMs: 1000, status: 503, headers: false },
  errorBody(_status, message) {
    return { body: JSON.stringify({ detail: message }), contentType: 'application/json' };
  },
  mount(ctx) {
    const passwordToken = (username: string | null, password: string | null) => {
      if (username !== SEED.nomad.username || password !== SEED.nomad.password) {
        throw detail(401, 'Incorrect username or password', { 'www-authenticate': 'Bearer' });
      }
      const access = signJwtHS256(
        { user: SEED.nomad.user_id, typ: 'Bearer', exp: Math.floor(Date.now() / 1000) + NOMAD_ACCESS_TOKEN_LIFETIME },
        ctx.state.jwtSecret,
      );
      return { access_token: access, token_type: 'bearer' };
    };

    ctx.router.post('/auth/token', async (req, res) => {
      const form = await req.form();
      res.json(200, passwordToken(form.get('username'), form.get('password')));
    });
    ctx.router.get('/auth/token', (req, res) => {
      res.json(200, passwordToken(req.query.get('username'), req.query.get('password')));
    });
    ctx.router.get('/auth/app_token', (req, res) => {
      const user = nomadAuth(ctx, req);
      const raw = req.query.get('expires_in');
      const n = raw === null ? Number.NaN : Number(raw);
      if (!Number.isInteger(n) || n <= 0 || n > NOMAD_APP_TOKEN_MAX) {
        throw new EmuHttpError(422, {
          detail: [
            {
              loc: ['query', 'expires_in'],
              msg: `ensure this value is greater than 0 and less than or equal to ${NOMAD_APP_TOKEN_MAX}`,
              type: 'value_error.number.not_in_range',
            },
          ],
        });
      }
      res.json(200, { app_token: appToken(ctx, user, n) });
    });
    ctx.router.get('/users/me', (req, res) => {
      const user = nomadAuth(ctx, req);
      if (user !== SEED.nomad.user_id) throw detail(404, 'The user does not exist.');
      res.json(200, nomadUser());
    });

    const uploads = mountUploads(ctx);
    bindStore(ctx.state, uploads);
    mountDatasets(ctx, uploads); // datasets, their DOIs, and the upload edit that fills them (datasets.ts)

    return {
      token: appToken(ctx, SEED.nomad.user_id, NOMAD_APP_TOKEN_MAX),
      close: () => uploads.close(),
      extra: { username: SEED.nomad.username, password: SEED.nomad.password, user: nomadUser() },
    };
  },
};
