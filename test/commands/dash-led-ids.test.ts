// NOMAD upload ids are 22 base64url characters, and one in 64 begins with `-`: such an id is taken for
// the id where a command takes one (src/commands/operands.ts), not for an option, without `--`; a
// dash-led value of an option (`--upload -qAb…`) is the option's value, not flags (-q, -V) for rdp
// itself; real unknown options stay usage errors. In-process through main(), against an emulator in
// this process whose NOMAD holds an upload with such an id.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { NO_KEYCHAIN, runMain } from '../helpers/run-main.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;
/** Published uploads of the emulator's user whose ids begin with a dash (and with -q, -V: rdp's own short flags). */
const IDS = ['-l0OabHPLGSpqOi-5turjg', '-qAbHPLGSpqOi-5turjgxy', '-VAbHPLGSpqOi-5turjgxy', '--AbHPLGSpqOi-5turjgxy'];

beforeAll(async () => {
  emu = await startTestEmulator();
  sb = new Sandbox();
  const store = nomadUploads(emu.server.state);
  for (const id of IDS) {
    const u = store.create(SEED.nomad.user_id, { embargoLength: 0, publishDirectly: false });
    store.uploads.delete(u.upload_id);
    u.upload_id = id;
    u.published = true;
    u.process_status = 'SUCCESS';
    store.uploads.set(id, u);
  }
});
afterAll(async () => {
  await emu.close();
  sb.cleanup();
});

let n = 0;
async function rdp(argv: string[]) {
  n += 1;
  const env = { ...emu.env, ...NO_KEYCHAIN, RDP_NOMAD_TOKEN: emu.tokens.nomad, XDG_CONFIG_HOME: join(sb.dir, `config-${n}`), XDG_STATE_HOME: join(sb.dir, `state-${n}`) };
  return runMain(argv, { env, cwd: sb.dir });
}

function errorOf(stderr: string): { code: string; message: string; hint?: string } {
  return (JSON.parse(stderr.trim().split('\n').pop() ?? '') as { error: { code: string; message: string; hint?: string } }).error;
}

describe('a NOMAD upload id that begins with a dash', () => {
  test.each(IDS)('rdp publish %s --on nomad: taken for the id, wherever it stands', async (id) => {
    for (const argv of [
      ['publish', id, '--on', 'nomad', '--json'],
      ['publish', '--on', 'nomad', id, '--json'],
      ['--json', 'publish', '--on', 'nomad', id],
    ]) {
      const r = await rdp(argv);
      expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'nomad', id, published: true, steps: [{ id: 'publish', status: 'already' }] });
    }
  });

  test('after `--` as before; an id NOMAD does not have is its not-found error (exit 1) naming the whole id', async () => {
    const r = await rdp(['publish', '--on', 'nomad', '--json', '--', IDS[0] as string]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: IDS[0] });
    const none = await rdp(['publish', '-ZZZZZZZZZZZZZZZZZZZZZ', '--on', 'nomad', '--json']);
    expect(none.code, none.stderr).toBe(1);
    expect(errorOf(none.stderr)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('-ZZZZZZZZZZZZZZZZZZZZZ') });
  });

  test('rdp upload --upload <dash-led id>: the whole id is the value (not -q or -V for rdp)', async () => {
    for (const id of IDS) {
      const r = await rdp(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--upload', id, '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`into upload ${id}`);
    }
  });

  test('real unknown options are still usage errors (exit 2) that name them', async () => {
    const cases: [string[], string][] = [
      [['publish', '--bogus'], "Unknown option '--bogus'."],
      [['publish', '123', '-x'], "Unknown option '-x'."],
      // the shape of an id, but the length of none (21 characters): an option, with the hint
      [['publish', '-l0OabHPLGSpqOi-5turj', '--on', 'nomad'], "Unknown option '-l0OabHPLGSpqOi-5turj'."],
      // 22 characters, but a lower-case long option's shape
      [['publish', '--abhplgspqoi-turjgxyz', '--on', 'nomad'], "Unknown option '--abhplgspqoi-turjgxyz'."],
      // a command whose operand takes no such id
      [['dmps', 'get', '-l0OabHPLGSpqOi-5turjg'], "Unknown option '-l0OabHPLGSpqOi-5turjg'."],
    ];
    for (const [argv, message] of cases) {
      const r = await rdp([...argv, '--json']);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(errorOf(r.stderr)).toMatchObject({ code: 'USAGE', message });
    }
    const hinted = await rdp(['publish', '-l0OabHPLGSpqOi-5turj', '--on', 'nomad', '--json']);
    expect(errorOf(hinted.stderr).hint).toContain('rdp publish [options] -- -l0OabHPLGSpqOi-5turj');
    // two ids: one too many, as without the dash
    const two = await rdp(['publish', IDS[0] as string, IDS[1] as string, '--on', 'nomad', '--json']);
    expect(two.code).toBe(2);
    expect(errorOf(two.stderr).message).toMatch(/Too many arguments/);
  });
});
