// What every browser login of `rdp login <provider>` is given, parsed from the flags and the config.
import type { Storage } from '../store/types.js';
import type { ClientFlags, ResolveClientOptions } from './client.js';
import type { FlowSettings } from './oauth2.js';

export interface BrowserLoginSettings {
  flow: FlowSettings;
  /** Scopes asked for with --scope, added to the provider's defaults. */
  scopes: string[];
  clientCredentials: boolean;
  client: ClientFlags;
  /** Zotero: the key's description (--key-name). */
  keyName?: string | undefined;
  /** Zotero: a key without write access (--read-only). */
  readOnly?: boolean | undefined;
  storage: Storage;
  /** The last check before anything is asked or opened: can the chosen store hold the login? */
  ready: () => Promise<void>;
}

/** How resolveClient() looks for (or has the user register) the OAuth client of this login. */
export function clientOptions(s: BrowserLoginSettings, secret: 'required' | 'optional'): ResolveClientOptions {
  return {
    secret,
    redirect: s.flow.redirect,
    clientCredentials: s.clientCredentials,
    command: s.flow.command,
    noBrowser: s.flow.noBrowser,
    storage: s.storage,
    ready: s.ready,
  };
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}
