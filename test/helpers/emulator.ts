// The emulator, started in the test process; the CLI under test talks to it over loopback.
import { type EmulatorOptions, type EmulatorServer, startEmulator } from '../../src/emulator/index.js';
import type { ServiceId as ProviderId } from '../../src/emulator/ids.js';

export interface TestEmulator {
  server: EmulatorServer;
  url: string;
  env: Record<string, string>;
  tokens: Record<ProviderId, string>;
  info: ReturnType<EmulatorServer['serviceInfo']>;
  /** The keychain account `<provider>@<host>` the CLI uses for this emulator. */
  account(id: ProviderId): string;
  close(): Promise<void>;
}

export async function startTestEmulator(opts: EmulatorOptions = {}): Promise<TestEmulator> {
  const server = await startEmulator(opts);
  const info = server.serviceInfo();
  const env: Record<string, string> = {};
  const tokens = {} as Record<ProviderId, string>;
  for (const id of Object.keys(info) as ProviderId[]) {
    env[`RDP_${id.toUpperCase()}_URL`] = info[id].url;
    tokens[id] = info[id].token;
    // The emulator's pre-made OAuth client, so `rdp login <id>` (browser) works without setup.
    const oauth = info[id].oauth as { clientId: string; clientSecret: string } | undefined;
    if (oauth) {
      env[`RDP_${id.toUpperCase()}_CLIENT_ID`] = oauth.clientId;
      env[`RDP_${id.toUpperCase()}_CLIENT_SECRET`] = oauth.clientSecret;
    }
  }
  const host = new URL(server.url).host;
  return {
    server,
    url: server.url,
    env,
    tokens,
    info,
    account: (id) => `${id}@${host}`,
    close: () => server.close(),
  };
}
