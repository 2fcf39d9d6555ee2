// What every browser login of `rdp login <provider>` is given, parsed from the flags and the config.
import type { Storage } from '../../store/types.js';
import type { ClientFlags } from './client.js';
import type { FlowSettings } from './code-flow.js';

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
}

/** The redirect URI to register, for hints: the fixed port when there is one. */
export function redirectForHint(port: number): string {
  return port ? `http://127.0.0.1:${port}/callback` : 'http://127.0.0.1/callback (any port)';
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}
