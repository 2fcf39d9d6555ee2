// `rdp uploads list` against the NOMAD emulator: pages followed with page_after_value, --limit,
// --all, --status, the table and TSV forms, --json, and the "every service you are logged in to" form.
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { SEED } from '../../src/emulator/state.js';
import type { TestEmulator } from '../helpers/emulator.js';
import { useNomadEmulator } from '../helpers/nomad.js';
import { parseJson, type Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;

interface Row {
  uploadId: string;
  name?: string;
  status: string;
  entries: number;
  published: boolean;
  embargoLength: number;
}

const setup = useNomadEmulator();
beforeAll(() => {
  ({ emu, sb } = setup);
});

/** n uploads of the seeded user; every third one published (every sixth under embargo). */
function seed(n: number): void {
  const store = nomadUploads(emu.server.state);
  store.clear();
  for (let i = 0; i < n; i++) {
    const u = store.create(SEED.nomad.user_id, { name: `upload ${String(i).padStart(3, '0')}`, embargoLength: 0, publishDirectly: false });
    Object.assign(u, { process_status: 'SUCCESS', mainfiles: Array.from({ length: i % 4 }, (_, k) => `f${k}`) });
    if (i % 3 === 0) Object.assign(u, { published: true, publish_time: '2024-05-02T09:00:00.000000', embargo_length: i % 6 === 0 ? 12 : 0 });
  }
  store.create('someone-else', { name: 'not mine', embargoLength: 0, publishDirectly: false });
  // Shared with the user (a coauthor): NOMAD lists it unless asked for the user's own (roles=main_author).
  store.create('someone-else', { name: 'shared with me', embargoLength: 0, publishDirectly: false }).coauthors.push(SEED.nomad.user_id);
}

const gets = () => emu.server.state.log.filter((e) => e.service === 'nomad' && e.method === 'GET' && e.path === '/uploads');

describe('rdp uploads list --on nomad', () => {
  beforeEach(() => {
    emu.server.state.log.length = 0;
  });

  test('--all follows next_page_after_value through every page, newest first', async () => {
    seed(230);
    const r = await sb.run(['uploads', 'list', '--on', 'nomad', '--all', '--json']);
    expect(r.code).toBe(0);
    const rows = parseJson<Row[]>(r.stdout);
    expect(rows).toHaveLength(230);
    expect(rows[0]?.name).toBe('upload 229');
    expect(rows[229]?.name).toBe('upload 000');
    expect(new Set(rows.map((x) => x.uploadId)).size).toBe(230);
    expect(gets().map((e) => new URLSearchParams(e.query).get('page_after_value'))).toEqual([null, '99', '199']);
    expect(gets().every((e) => e.query.includes('order=desc'))).toBe(true);
    expect(gets().every((e) => new URLSearchParams(e.query).get('roles') === 'main_author')).toBe(true);
    expect(rows.map((x) => x.name)).not.toContain('shared with me');
  });

  test('--limit stops early (default 30); --status maps to is_published', async () => {
    seed(40);
    const dflt = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'nomad', '--json'])).stdout);
    expect(dflt).toHaveLength(30);
    expect(gets()).toHaveLength(1);
    const five = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'nomad', '--limit', '5', '--json'])).stdout);
    expect(five.map((x) => x.name)).toEqual(['upload 039', 'upload 038', 'upload 037', 'upload 036', 'upload 035']);
    // cut short: stderr says how many more exist (NOMAD states its total); a list that fits says nothing
    const cut = await sb.run(['uploads', 'list', '--on', 'nomad', '--limit', '5']);
    expect(cut.stdout.trim().split('\n')).toHaveLength(5);
    expect(cut.stderr).toMatch(/Showing the newest 5 of 40 NOMAD uploads \(35 more\); use --limit N or --all to see them\./);
    const cutDrafts = await sb.run(['uploads', 'list', '--on', 'nomad', '--status', 'draft', '--limit', '20']);
    expect(cutDrafts.stderr).toMatch(/Showing the newest 20 of 26 NOMAD uploads \(6 more\)/);
    const fits = await sb.run(['uploads', 'list', '--on', 'nomad', '--limit', '40']);
    expect(fits.stdout.trim().split('\n')).toHaveLength(40);
    expect(fits.stderr).not.toMatch(/Showing/);
    const everyService = await sb.run(['uploads', 'list', '--limit', '3']);
    expect(everyService.stderr).toMatch(/Showing the newest 3 of 40 NOMAD uploads \(37 more\)/);
    const drafts = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'nomad', '--status', 'draft', '--all', '--json'])).stdout);
    expect(drafts).toHaveLength(26);
    expect(drafts.every((x) => !x.published)).toBe(true);
    const published = parseJson<Row[]>((await sb.run(['uploads', 'list', '--on', 'nomad', '--status', 'published', '--all', '--json'])).stdout);
    expect(published).toHaveLength(14);
    expect(gets().map((e) => new URLSearchParams(e.query).get('is_published')).slice(-2)).toEqual(['false', 'true']);
  });

  test('without a terminal: tab-separated rows, no header (upload_id, name, status, entries, published)', async () => {
    seed(7);
    const r = await sb.run(['uploads', 'list', '--on', 'nomad']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    const byName = new Map(lines.map((l) => l.split('\t')).map((c) => [c[1], c]));
    expect(byName.get('upload 006')?.slice(1)).toEqual(['upload 006', 'SUCCESS', '2', '2024-05-02 (embargo 12 mo)']);
    expect(byName.get('upload 003')?.slice(1)).toEqual(['upload 003', 'SUCCESS', '3', '2024-05-02']);
    expect(byName.get('upload 005')?.slice(1)).toEqual(['upload 005', 'SUCCESS', '1', 'no']);
  });

  test('no uploads: an empty list, exit 0 ([] with --json)', async () => {
    nomadUploads(emu.server.state).clear();
    const r = await sb.run(['uploads', 'list', '--on', 'nomad', '--json']);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout)).toEqual([]);
    const human = await sb.run(['uploads', 'list', '--on', 'nomad']);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/No NOMAD uploads/);
  });

  test('--limit and --all together are a usage error', async () => {
    const r = await sb.run(['uploads', 'list', '--on', 'nomad', '--all', '--limit', '3']);
    expect(r.code).toBe(2);
  });
});

describe('rdp uploads list (every service logged in to)', () => {
  test('lists NOMAD when logged in there; JSON keyed by service; TSV rows prefixed with the service', async () => {
    seed(3);
    const j = await sb.run(['uploads', 'list', '--json']);
    expect(j.code).toBe(0);
    const doc = parseJson<Record<string, Row[]>>(j.stdout);
    expect(doc.nomad).toHaveLength(3);
    const t = await sb.run(['uploads', 'list']);
    expect(t.stdout.trimEnd().split('\n').every((l) => l.startsWith('nomad\t'))).toBe(true);
  });

  test('logged in nowhere: exit 4 with how to log in', async () => {
    const r = await sb.run(['uploads', 'list'], { env: { RDP_NOMAD_TOKEN: undefined } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/rdp login nomad/);
  });
});
