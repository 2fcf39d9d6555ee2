// Helpers for the browser-login tests: the emulator's pre-made OAuth clients as the environment rdp
// reads them from, the keychain lookup, and every credential the emulator handed out (for leak scans).
import { spawnSync } from 'node:child_process';
import { oauthState } from '../../src/emulator/oauth-common.js';
import type { ProviderId } from '../../src/providers/registry.js';
import type { TestEmulator } from './emulator.js';

export type OAuthId = Exclude<ProviderId, 'nomad'>;
export const OAUTH_IDS: OAuthId[] = ['zenodo', 'dmptool', 'orcid', 'zotero'];
export const NAMES: Record<OAuthId, string> = { zenodo: 'Zenodo', dmptool: 'DMPTool', orcid: 'ORCID', zotero: 'Zotero' };

export interface ClientInfo {
  clientId: string;
  clientSecret: string;
}

export function client(emu: TestEmulator, id: OAuthId): ClientInfo {
  const c = emu.info[id].oauth as ClientInfo | undefined;
  if (!c) throw new Error(`the emulator registered no OAuth client for ${id}`);
  return c;
}

/** RDP_<ID>_CLIENT_ID / _SECRET for all four. */
export function clientEnv(emu: TestEmulator): Record<string, string> {
  const env: Record<string, string> = {};
  for (const id of OAUTH_IDS) {
    const c = client(emu, id);
    env[`RDP_${id.toUpperCase()}_CLIENT_ID`] = c.clientId;
    env[`RDP_${id.toUpperCase()}_CLIENT_SECRET`] = c.clientSecret;
  }
  return env;
}

/** Everything secret the emulator issued or received so far (codes, verifiers, tokens, secrets). */
export function emulatorSecrets(emu: TestEmulator): string[] {
  return [...oauthState(emu.server.state).secrets, ...Object.values(emu.tokens)];
}

export function keychainLookup(account: string): string {
  const r = spawnSync('secret-tool', ['lookup', 'service', 'rdp', 'username', account], { encoding: 'utf8', timeout: 5000 });
  return r.stdout;
}

/** The authorize URL as printed on stderr (a line of its own). */
export const AUTHORIZE_LINE = /^(http:\/\/127\.0\.0\.1:\d+\/\w+\/oauth\/authorize\?\S+)\r?$/m;
