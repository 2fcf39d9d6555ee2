// The NOMAD test files' common setup: an in-process emulator and a sandbox whose CLI runs use the
// emulator's NOMAD with a token from RDP_NOMAD_TOKEN (no keychain), and fast retries.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';
import { Sandbox } from './sandbox.js';

/** With `freshEachTest`, every test starts with no uploads, no faults and an empty request log. */
export function useNomadEmulator(opts: { freshEachTest?: boolean } = {}): { emu: TestEmulator; sb: Sandbox } {
  const ctx = {} as { emu: TestEmulator; sb: Sandbox };
  beforeAll(async () => {
    ctx.emu = await startTestEmulator();
    ctx.sb = new Sandbox({ ...ctx.emu.env, RDP_NOMAD_TOKEN: ctx.emu.tokens.nomad, RDP_RETRY_BASE_MS: '10' });
    ctx.sb.secret(ctx.emu.tokens.nomad);
  });
  if (opts.freshEachTest) {
    beforeEach(() => {
      nomadUploads(ctx.emu.server.state).clear();
      ctx.emu.server.faults.clear();
      ctx.emu.server.state.log.length = 0;
    });
  }
  afterAll(async () => {
    ctx.sb.assertNoLeaks();
    await ctx.emu.close();
    ctx.sb.cleanup();
  });
  return ctx;
}
