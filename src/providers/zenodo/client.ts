// Zenodo's legacy deposit API (providers.md section 1). Base: `{web}/api`.
import type { AuthClassifier } from '../auth-failure.js';
import type { HttpClient } from '../http.js';

export const zenodoAuthFailure: AuthClassifier = (status, parsed) => {
  if (status === 401) return { kind: 'invalid', detail: parsed.message };
  // Zenodo answers 403 both without credentials (current server) and for a missing scope.
  if (status === 403) return { kind: 'scope', detail: parsed.message };
  return undefined;
};

export interface ZenodoIdentity {
  ownerId?: string | undefined;
}

export class ZenodoClient {
  constructor(readonly http: HttpClient) {}

  /** A cheap authenticated call: lists at most one deposition. */
  async identify(): Promise<ZenodoIdentity> {
    const { data } = await this.http.json<unknown>({ method: 'GET', path: '/deposit/depositions', query: { size: 1 } });
    if (!Array.isArray(data)) throw this.http.badResponse(200, JSON.stringify(data).slice(0, 200), {});
    const first = data[0] as { owner?: unknown } | undefined;
    return { ownerId: first?.owner !== undefined ? String(first.owner) : undefined };
  }
}
