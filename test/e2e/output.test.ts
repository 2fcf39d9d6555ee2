// Output that behaves (SPEC.md section 4), with the built CLI on a real pseudo-terminal: NO_COLOR turns
// every colour and style off also on a terminal, FORCE_COLOR forces it, --no-color keeps working; and
// NOMAD's upload id reaches stdout as soon as NOMAD has the bytes, on a line of its own.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { Sandbox } from '../helpers/sandbox.js';
import { screenLines, SGR } from '../helpers/terminal.js';

let emu: TestEmulator;
let sb: Sandbox;

/** A terminal that has colour unless told otherwise (no CI, a colour TERM). */
const COLOUR_TERMINAL = { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, TERM: 'xterm-256color' };

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_NOMAD_TOKEN: emu.tokens.nomad, RDP_RETRY_BASE_MS: '10' });
  sb.secret(emu.tokens.zenodo, emu.tokens.nomad);
  mkdirSync(join(sb.dir, 'data'));
  writeFileSync(join(sb.dir, 'data', 'a.csv'), 'x,y\n1,2\n');
  writeFileSync(join(sb.dir, 'data', 'b.bin'), Buffer.alloc(400_000, 7));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
beforeEach(() => {
  emu.server.faults.clear();
});

/** Run rdp on a pty (stdin, stdout and stderr a terminal); the terminal's whole output. */
async function onTerminal(args: string[], env: Record<string, string | undefined>, ptySize = true): Promise<{ code: number | null; text: string }> {
  const p = sb.start(args, { pty: true, ptySize, env: { ...COLOUR_TERMINAL, ...env }, timeoutMs: 30_000 });
  const r = await p.done;
  return { code: r.code, text: r.stdout + r.stderr };
}

