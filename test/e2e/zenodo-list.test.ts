// `rdp uploads list --on zenodo` against the emulator: paging through every page with --all, the
// default limit, --status, the table on a pipe (TSV) and --json.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

interface Row {
  service: string;
  id: number;
  title: string;
  state: string;
  files: number;
  size: number;
  doi: string | null;
  modified: string;
}

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo });
  sb.secret(emu.tokens.zenodo);
  const store = zenodoStore(emu.server.state);
  for (let i = 0; i < 105; i++) {
    const d = store.create(SEED.zenodo.id, { title: `Record ${i}` });
    d.files.set('a.csv', { id: `f${i}`, key: 'a.csv', size: 10 + i, md5: '0'.repeat(32), mimetype: 'text/csv', created: d.created, updated: d.created });
    if (i % 3 === 0) {
      d.state = 'done';
      d.submitted = true;
      d.doi = `10.5281/zenodo.${d.id}`;
      store.concept(d).versions.push(d.id);
    }
  }
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

describe('uploads list --on zenodo', () => {
  test('shows 30 by default; --all pages through every page (size 100)', async () => {
    const first = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'zenodo', '--json'])).stdout);
    expect(first).toHaveLength(30);
    expect(first[0]).toMatchObject({ service: 'zenodo', files: 1 });

    const from = emu.server.state.log.length;
    const r = await sb.run(['uploads', 'list', '--on', 'zenodo', '--all', '--json']);
    expect(r.code).toBe(0);
    const all = parseJson<Row[]>(r.stdout);
    expect(all).toHaveLength(105);
    expect(new Set(all.map((x) => x.id)).size).toBe(105);
    const pages = emu.server.state.log.slice(from).filter((e) => e.path === '/api/deposit/depositions');
    expect(pages.map((e) => new URLSearchParams(e.query).get('page'))).toEqual(['1', '2']);
    expect(pages.every((e) => new URLSearchParams(e.query).get('size') === '100')).toBe(true);
  });

  test('--status is applied by rdp (Zenodo ignores it), across pages, with an honest --limit note', async () => {
    const pub = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'published', '--all', '--json'])).stdout);
    expect(pub).toHaveLength(35);
    expect(pub.every((x) => x.state === 'published' && x.doi?.startsWith('10.5281/zenodo.'))).toBe(true);
    const drafts = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'draft', '--limit', '5', '--json'])).stdout);
    expect(drafts).toHaveLength(5);
    expect(drafts.every((x) => x.state === 'draft')).toBe(true);
    const allDrafts = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'draft', '--all', '--json'])).stdout);
    expect(allDrafts).toHaveLength(70);
    // Zenodo's own `status` parameter filters nothing (providers.md section 0): rdp filters, and does not send it.
    const lists = emu.server.state.log.filter((e) => e.path === '/api/deposit/depositions' && e.method === 'GET');
    expect(lists.every((e) => !new URLSearchParams(e.query).has('status'))).toBe(true);
  });

  test('a list cut short by --limit says so on stderr; one that fits says nothing', async () => {
    const cut = await sb.run(['uploads', 'list', '--on', 'zenodo', '--limit', '5']);
    expect(cut.stdout.trim().split('\n')).toHaveLength(5);
    expect(cut.stderr).toMatch(/Showing the newest 5 Zenodo uploads; more exist: use --limit N or --all to see them\./);
    const drafts = await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'draft', '--limit', '69']);
    expect(drafts.stderr).toMatch(/Showing the newest 69 Zenodo uploads; more exist/);
    const fits = await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'draft', '--limit', '70']);
    expect(fits.stdout.trim().split('\n')).toHaveLength(70);
    expect(fits.stderr).not.toMatch(/Showing/);
    expect((await sb.run(['uploads', 'list', '--on', 'zenodo', '--limit', '5', '--quiet'])).stderr).toBe('');
    // 35 published in 105: the 35th is on page 2, so exactly 35 is all of them (no note) and 34 is not
    const exact = await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'published', '--limit', '35', '--json']);
    expect(parseJson<Row[]>(exact.stdout)).toHaveLength(35);
    expect(exact.stderr).toBe('');
    const fewer = await sb.run(['uploads', 'list', '--on', 'zenodo', '--status', 'published', '--limit', '34', '--json']);
    expect(parseJson<Row[]>(fewer.stdout)).toHaveLength(34);
    expect(fewer.stderr).toMatch(/Showing the newest 34 Zenodo uploads; more exist/);
    // the default list (no filter) reads one page of limit + 1
    const page = emu.server.state.log.length;
    await sb.run(['uploads', 'list', '--on', 'zenodo', '--limit', '10', '--json']);
    const pages = emu.server.state.log.slice(page).filter((e) => e.path === '/api/deposit/depositions');
    expect(pages.map((e) => new URLSearchParams(e.query).get('size'))).toEqual(['11']);
  });

  test('without a terminal the table is tab-separated, one line per upload, no header; no --on lists the services you are logged in to', async () => {
    const one = await sb.run(['uploads', 'list', '--on', 'zenodo', '--limit', '2']);
    expect(one.stdout.trim().split('\n').map((l) => l.split('\t').length)).toEqual([7, 7]);
    const r = await sb.run(['uploads', 'list', '--limit', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Not logged in to NOMAD: skipped/);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const [service, id, title, state, files, size, doi, modified] = lines[0]?.split('\t') ?? [];
    expect(service).toBe('zenodo');
    expect(Number(id)).toBeGreaterThan(0);
    expect(title).toMatch(/^Record \d+$/);
    expect(['draft', 'published']).toContain(state);
    expect(files).toBe('1');
    expect(Number(size)).toBeGreaterThanOrEqual(10);
    expect(doi).toMatch(/^10\.5281\/zenodo\.\d+$/);
    expect(modified).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  test('without --on, a service that fails does not hide the others: their lists, then its error (exit 1); --json: one error, no partial document', async () => {
    const env = { RDP_NOMAD_TOKEN: emu.tokens.nomad };
    sb.secret(emu.tokens.nomad);
    emu.server.faults.add({ service: 'nomad', method: 'GET', path: '/uploads', action: 'status', status: 500, always: true });
    try {
      const r = await sb.run(['uploads', 'list', '--limit', '3'], { env });
      expect(r.code).toBe(1);
      expect(r.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['zenodo', 'zenodo', 'zenodo']);
      expect(r.stderr).toMatch(/NOMAD could not be listed; Zenodo is above\./);
      expect(r.stderr).toMatch(/^Error: .*NOMAD.*500/m);
      const j = await sb.run(['uploads', 'list', '--limit', '3', '--json'], { env });
      expect(j.code).toBe(1);
      expect(j.stdout).toBe('');
      expect(JSON.parse(j.stderr.trim().split('\n').at(-1) ?? '{}').error.message).toMatch(/NOMAD/);
    } finally {
      emu.server.faults.clear();
    }
    const ok = await sb.run(['uploads', 'list', '--limit', '3'], { env });
    expect(ok.code, ok.stderr).toBe(0);
  });

  test('usage and login errors', async () => {
    expect((await sb.run(['uploads', 'list', '--limit', '2', '--all'])).code).toBe(2);
    expect((await sb.run(['uploads', 'list', '--on', 'figshare'])).code).toBe(2);
    const none = await sb.run(['uploads', 'list'], { env: { RDP_ZENODO_TOKEN: undefined } });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/Not logged in to Zenodo or NOMAD/);
    expect(none.stderr).toMatch(/rdp login zenodo/);
  });
});
