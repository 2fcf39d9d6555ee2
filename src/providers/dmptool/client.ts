// DMPTool's API v2 (providers.md section 3). Base: the web host; API paths start with /api/v2.
import type { AuthClassifier } from '../auth-failure.js';
import type { HttpClient } from '../http.js';

export const dmptoolAuthFailure: AuthClassifier = (status, parsed) => {
  if (status === 401) return { kind: 'invalid', detail: parsed.message };
  // Doorkeeper: a valid token without the scope gets 403 with an empty body.
  if (status === 403) return { kind: 'scope', detail: parsed.message || 'insufficient_scope' };
  return undefined;
};

/** The v2 envelope every JSON answer has (providers.md 3.3). */
export interface Envelope<T> {
  application?: string;
  api_version?: number;
  source?: string;
  time?: string;
  caller?: string;
  code?: number;
  message?: string;
  page?: number;
  per_page?: number;
  total_items?: number;
  prev?: string;
  next?: string;
  items?: T[];
  errors?: unknown[];
}

export class DmptoolClient {
  constructor(readonly http: HttpClient) {}

  /** A cheap authenticated call; "No Plans found" (404) still proves the token works. */
  async identify(): Promise<{ caller?: string | undefined }> {
    const { data } = await this.http.json<Envelope<unknown>>({
      method: 'GET',
      path: '/api/v2/plans',
      query: { page: 1, per_page: 1 },
      accept: [404],
    });
    if (!data || typeof data !== 'object' || !('code' in data || 'items' in data)) {
      throw this.http.badResponse(200, JSON.stringify(data ?? ''), {});
    }
    return { caller: typeof data.caller === 'string' ? data.caller : undefined };
  }
}
