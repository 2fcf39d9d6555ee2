// `rdp dmps list|get|templates`: the built CLI against the DMPTool emulator, with 0, 1, 100 and 250
// plans, private plans, missing plans, tokens without read_dmps or revoked, PDF downloads compared
// byte for byte, and downloads cut midway.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type PlanStore, plansOf } from '../../src/emulator/services/dmptool/data.js';
import { planPdf } from '../../src/emulator/services/dmptool/plans.js';
import type { RequestLogEntry } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { BIN, parseJson, Sandbox } from '../helpers/sandbox.js';

interface Row {
  id: number | null;
  title: string;
  doi: string | null;
  modified: string | null;
  privacy: string | null;
  dmpId: { type: string | null; identifier: string } | null;
  dmp: Record<string, unknown>;
}
interface Doc {
  dmp: { title: string; dmproadmap_privacy?: string; dmp_id: { type: string; identifier: string } } & Record<string, unknown>;
}
interface ErrorDoc {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

let emu: TestEmulator;
let sb: Sandbox;
let plans: PlanStore;

beforeAll(async () => {
  emu = await startTestEmulator();
  plans = plansOf(emu.server.state);
  sb = new Sandbox({ ...emu.env, RDP_DMPTOOL_TOKEN: emu.tokens.dmptool, RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
beforeEach(() => {
  emu.server.faults.clear();
});

/** Replace the emulator's plans with `n` seeded ones for the ready token's user. */
function seed(n: number) {
  plans.clear();
  return plans.seed(n);
}

/** The DMPTool requests made by `fn` (from the emulator's request log). */
async function requests<T>(fn: () => Promise<T>): Promise<{ result: T; log: RequestLogEntry[] }> {
  const start = emu.server.state.log.length;
  const result = await fn();
  return { result, log: emu.server.state.log.slice(start).filter((e) => e.service === 'dmptool') };
}

/** Run the CLI and keep stdout as bytes (a PDF on stdout). */
function runBinary(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: sb.dir, env: { ...(sb.env as NodeJS.ProcessEnv), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tempDir = () => mkdtempSync(join(sb.dir, 'out-'));

describe('rdp dmps list', () => {
  test('0 plans: DMPTool\'s 404 "No Plans found" is an empty list (exit 0; `[]` with --json; nothing on stdout)', async () => {
    seed(0);
    const { result: r, log } = await requests(() => sb.run(['dmps', 'list', '--json']));
    expect(log.map((e) => e.status)).toEqual([404]);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout)).toEqual([]);
    expect(r.stderr).toBe('');
    const plain = await sb.run(['dmps', 'list']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('');
    const all = await sb.run(['dmps', 'list', '--all', '--json']);
    expect(parseJson(all.stdout)).toEqual([]);
  });

  test('1 plan: one tab-separated line without a terminal (id, title, DMP ID, modified, privacy), no note', async () => {
    const [p] = seed(1);
    const r = await sb.run(['dmps', 'list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${p?.id}\t${p?.title}\thttps://doi.org/${p?.doi}\t${new Date(p?.updatedAt ?? 0).toISOString().replace('.000Z', 'Z')}\t\n`);
    const j = parseJson<Row[]>((await sb.run(['dmps', 'list', '--json'])).stdout);
    expect(j).toHaveLength(1);
    expect(j[0]).toMatchObject({ id: p?.id, title: p?.title, doi: p?.doi, privacy: null, dmpId: { type: 'doi' } });
    expect(j[0]?.dmp.title).toBe(p?.title); // the item as DMPTool sent it
  });

  test('100 plans: the default limit shows 30 and says more exist; --all fetches one page of 100', async () => {
    seed(100);
    const { result: r, log } = await requests(() => sb.run(['dmps', 'list']));
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(30);
    expect(r.stderr).toMatch(/Showing 30 of 100 plans; use --limit N or --all/);
    expect(log.map((e) => e.query)).toEqual(['?page=1&per_page=30']);

    const { result: all, log: allLog } = await requests(() => sb.run(['dmps', 'list', '--all', '--json']));
    expect(parseJson<Row[]>(all.stdout)).toHaveLength(100);
    expect(all.stderr).toBe('');
    expect(allLog.map((e) => e.query)).toEqual(['?page=1&per_page=100']);
  });

  test('250 plans: --all returns all 250, newest first, in three page requests of 100', async () => {
    const seeded = seed(250);
    const { result: r, log } = await requests(() => sb.run(['dmps', 'list', '--all', '--json']));
    expect(r.code).toBe(0);
    const rows = parseJson<Row[]>(r.stdout);
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((x) => x.id)).size).toBe(250);
    expect(rows.map((x) => x.id).sort()).toEqual(seeded.map((p) => p.id).sort());
    const times = rows.map((x) => Date.parse(x.modified ?? ''));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(log.map((e) => `${e.status} ${e.path}${e.query}`)).toEqual([
      '200 /api/v2/plans?page=1&per_page=100',
      '200 /api/v2/plans?page=2&per_page=100',
      '200 /api/v2/plans?page=3&per_page=100',
    ]);
    // Plans without a DMP ID carry their API URL as dmp_id (type url).
    const noDoi = rows.filter((x) => x.doi === null);
    expect(noDoi.length).toBeGreaterThan(0);
    expect(noDoi.every((x) => x.dmpId?.type === 'url' && x.dmpId.identifier.endsWith(`/api/v2/plans/${x.id}`))).toBe(true);

    const tsv = await sb.run(['dmps', 'list', '--all']);
    expect(tsv.stdout.trimEnd().split('\n')).toHaveLength(250);
  });

  test('a reader that stops early (`| head`) ends the output quietly: exit 0, no EPIPE stack trace', async () => {
    seed(250);
    const child = spawn(process.execPath, [BIN, 'dmps', 'list', '--all', '--json'], { cwd: sb.dir, env: sb.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  test('--limit across pages stops as soon as it has enough; --limit with --all is a usage error', async () => {
    seed(250);
    const { result: r, log } = await requests(() => sb.run(['dmps', 'list', '--limit', '120', '--json']));
    expect(parseJson<Row[]>(r.stdout)).toHaveLength(120);
    expect(r.stderr).toMatch(/Showing 120 of 250 plans/);
    expect(log.map((e) => e.query)).toEqual(['?page=1&per_page=100', '?page=2&per_page=100']);

    const both = await sb.run(['dmps', 'list', '--limit', '5', '--all']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --limit or --all/);
    const bad = await sb.run(['dmps', 'list', '--limit', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit must be a positive whole number/);
  });
});

describe('rdp dmps get', () => {
  let pub: number;
  let priv: number;
  let noDoi: number;
  let doi: string;
  beforeAll(() => {
    plans.clear();
    const p = plans.add({ title: 'Glacier melt water chemistry', doi: '10.48321/D1GLAC', visibility: 'public' });
    const q = plans.add({ title: 'Clinical speech recordings', doi: '10.48321/D1PRIV', visibility: 'private' });
    const r = plans.add({ title: 'Street tree inventory', doi: undefined, visibility: 'public' });
    plans.seed(150); // the DOI lookup pages past these
    plans.add({ ownerId: '5150', title: "Someone else's private plan", visibility: 'private', id: 999_001 });
    pub = p.id;
    priv = q.id;
    noDoi = r.id;
    doi = p.doi as string;
  });

  test('a summary without a terminal: title, DMP ID, contact, project, funding, datasets, privacy', async () => {
    const r = await sb.run(['dmps', 'get', String(pub)]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Glacier melt water chemistry');
    for (const re of [/^DMP ID: +https:\/\/doi\.org\/10\.48321\/D1GLAC$/m, /^Privacy: +public$/m, /^Contact: +Jane Doe <jane@example\.edu>/m, /^Project: +/m, /^Funding: +/m, /^Datasets: +1$/m, /^ {2}• /m, /^Description$/m]) {
      expect(r.stdout).toMatch(re);
    }
    const none = await sb.run(['dmps', 'get', String(noDoi)]);
    expect(none.stdout).toMatch(/^DMP ID: +none registered$/m);
  });

  test('a private plan is marked in the summary and keeps its flag in --json (the full RDA DMP JSON)', async () => {
    const r = await sb.run(['dmps', 'get', String(priv)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Privacy: +private — not publicly visible on DMPTool; respect that when sharing it$/m);
    const j = await sb.run(['dmps', 'get', String(priv), '--json']);
    const doc = parseJson<Doc>(j.stdout);
    expect(Object.keys(doc)).toEqual(['dmp']);
    expect(doc.dmp.dmproadmap_privacy).toBe('private');
    for (const key of ['contributor', 'project', 'dataset', 'dmproadmap_template', 'dmproadmap_links']) expect(doc.dmp).toHaveProperty(key);
  });

  test('the id as a number, an API URL, a website URL, or the DMP ID in any form gives the same plan', async () => {
    const forms = [
      String(pub),
      `${emu.info.dmptool.url}/api/v2/plans/${pub}`,
      `${emu.info.dmptool.url}/api/v2/plans/${pub}.json`,
      `${emu.info.dmptool.url}/plans/${pub}/edit`,
      `https://doi.org/${doi}`,
      `doi:${doi.toLowerCase()}`,
      doi,
      `https://dmptool.org/dmps/doi.org/${doi}`,
    ];
    for (const form of forms) {
      const r = await sb.run(['dmps', 'get', form, '--json']);
      expect(r.code, `${form}: ${r.stderr}`).toBe(0);
      expect(parseJson<Doc>(r.stdout).dmp.title).toBe('Glacier melt water chemistry');
    }
    // A pasted URL from another host: fetched from the configured DMPTool, with a warning.
    const other = await sb.run(['dmps', 'get', `https://dmptool.org/plans/${pub}`, '--json']);
    expect(other.code).toBe(0);
    expect(other.stderr).toMatch(/That URL is on dmptool\.org, but rdp talks to DMPTool at 127\.0\.0\.1/);
  });

  test('a DOI is found by paging through the plans; one no plan has is "Plan not found" (exit 1)', async () => {
    plans.add({ title: 'Oldest plan', doi: '10.48321/D1OLDEST', updatedAt: Date.parse('2001-01-01T00:00:00Z') });
    const { result: r, log } = await requests(() => sb.run(['dmps', 'get', '10.48321/d1oldest', '--json']));
    expect(r.code).toBe(0);
    expect(parseJson<Doc>(r.stdout).dmp.title).toBe('Oldest plan');
    expect(log.map((e) => e.query).filter(Boolean)).toEqual(['?page=1&per_page=100', '?page=2&per_page=100']);

    const missing = await sb.run(['dmps', 'get', 'doi:10.48321/D1NOPE', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    const e = parseJson<ErrorDoc>(missing.stderr).error;
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/^Plan not found: none of the 154 plans .* has the DMP ID 10\.48321\/D1NOPE\.$/);
  });

  test('a missing plan, and another user\'s private plan, are "Plan not found" (exit 1)', async () => {
    for (const id of ['424242', '999001']) {
      const r = await sb.run(['dmps', 'get', id]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^Error: Plan not found: DMPTool \\(127\\.0\\.0\\.1:\\d+\\) has no plan ${id} that this token can see\\.$`, 'm'));
      expect(r.stderr).toMatch(/rdp dmps list/);
    }
    const pdf = await sb.run(['dmps', 'get', '424242', '--pdf', '-o', join(tempDir(), 'x.pdf'), '--json']);
    expect(pdf.code).toBe(1);
    expect(parseJson<ErrorDoc>(pdf.stderr).error.code).toBe('NOT_FOUND');
  });

  test('not a plan reference: a usage error (exit 2) listing the accepted forms, before any request', async () => {
    const { result: r, log } = await requests(() => sb.run(['dmps', 'get', 'my-plan']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"my-plan" is not a DMPTool plan id, plan URL or DMP ID/);
    expect(r.stderr).toMatch(/https:\/\/doi\.org\/10\.48321\/D1ABCD/);
    expect(log).toEqual([]);
  });

  test('-o FILE saves the JSON document atomically; a missing folder is refused before any request', async () => {
    const dir = tempDir();
    const r = await sb.run(['dmps', 'get', String(priv), '-o', join(dir, 'plan.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Saved the DMP JSON of plan \d+ to .*plan\.json/);
    expect(r.stderr).toMatch(/This plan is private/);
    expect(parseJson<Doc>(readFileSync(join(dir, 'plan.json'), 'utf8')).dmp.dmproadmap_privacy).toBe('private');
    expect(readdirSync(dir)).toEqual(['plan.json']);

    const { result: bad, log } = await requests(() => sb.run(['dmps', 'get', String(pub), '-o', join(dir, 'no', 'such', 'x.json')]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the folder .* does not exist/);
    expect(log).toEqual([]);
  });
});

describe('rdp dmps get --pdf', () => {
  let id: number;
  let expected: Buffer;
  beforeAll(() => {
    const p = seed(3)[0];
    if (!p) throw new Error('no plan');
    id = p.id;
    expected = planPdf(p);
  });

  test('-o FILE: the PDF byte for byte, a real PDF (%PDF- … %%EOF); --json says where it went', async () => {
    const dir = tempDir();
    const file = join(dir, 'plan.pdf');
    const r = await sb.run(['dmps', 'get', String(id), '--pdf', '-o', file, '--json']);
    expect(r.code).toBe(0);
    const got = readFileSync(file);
    expect(got.equals(expected)).toBe(true);
    expect(got.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(got.subarray(-6).toString('latin1')).toBe('%%EOF\n');
    expect(parseJson(r.stdout)).toEqual({ id, format: 'pdf', file, bytes: expected.length, sha256: sha256(expected) });
    expect(readdirSync(dir)).toEqual(['plan.pdf']);

    // A directory gets dmp-<id>.pdf; `-o x.pdf` without --pdf means the PDF too.
    const inDir = await sb.run(['dmps', 'get', String(id), '--pdf', '-o', dir]);
    expect(inDir.stderr).toMatch(new RegExp(`Saved the PDF of plan ${id} to .*dmp-${id}\\.pdf \\(${expected.length} bytes\\)`));
    expect(readFileSync(join(dir, `dmp-${id}.pdf`)).equals(expected)).toBe(true);
    const implied = await sb.run(['dmps', 'get', String(id), '-o', join(dir, 'implied.pdf')]);
    expect(implied.code).toBe(0);
    expect(readFileSync(join(dir, 'implied.pdf')).equals(expected)).toBe(true);
  });

  test('without -o and without a terminal, the PDF goes to stdout; --json with it is a usage error', async () => {
    const r = await runBinary(['dmps', 'get', String(id), '--pdf']);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(expected)).toBe(true);
    const dash = await runBinary(['dmps', 'get', String(id), '--pdf', '-o', '-']);
    expect(dash.stdout.equals(expected)).toBe(true);
    const json = await sb.run(['dmps', 'get', String(id), '--pdf', '--json']);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
  });

  test('a download cut midway, every time: exit 1 after three attempts, and no file, not even a partial one', async () => {
    const dir = tempDir();
    emu.server.faults.add({ service: 'dmptool', action: 'cut-response', path: '/api/v2/plans/*.pdf', afterBytes: Math.floor(expected.length / 2), always: true });
    const { result: r, log } = await requests(() => sb.run(['dmps', 'get', String(id), '--pdf', '-o', join(dir, 'plan.pdf')]));
    expect(r.code).toBe(1);
    // How much of the half that was sent reaches rdp before the cut is seen varies: never all of it.
    const cut = new RegExp(`^Error: The download of the PDF of plan ${id} was cut after (\\d+) of ${expected.length} bytes .*Nothing was saved\\.$`, 'm');
    expect(r.stderr).toMatch(cut);
    expect(Number(cut.exec(r.stderr)?.[1])).toBeLessThanOrEqual(Math.floor(expected.length / 2));
    expect(r.stderr).toMatch(/retrying in \d+ ms \(attempt 2 of 3\)/);
    expect(log.filter((e) => e.fault?.startsWith('response cut'))).toHaveLength(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('a download cut once is retried, and the file is whole', async () => {
    const dir = tempDir();
    emu.server.faults.add({ service: 'dmptool', action: 'cut-response', path: '/api/v2/plans/*.pdf', afterBytes: 100 });
    const r = await sb.run(['dmps', 'get', String(id), '--pdf', '-o', join(dir, 'plan.pdf')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/was cut after \d+ of \d+ bytes .*retrying/);
    expect(readFileSync(join(dir, 'plan.pdf')).equals(expected)).toBe(true);
    expect(readdirSync(dir)).toEqual(['plan.pdf']);
  });

  test('an answer that is not a PDF is refused and nothing is saved; an existing file is left as it was', async () => {
    const dir = tempDir();
    const file = join(dir, 'plan.pdf');
    expect((await sb.run(['dmps', 'get', String(id), '--pdf', '-o', file])).code).toBe(0);
    emu.server.faults.add({ service: 'dmptool', action: 'status', status: 200, path: '/api/v2/plans/*.pdf', body: 'Maintenance: back soon' });
    const r = await sb.run(['dmps', 'get', String(id), '--pdf', '-o', file, '--json']);
    expect(r.code).toBe(1);
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('NOT_A_PDF');
    expect(e.message).toMatch(/Nothing was saved/);
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(readdirSync(dir)).toEqual(['plan.pdf']);
  });
});

describe('authentication', () => {
  beforeAll(() => {
    seed(2);
  });

  test('a token without read_dmps: the list works (public), a plan or its PDF is exit 4 naming read_dmps', async () => {
    const pub = emu.server.state.issue({ service: 'dmptool', userId: '4711', scopes: ['public'], kind: 'client' });
    sb.secret(pub.token);
    const env = { RDP_DMPTOOL_TOKEN: pub.token };
    const list = await sb.run(['dmps', 'list', '--json'], { env });
    expect(list.code).toBe(0);
    const [first] = parseJson<Row[]>(list.stdout);
    expect(first?.dmp.dmproadmap_links).not.toHaveProperty('download'); // no PDF for this caller

    const { result: r, log } = await requests(() => sb.run(['dmps', 'get', String(first?.id), '--json'], { env }));
    expect(r.code).toBe(4);
    expect(log.map((e) => e.status)).toEqual([403]);
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('AUTH_SCOPE');
    expect(e.message).toMatch(/the token lacks the read_dmps scope/);
    expect(e.hint).toMatch(/RDP_DMPTOOL_TOKEN a token with the read_dmps scope/);
    expect(e.details).toEqual({ scopes: ['read_dmps'] });

    const pdf = await sb.run(['dmps', 'get', String(first?.id), '--pdf', '-o', join(tempDir(), 'p.pdf')], { env });
    expect(pdf.code).toBe(4);
    expect(pdf.stderr).toMatch(/read_dmps/);
  });

  test('a token with read_dmps only may not list templates: exit 4 naming public', async () => {
    const rd = emu.server.state.issue({ service: 'dmptool', userId: '4711', scopes: ['read_dmps'], kind: 'oauth' });
    sb.secret(rd.token);
    const r = await sb.run(['dmps', 'templates'], { env: { RDP_DMPTOOL_TOKEN: rd.token } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/lacks the public scope/);
  });

  test('a revoked token: the 401 envelope is exit 4 naming `rdp login dmptool`', async () => {
    const gone = emu.server.state.issue({ service: 'dmptool', userId: '4711', scopes: ['public', 'read_dmps'], kind: 'oauth' });
    sb.secret(gone.token);
    emu.server.state.revoke(gone.token);
    for (const args of [['dmps', 'list'], ['dmps', 'get', '1'], ['dmps', 'templates']]) {
      const r = await sb.run([...args, '--json'], { env: { RDP_DMPTOOL_TOKEN: gone.token } });
      expect(r.code).toBe(4);
      const e = parseJson<ErrorDoc>(r.stderr).error;
      expect(e.code).toBe('AUTH_REQUIRED');
      expect(e.message).toMatch(/token in RDP_DMPTOOL_TOKEN was rejected \(401: token is invalid, expired or has been revoked\)/);
      expect(e.hint).toMatch(/rdp login dmptool/);
    }
  });

  test('not logged in at all: exit 4 naming `rdp login dmptool`', async () => {
    const r = await sb.run(['dmps', 'list'], { env: { RDP_DMPTOOL_TOKEN: undefined }, timeoutMs: 15_000 });
    // Without a keychain on this machine the lookup itself fails (exit 1); with one, nothing is stored (exit 4).
    expect([1, 4]).toContain(r.code);
    if (r.code === 4) expect(r.stderr).toMatch(/rdp login dmptool/);
  });
});

describe('rdp dmps templates', () => {
  test('lists the public templates; --json keeps DMPTool\'s item; --limit says more exist', async () => {
    const r = await sb.run(['dmps', 'templates', '--json']);
    expect(r.code).toBe(0);
    const rows = parseJson<{ id: string; title: string; organisation: string; version: string; dmp_template: Record<string, unknown> }[]>(r.stdout);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows[0]).toMatchObject({ id: '1234', title: 'NSF-GEN: Generic', version: '7', organisation: expect.stringMatching(/National Science Foundation/) });
    expect(rows[0]?.dmp_template).toHaveProperty('template_id');
    const two = await sb.run(['dmps', 'templates', '--limit', '2']);
    expect(two.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(two.stdout.split('\n')[0]?.split('\t')).toHaveLength(5);
    expect(two.stderr).toMatch(/Showing 2 of \d+ templates/);
  });
});

describe('help', () => {
  test.each([['dmps'], ['dmps', 'list'], ['dmps', 'get'], ['dmps', 'templates']])('%s --help has examples', async (...args) => {
    const r = await sb.run([...args, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ rdp dmps/);
  });
});
