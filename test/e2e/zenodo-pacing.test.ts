// Pacing under Zenodo's X-RateLimit-* budget: with a small budget (5 requests per 2 s window here,
// standing in for 100 per minute) an upload of more files than the budget allows, four at a time,
// waits for the window instead of running into 429.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: { perMinute: 5, windowMs: 2000 } });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo });
  sb.secret(emu.tokens.zenodo);
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

test('an upload needing twice the budget is paced into the next windows: no 429, every file arrives', async () => {
  const dir = join(sb.dir, 'paced');
  mkdirSync(dir);
  for (let i = 0; i < 8; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
  const r = await sb.run(['upload', 'paced', '--to', 'zenodo', '--json']);
  expect(r.code).toBe(0);
  const zenodo = emu.server.state.log.filter((e) => e.service === 'zenodo');
  expect(zenodo.length).toBeGreaterThan(5);
  expect(zenodo.filter((e) => e.status === 429)).toEqual([]);
  const id = parseJson<{ id: number }>(r.stdout).id;
  expect(zenodoStore(emu.server.state).depositions.get(id)?.files.size).toBe(8);
});
