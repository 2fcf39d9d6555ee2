// Shared emulator state: seeded users, issued tokens, OAuth clients and the request log. Each service
// keeps its own domain data (depositions, uploads, plans) in its own module.
import type { ServiceId as ProviderId } from './ids.js';
import { randomAlnum, randomUrlSafe, randomUUID } from './tokens.js';

export interface TokenRecord {
  token: string;
  service: ProviderId;
  /** The seeded user it acts for; undefined for client-only tokens (client_credentials). */
  userId?: string | undefined;
  scopes: string[];
  /** Epoch ms; undefined = never expires. */
  expiresAt?: number | undefined;
  kind: 'personal' | 'oauth' | 'client' | 'app' | 'key';
  clientId?: string | undefined;
  refreshToken?: string | undefined;
  revoked?: boolean | undefined;
}

export interface RequestLogEntry {
  at: number;
  service: ProviderId | 'control' | 'none';
  method: string;
  path: string;
  query: string;
  status: number;
  /** Request-body bytes the server received. */
  bytesIn: number;
  ms: number;
  /** Set when a fault was injected into this request. */
  fault?: string | undefined;
}

export interface OAuthClient {
  service: ProviderId;
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs, matched by each service's own rule (oauth-common.ts). */
  redirectUris: string[];
  name: string;
  /**
   * Emulator-only: a loopback redirect URI registered here matches on any port (RFC 8252 section 7.3),
   * even on a service that matches exactly (Zenodo), so tests can log in on a free port (`--port 0`).
   */
  anyPort?: boolean | undefined;
}

export const SEED = {
  zenodo: { id: '123456', email: 'jane@example.org', username: 'jane' },
  nomad: {
    user_id: '6a3c0d1e-5b7f-4c2a-9e1d-2f4b6a8c0e12',
    username: 'jdoe',
    password: 'correct-horse-battery',
    first_name: 'Jane',
    last_name: 'Doe',
    name: 'Jane Doe',
    email: 'jane@example.org',
    affiliation: 'Example University',
  },
  dmptool: { id: '4711', name: 'Jane Doe', mbox: 'jane@example.edu', clientName: 'rdp emulator client' },
  orcid: { orcid: '0000-0002-1825-0097', given: 'Josiah', family: 'Carberry', name: 'Josiah Carberry' },
  zotero: { userID: 123456, username: 'jdoe', displayName: 'Jane Doe' },
  /** The InvenioRDM site's user (user ids are small integers there, kept as strings). */
  invenio: { id: '1', email: 'jane@example.org', username: 'jane' },
} as const;

export class EmulatorState {
  readonly tokens = new Map<string, TokenRecord>();
  readonly clients = new Map<string, OAuthClient>();
  readonly log: RequestLogEntry[] = [];
  /** Secret for NOMAD's HS256 tokens. */
  readonly jwtSecret = randomUrlSafe(32);
  /**
   * The emulator's clock offset (ms): tests move time forward through the control API
   * (`POST /_emulator/clock`) to see codes and tokens expire without waiting.
   */
  clockOffsetMs = 0;

  /** The emulator's idea of now (epoch ms). */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  issue(rec: Omit<TokenRecord, 'token'> & { token?: string }): TokenRecord {
    const token = rec.token ?? newToken(rec.service);
    const full: TokenRecord = { ...rec, token };
    this.tokens.set(token, full);
    return full;
  }

  /** The record for a token of this service, whatever its state (check `usable()`). */
  find(service: ProviderId, token: string | undefined): TokenRecord | undefined {
    if (!token) return undefined;
    const rec = this.tokens.get(token);
    return rec && rec.service === service ? rec : undefined;
  }

  usable(rec: TokenRecord | undefined, now = this.now()): rec is TokenRecord {
    return Boolean(rec && !rec.revoked && (rec.expiresAt === undefined || rec.expiresAt > now));
  }

  revoke(token: string): void {
    const rec = this.tokens.get(token);
    if (rec) rec.revoked = true;
  }

  registerClient(c: OAuthClient): OAuthClient {
    this.clients.set(`${c.service}:${c.clientId}`, c);
    return c;
  }

  client(service: ProviderId, clientId: string | undefined | null): OAuthClient | undefined {
    return clientId ? this.clients.get(`${service}:${clientId}`) : undefined;
  }
}

/** A fresh token in the shape the real service uses. */
export function newToken(service: ProviderId): string {
  switch (service) {
    case 'zenodo':
      return randomAlnum(60); // personal tokens: random 60 characters
    case 'zotero':
      return randomAlnum(24); // API keys: 24 alphanumeric
    case 'orcid':
      return randomUUID(); // UUID strings
    case 'dmptool':
      return randomUrlSafe(32); // Doorkeeper: 43 URL-safe characters
    case 'nomad':
      return randomUrlSafe(32);
    case 'invenio':
      return randomAlnum(60); // Invenio-OAuth2Server personal tokens: 60 random characters
  }
}

/**
 * Per-emulator state kept by a service module (its depositions, plans, OAuth codes…), created on
 * first use and tied to one emulator's shared state: `export const plansOf = perEmulator(() => new PlanStore())`.
 */
export function perEmulator<T>(make: () => T): (state: EmulatorState) => T {
  const all = new WeakMap<EmulatorState, T>();
  return (state) => {
    let value = all.get(state);
    if (value === undefined) {
      value = make();
      all.set(state, value);
    }
    return value;
  };
}