describe('colour', () => {
  test('auth status on a terminal: coloured by default; NO_COLOR (any value, even empty) and --no-color turn it off', async () => {
    const coloured = await onTerminal(['auth', 'status', 'zenodo'], {});
    expect(coloured.code).toBe(0);
    expect(coloured.text).toMatch(/logged in/);
    expect(coloured.text).toMatch(SGR); // the control: this terminal does show colour

    for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: '' }]) {
      const r = await onTerminal(['auth', 'status', 'zenodo'], env);
      expect(r.code).toBe(0);
      expect(r.text).toMatch(/logged in/);
      expect(r.text).not.toMatch(SGR);
    }
    const flag = await onTerminal(['auth', 'status', 'zenodo', '--no-color'], {});
    expect(flag.text).toMatch(/logged in/);
    expect(flag.text).not.toMatch(SGR);
    const forcedOff = await onTerminal(['auth', 'status', 'zenodo'], { FORCE_COLOR: '0' });
    expect(forcedOff.text).not.toMatch(SGR);
  });

  test('an upload on a terminal with NO_COLOR: progress, file lines and the result without any colour or style', async () => {
    const coloured = await onTerminal(['upload', 'data', '--to', 'zenodo'], {});
    expect(coloured.code).toBe(0);
    expect(coloured.text).toMatch(SGR);
    const plain = await onTerminal(['upload', 'data', '--to', 'zenodo'], { NO_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.text).toMatch(/deposition\s+\d+/);
    expect(plain.text).not.toMatch(SGR);
    // an error on a terminal too
    const failed = await onTerminal(['upload', 'nothing-here', '--to', 'zenodo'], { NO_COLOR: '1' });
    expect(failed.code).toBe(2);
    expect(failed.text).toMatch(/^Error: /m);
    expect(failed.text).not.toMatch(SGR);
  });

  test('NOMAD processing on a terminal with NO_COLOR: the spinner and its result lines have no colour', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 800 });
    const r = await onTerminal(['upload', 'data', '--to', 'nomad', '--new-upload'], { NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/Processing upload/);
    expect(r.text).not.toMatch(SGR);
  });

  test('a terminal that reports no width (an unsized pty) gets plain status lines, and the wait ends', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 800 });
    const r = await onTerminal(['upload', 'data', '--to', 'nomad', '--new-upload'], {}, false);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/Processing upload \S+ on NOMAD/);
    expect(r.text).toMatch(/entr(y|ies) found/);
  });

  test('FORCE_COLOR forces colour without a terminal (stdout and stderr)', async () => {
    const r = await sb.run(['auth', 'status', 'zenodo'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SGR);
    const err = await sb.run(['upload', 'nothing-here', '--to', 'zenodo'], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(err.stderr).toMatch(SGR);
    const piped = await sb.run(['auth', 'status', 'zenodo'], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
    expect(piped.stdout).not.toMatch(SGR);
  });
});

describe('NOMAD: the upload id on stdout as soon as NOMAD has the bytes', () => {
  test('an interrupted wait for processing still leaves the id on stdout (exit 130)', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 60_000 });
    const p = sb.start(['upload', 'data', '--to', 'nomad', '--new-upload'], { timeoutMs: 60_000 });
    await p.waitFor(/Processing upload (\S+) on NOMAD/);
    // stdout and stderr are two pipes: the id, written first, may be read second
    await p.waitFor(/(?:^|\n)[A-Za-z0-9_-]{22}\n/);
    const id = /^([A-Za-z0-9_-]{22})\n$/.exec(p.stdout())?.[1];
    expect(id).toBeDefined();
    expect(nomadUploads(emu.server.state).uploads.get(id as string)?.process_running).toBe(true);
    p.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stdout).toBe(`${id}\n`);
  });

  test('a processing failure: exit 1, the id on stdout all the same', async () => {
    writeFileSync(join(sb.dir, 'broken.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 1)]));
    const r = await sb.run(['upload', 'broken.zip', '--to', 'nomad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOMAD could not process upload/);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]{22}\n$/);
    const json = await sb.run(['upload', 'broken.zip', '--to', 'nomad', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
  });

  test('on a terminal the id is a line of its own, never inside a progress or spinner line', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 800 });
    const r = await onTerminal(['upload', 'data', '--to', 'nomad', '--new-upload'], {});
    expect(r.code).toBe(0);
    const screen = screenLines(r.text);
    const ids = screen.filter((l) => /^[A-Za-z0-9_-]{22}$/.test(l));
    expect(ids).toHaveLength(1);
    const id = ids[0] as string;
    expect(screen.filter((l) => l.includes(id) && /Uploading|█|Processing/.test(l) && !/^\S+ Processing upload|^Processing upload/.test(l))).toEqual([]);
  });
});

describe('stdout carries data only (SPEC.md section 4)', () => {
  test("an upload's next step (publish the draft) is a hint on stderr, after the result; --quiet leaves it out", async () => {
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--new-record']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^deposition\s+\d+ \(draft\)/m);
    expect(r.stdout).not.toMatch(/Not published|rdp publish/);
    expect(r.stderr).toMatch(/Not published: review the draft at the URL above, then `rdp publish \d+`/);
    const quiet = await sb.run(['upload', 'data', '--to', 'zenodo', '--new-record', '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/^deposition\s+\d+ \(draft\)/m);
    expect(quiet.stdout + quiet.stderr).not.toMatch(/Not published/);
  });
});

describe('file names with control characters (NOMAD takes them in its zip)', () => {
  test('the human plan shows each on its own line, escaped, also on a colour terminal; --json keeps them exact', async () => {
    const odd = join(sb.dir, 'odd');
    mkdirSync(odd);
    const names = ['new\nline.txt', 'tab\tname.txt', 'esc\u001b[31mred.txt', 'plain.txt'];
    for (const n of names) writeFileSync(join(odd, n), 'x');
    const r = await sb.run(['upload', 'odd', '--to', 'nomad', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(rows.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['esc\\u001b[31mred.txt', 'new\\nline.txt', 'plain.txt', 'tab\\tname.txt']);
    const onTty = await onTerminal(['upload', 'odd', '--to', 'nomad', '--dry-run'], {});
    expect(onTty.code).toBe(0);
    expect(onTty.text).toContain('esc\\u001b[31mred.txt'); // shown, not obeyed: no red from a file name
    expect(onTty.text).not.toContain('\u001b[31mred');
    const json = JSON.parse((await sb.run(['upload', 'odd', '--to', 'nomad', '--dry-run', '--json'])).stdout) as { files: { name: string }[] };
    expect(json.files.map((f) => f.name).sort()).toEqual([...names].sort());
  });
});

describe('wording of Zenodo metadata flags', () => {
  test('--creator "Jane Doe" is kept but warned about ("Family, Given"); "Doe, Jane" and a one-word organisation are not', async () => {
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--creator', 'Jane Doe;Example University', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--creator "Jane Doe;Example University": Zenodo reads a name as "Family, Given"');
    expect(r.stderr).toContain('Did you mean --creator "Doe, Jane;Example University"?');
    for (const creator of ['Doe, Jane', 'CERN']) {
      const ok = await sb.run(['upload', 'data', '--to', 'zenodo', '--creator', creator, '--dry-run']);
      expect(ok.code).toBe(0);
      expect(ok.stderr).not.toMatch(/Family, Given/);
    }
  });

  test('a bad flag value is reported under the flag\'s name, not as "the flags"', async () => {
    const r = await sb.run(['upload', 'data', '--to', 'zenodo', '--license', 'not-a-licence', '--json']);
    expect(r.code).toBe(2);
    const e = JSON.parse(r.stderr) as { error: { message: string } };
    expect(e.error.message).toBe('--license: "not-a-licence" is not a license id Zenodo knows.');
  });
});
