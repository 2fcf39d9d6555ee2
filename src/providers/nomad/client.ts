// NOMAD's v1 API (providers.md section 2). Base: the API root ending in /api/v1.
import type { AuthClassifier } from '../auth-failure.js';
import type { HttpClient } from '../http.js';

export const nomadAuthFailure: AuthClassifier = (status, parsed) => {
  if (status !== 401) return undefined;
  const d = parsed.message;
  if (/expired/i.test(d)) return { kind: 'expired', detail: d };
  // NOMAD also answers 401 for "no access to this upload"; only token problems count here.
  if (/token|authori[sz]ation required|incorrect username|not authenticated|signature|jwt/i.test(d)) {
    return { kind: 'invalid', detail: d };
  }
  return undefined;
};

export interface NomadUser {
  user_id: string;
  username?: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
}

export class NomadClient {
  constructor(readonly http: HttpClient) {}

  async me(): Promise<NomadUser> {
    const { data } = await this.http.json<NomadUser>({ method: 'GET', path: '/users/me' });
    if (!data || typeof data.user_id !== 'string') throw this.http.badResponse(200, JSON.stringify(data ?? ''), {});
    return data;
  }

  /** Username and password for a short-lived access token (POST /auth/token, form). */
  async passwordToken(username: string, password: string): Promise<string> {
    const { data } = await this.http.json<{ access_token?: string }>({
      method: 'POST',
      path: '/auth/token',
      form: { grant_type: 'password', username, password },
      anonymous: true,
    });
    if (!data?.access_token) throw this.http.badResponse(200, 'no access_token', {});
    return data.access_token;
  }

  /** An app token valid for `expiresIn` seconds (GET /auth/app_token), using `accessToken`. */
  async appToken(accessToken: string, expiresIn: number): Promise<string> {
    const { data } = await this.http.json<{ app_token?: string }>({
      method: 'GET',
      path: '/auth/app_token',
      query: { expires_in: expiresIn },
      anonymous: true,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (!data?.app_token) throw this.http.badResponse(200, 'no app_token', {});
    return data.app_token;
  }
}
