// Helpers for the browser-login tests: the emulator's pre-made OAuth clients as the environment rdp
// reads them from, the keychain lookup, and every credential the emulator handed out (for leak scans).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { oauthState } from '../../src/emulator/oauth-common.js';
import { SERVICE_IDS as PROVIDER_IDS, type ServiceId as ProviderId } from '../../src/emulator/ids.js';
import { BrowserSink } from './browser.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';
import { Sandbox } from './sandbox.js';

export type OAuthId = Exclude<ProviderId, 'nomad' | 'invenio'>;
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

/**
 * The usual set-up of a browser-login test file: an emulator, a BROWSER sink and a sandbox whose
 * environment points rdp at both (with the emulator's OAuth clients). At the end: no credential the
 * emulator issued or saw may appear in any output; then everything is closed.
 */
export interface OAuthFixture {
  emu: TestEmulator;
  sink: BrowserSink;
  sb: Sandbox;
  /** The OAuth client each service's logins use here (Zenodo's: registered for any port). */
  clients: Record<OAuthId, ClientInfo>;
}

/** Register a client through the emulator's control API (its stand-in for a registration page). */
export async function registerClient(
  emu: TestEmulator,
  body: { service: OAuthId | 'invenio'; redirectUris: string[]; anyPort?: boolean; development?: boolean; confidential?: boolean; name?: string },
): Promise<ClientInfo> {
  const r = await fetch(`${emu.url}/_emulator/oauth/clients`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await r.json()) as ClientInfo & { message?: string };
  if (r.status !== 201) throw new Error(`registration refused (${r.status}): ${json.message}`);
  return json;
}

/**
 * Zenodo matches redirect URIs exactly, and the emulator's ready-made Zenodo client registers rdp's
 * default port (21930), which parallel test files cannot all listen on. Tests log in to Zenodo on a
 * free port (`zenodo.port 0` in the sandbox's config) with a client registered for any port.
 */
export async function anyPortZenodo(emu: TestEmulator, sb: Sandbox): Promise<ClientInfo> {
  const c = await registerClient(emu, { service: 'zenodo', redirectUris: ['http://127.0.0.1/callback'], anyPort: true, name: 'rdp tests (any port)' });
  sb.env.RDP_ZENODO_CLIENT_ID = c.clientId;
  sb.env.RDP_ZENODO_CLIENT_SECRET = c.clientSecret;
  const r = await sb.run(['config', 'set', 'zenodo.port', '0']);
  if (r.code !== 0) throw new Error(`config set zenodo.port 0 failed: ${r.stderr}`);
  return c;
}

export function oauthFixture(opts: { logoutAtEnd?: boolean } = {}): OAuthFixture {
  const f = {} as OAuthFixture;
  beforeAll(async () => {
    f.emu = await startTestEmulator();
    f.sink = await new BrowserSink().start();
    f.sb = new Sandbox({ ...f.emu.env, ...f.sink.env });
    const zenodo = await anyPortZenodo(f.emu, f.sb);
    f.clients = { zenodo, dmptool: client(f.emu, 'dmptool'), orcid: client(f.emu, 'orcid'), zotero: client(f.emu, 'zotero') };
  });
  afterAll(async () => {
    f.sb.secret(...emulatorSecrets(f.emu));
    f.sb.assertNoLeaks();
    // Only this emulator's accounts: the throwaway keyring is shared by test files running in parallel.
    if (opts.logoutAtEnd) for (const id of PROVIDER_IDS) await f.sb.run(['logout', id]);
    await f.sink.close();
    await f.emu.close();
    f.sb.cleanup();
  });
  return f;
}
