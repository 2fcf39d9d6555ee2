// ORCID (providers.md section 4): OAuth and OpenID endpoints on the web host, the record API (v3.0)
// on the API host.
import type { HttpClient } from '../../http/client.js';

interface ValueOf {
  value?: string | null;
}
interface OrcidPerson {
  name?: { 'given-names'?: ValueOf | null; 'family-name'?: ValueOf | null; 'credit-name'?: ValueOf | null } | null;
}

export function personName(p: OrcidPerson | undefined): string | undefined {
  const n = p?.name;
  if (!n) return undefined;
  const credit = n['credit-name']?.value;
  if (credit) return credit;
  const parts = [n['given-names']?.value, n['family-name']?.value].filter((x): x is string => Boolean(x));
  return parts.length ? parts.join(' ') : undefined;
}

export class OrcidClient {
  constructor(
    readonly http: HttpClient,
    readonly web: string,
  ) {}

  /** OpenID Connect userinfo: the token's own iD (`sub`) and name. */
  async userinfo(): Promise<{ sub?: string; name?: string; given_name?: string; family_name?: string }> {
    const { data } = await this.http.json<{ sub?: string; name?: string }>({
      method: 'GET',
      path: `${this.web.replace(/\/+$/, '')}/oauth/userinfo`,
    });
    return data ?? {};
  }

  /** The person section of a record (public API, v3.0). */
  async person(orcid: string): Promise<OrcidPerson> {
    const { data } = await this.http.json<OrcidPerson>({
      method: 'GET',
      path: `/v3.0/${orcid}/person`,
      headers: { accept: 'application/vnd.orcid+json' },
    });
    return data ?? {};
  }
}
