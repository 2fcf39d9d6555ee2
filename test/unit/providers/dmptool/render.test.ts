// `rdp dmps` on a terminal (in-process, with streams that say they are TTYs): the aligned table that
// shortens titles to the window, the privacy column when DMPTool says, the refusal to print a PDF to
// the terminal, and "No plans found." on stderr for an empty list.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../../src/cli.js';
import { renderPlans } from '../../../../src/providers/dmptool/render.js';
import { plansOf } from '../../../../src/emulator/services/dmptool/data.js';
import { IO } from '../../../../src/output/io.js';
import { planSummary, type PlanSummary } from '../../../../src/providers/dmptool/types.js';
import { startTestEmulator, type TestEmulator } from '../../../helpers/emulator.js';

function tty(columns: number) {
  return Object.assign(new PassThrough(), { isTTY: true, columns });
}

async function rdpOnTerminal(emu: TestEmulator, args: string[], columns = 80) {
  const stdout = tty(columns);
  const stderr = tty(columns);
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const code = await main(args, {
    streams: { stdin, stdout, stderr },
    env: { ...emu.env, RDP_DMPTOOL_TOKEN: emu.tokens.dmptool, NO_COLOR: '1', XDG_CONFIG_HOME: '/nonexistent-rdp-test' },
    handleSignals: false,
  });
  return { code, stdout: out, stderr: err };
}

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());

describe('on a terminal', () => {
  test('an aligned table with a header; long titles shortened to fit the window; no privacy column when DMPTool does not say', async () => {
    const store = plansOf(emu.server.state);
    store.clear();
    store.add({ title: 'A very long plan title that will never fit into a narrow terminal window at all', doi: '10.48321/D1LONG' });
    store.add({ title: 'Short', doi: undefined });
    const r = await rdpOnTerminal(emu, ['dmps', 'list'], 60);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID {5}TITLE +DMP ID +MODIFIED$/);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
    expect(lines[1]).toMatch(/^\d+ {2}A very long plan.*… {2}10\.48321\/D1LONG {2}\d{4}-\d\d-\d\d$/);
    expect(lines[2]).toMatch(/^\d+ {2}Short +- +\d{4}-\d\d-\d\d$/);
  });

  test('an empty list says "No plans found." on stderr and prints nothing on stdout', async () => {
    plansOf(emu.server.state).clear();
    const r = await rdpOnTerminal(emu, ['dmps', 'list']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe('No plans found.\n');
  });

  test('--pdf without -o is refused before any request (exit 2): a PDF does not belong on a terminal', async () => {
    const before = emu.server.state.log.length;
    const r = await rdpOnTerminal(emu, ['dmps', 'get', '89795', '--pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not writing a PDF to the terminal/);
    expect(r.stderr).toMatch(/-o FILE/);
    expect(emu.server.state.log.length).toBe(before);
  });

  test('a private plan is marked in the summary', async () => {
    const store = plansOf(emu.server.state);
    const p = store.add({ title: 'Secret interviews', visibility: 'private' });
    const r = await rdpOnTerminal(emu, ['dmps', 'get', String(p.id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Privacy: +private — not publicly visible on DMPTool; respect that when sharing it$/m);
  });
});

describe('renderPlans', () => {
  const row = (i: number, privacy?: string): PlanSummary =>
    planSummary({ dmp: { title: `Plan\t${i}`, modified: '2024-01-02T03:04:05Z', dmp_id: { type: 'doi', identifier: `https://doi.org/10.1/${i}` }, dmproadmap_links: { get: `https://x/plans/${i}` }, ...(privacy ? { dmproadmap_privacy: privacy } : {}) } }) as PlanSummary;
  const io = (isTTY: boolean) => new IO({ stdin: new PassThrough(), stdout: Object.assign(new PassThrough(), { isTTY, columns: 100 }), stderr: new PassThrough() }, {});

  test('a server that sends privacy in list items gets a PRIVACY column on a terminal', () => {
    const out = renderPlans(io(true), [row(1, 'public'), row(2, 'private')]);
    expect(out.split('\n')[0]).toMatch(/PRIVACY$/);
    expect(out.split('\n')[2]).toMatch(/private$/);
  });

  test('without a terminal: tab-separated, no header, ISO times, full DMP ID, tabs in values flattened', () => {
    expect(renderPlans(io(false), [row(1), row(2, 'private')])).toBe(
      ['1\tPlan 1\thttps://doi.org/10.1/1\t2024-01-02T03:04:05Z\t', '2\tPlan 2\thttps://doi.org/10.1/2\t2024-01-02T03:04:05Z\tprivate'].join('\n'),
    );
  });
});
