// What auth/ is given (wrangler's OAuthFlowContext): narrow ports, never the CLI's Context, commander
// or a provider module. A service comes in as its descriptor (providers/types.ts); src/context.ts
// implements these ports for the real CLI, and tests hand in their own (a clock that does not wait).
import type { ConfigStore } from '../config/config.js';
import type { HttpClient, HttpClientOptions } from '../http/client.js';
import type { IO } from '../output/io.js';
import type { Clock, Log } from '../ports.js';
import type { Endpoints, Identity, Provider } from '../providers/types.js';
import type { TokenStore } from '../store/token-store.js';
import type { SecretName, Storage } from '../store/types.js';
import type { OpenResult } from './browser.js';
import type { Redirect } from './redirect.js';

/** An HTTP client for a service: its descriptor names it and reads its error bodies. */
export type HttpFor = (opts: Omit<HttpClientOptions, 'log' | 'signal' | 'dispatcher' | 'env' | 'service' | 'errorBody' | 'clock'> & { service: Provider }) => Promise<HttpClient>;

/** OAuth client settings kept in the config (`<id>.client_id`, and the secret in the keychain). */
export interface ClientSettings {
  clientId(provider: string): Promise<string | undefined>;
  clientSecret(provider: string): Promise<string | undefined>;
  /** Keep a client registered on the spot; the secret in the keychain (or the config file with `insecure`). */
  save(provider: string, clientId: string, secret: string | undefined, insecure: boolean): Promise<Storage | undefined>;
}

export interface AuthPorts {
  log: Log;
  /** The terminal: prompts, pasting, whether a person is there. */
  terminal: IO;
  clock: Clock;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  http: HttpFor;
  store(): Promise<TokenStore>;
  config(): Promise<ConfigStore>;
  clients: ClientSettings;
  openBrowser(url: string): Promise<OpenResult>;
  endpoints(provider: Provider, sandbox?: boolean): Promise<Endpoints>;
}

/** How a browser login's wait is run. */
export interface FlowSettings {
  redirect: Redirect;
  portHint: string;
  /** What to register when the browser never comes back (the exact redirect URI). */
  mismatchHint?: string | undefined;
  /** How long the service's codes live, for the paste hints. */
  codeLifetime?: string | undefined;
  timeoutMs: number;
  noBrowser: boolean;
  /** The command that runs this login again, for hints (`rdp login zenodo`). */
  command: string;
}

/** What every browser login of `rdp login <provider>` is given, parsed from the flags and the config. */
export interface BrowserLoginSettings {
  flow: FlowSettings;
  /** Scopes asked for with --scope, added to the provider's defaults. */
  scopes: string[];
  clientCredentials: boolean;
  /** Zotero: the key's description (--key-name). */
  keyName?: string | undefined;
  /** Zotero: a key without write access (--read-only). */
  readOnly?: boolean | undefined;
}

/** A login that worked, not yet stored: the token, what the service said about it, and what renews it. */
export interface NewLogin {
  token: string;
  identity: Identity;
  secrets?: Partial<Record<SecretName, string>> | undefined;
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}
