// The NOMAD test files' common setup: an in-process emulator and a sandbox whose CLI runs use the
// emulator's NOMAD with a token from RDP_NOMAD_TOKEN (no keychain), and fast retries.
import { afterAll, beforeAll } from 'vitest';
import { startTestEmulator, type TestEmulator } from './emulator.js';
import { Sandbox } from './sandbox.js';

export function useNomadEmulator(): { emu: TestEmulator; sb: Sandbox } {
  const ctx = {} as { emu: TestEmulator; sb: Sandbox };
  beforeAll(async () => {
    ctx.emu = await startTestEmulator();
    ctx.sb = new Sandbox({ ...ctx.emu.env, RDP_NOMAD_TOKEN: ctx.emu.tokens.nomad, RDP_RETRY_BASE_MS: '10' });
    ctx.sb.secret(ctx.emu.tokens.nomad);
  });
  afterAll(async () => {
    ctx.sb.assertNoLeaks();
    await ctx.emu.close();
    ctx.sb.cleanup();
  });
  return ctx;
}
