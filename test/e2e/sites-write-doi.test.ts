// `--write-doi` on an InvenioRDM site (SPEC.md, "Publish and close the loop" and "Sites"): the built
// CLI against the emulator's site over loopback. The draft's DOI is reserved
// (POST /records/{id}/draft/pids/doi) and written into the folder's CITATION.cff before the files are
// sent, the rest of the file byte for byte as it was, and the file the site stores is the local one. A
// first version has no DOI of all versions yet (InvenioRDM mints the parent's DOI when the first version
// is published), so its own DOI is `doi:`; a new version names the parent's DOI. A re-run writes
// nothing new; a folder without CITATION.cff gets a warning and no file; a site whose DOIs are not set
// up gets a warning and the upload goes on. Every check reads the emulator's own state.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { invenioStore } from '../../src/emulator/services/invenio/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

interface Step {
  id: string;
  status: 'done' | 'already' | 'skipped' | 'failed';
  code?: string;
  detail?: Record<string, unknown>;
}
interface UploadDoc {
  id: string;
  doi: string | null;
  published: boolean;
  files: { name: string; action: string }[];
  citation?: { path: string; outcome: string; doi: string; versionDoi: string }[];
}
interface PublishDoc {
  id: string;
  doi: string | null;
  published: boolean;
  steps: Step[];
}

let emu: TestEmulator;
let sb: Sandbox;

const control = async (path: string, body: unknown) => {
  const r = await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as Record<string, unknown>;
};
const store = () => invenioStore(emu.server.state);
const log = () => emu.server.state.log;
/** The content the site stores under `key` in record (or draft) `id`. */
const stored = (id: string, key: string) => {
  const path = store().records.get(id)?.files.get(key)?.content?.path;
  return path ? readFileSync(path, 'utf8') : undefined;
};
const reservePosts = (from: number) => log().slice(from).filter((e) => e.method === 'POST' && /\/draft\/pids\/doi$/.test(e.path));
const contentPuts = (from: number, key: string) => log().slice(from).filter((e) => e.method === 'PUT' && e.path.endsWith(`/files/${key}/content`));
const META = ['--title', 'Soil samples', '--description', 'Soil data', '--creator', 'Doe, Jane;Example University;0000-0002-1825-0097'];
const ID_LINE = 'description: The DOI of this version of the record';

function folder(name: string, files: Record<string, string>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(join(dir, rel), content);
  return dir;
}

const ORIGINAL = [
  '# CITATION.cff of the soil data',
  'cff-version: 1.2.0',
  'message: "Cite it as below."   # keep this comment',
  'title: Soil samples',
  'doi: 10.9999/old-doi # set by rdp',
  'authors:',
  '  # the people',
  '  - family-names: Doe',
  '    given-names: Jane',
  'keywords: [soil, carbon]   # flow style stays',
  '',
].join('\n');

const withDois = (concept: string, version: string) =>
  ORIGINAL.replace('doi: 10.9999/old-doi # set by rdp\n', `doi: ${concept} # set by rdp\nidentifiers:\n  - type: doi\n    value: ${version}\n    ${ID_LINE}\n`);

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_DEMO_TOKEN: emu.tokens.invenio, RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
  const add = await sb.run(['sites', 'add', 'demo', emu.info.invenio.url]);
  expect(add.code, add.stderr).toBe(0);
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(async () => {
  await control('/invenio/settings', { doi: true });
});

describe('rdp upload --to <site> --write-doi', () => {
  let firstId = '';
  let firstDoi = '';

  test('a first version: the reserved DOI into the commented CITATION.cff (the rest byte for byte), the site stores that file; a re-run writes nothing; publishing keeps it', async () => {
    const dir = folder('cited', { 'CITATION.cff': ORIGINAL, 'data.csv': 'a,b\n1,2\n' });
    const from = log().length;
    const r = await sb.run(['upload', 'cited', '--to', 'demo', '--write-doi', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(r.stdout);
    const version = store().records.get(doc.id)?.pids.doi as { identifier: string } | undefined;
    expect(version?.identifier).toMatch(/^10\.1234\//);
    const doi = version?.identifier as string;
    expect(reservePosts(from)).toHaveLength(1);
    // no DOI of all versions yet: the version's own DOI is doi:, with the note why
    const expected = withDois(doi, doi);
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(expected);
    expect(doc.citation).toEqual([{ path: 'cited/CITATION.cff', outcome: 'written', doi, versionDoi: doi }]);
    expect(r.stderr).toMatch(/named the DOI 10\.9999\/old-doi/);
    expect(r.stderr).toMatch(/mints the DOI of all versions only when the first version is published/);
    expect(stored(doc.id, 'CITATION.cff')).toBe(expected);
    // DataCite needs a publisher: the site refuses to publish a draft whose reserved DOI has none, so rdp
    // names the site's host where the metadata names no publisher (the site's own form fills in its name)
    expect(store().records.get(doc.id)?.metadata.publisher).toBe(new URL(emu.info.invenio.url).host);

    // the same command again: the draft's DOI is there, the file says it already, nothing is sent
    const again = log().length;
    const r2 = await sb.run(['upload', 'cited', '--to', 'demo', '--write-doi', '--json', ...META]);
    expect(r2.code, r2.stderr).toBe(0);
    const doc2 = parseJson<UploadDoc>(r2.stdout);
    expect(doc2.id).toBe(doc.id);
    expect(doc2.citation?.[0]?.outcome).toBe('unchanged');
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(expected);
    expect(reservePosts(again)).toHaveLength(0);
    expect(contentPuts(again, 'CITATION.cff')).toHaveLength(0);

    // and published by the same command with --publish: the record keeps the DOI that was written
    const r3 = await sb.run(['upload', 'cited', '--to', 'demo', '--write-doi', '--publish', '--json', ...META]);
    expect(r3.code, r3.stderr).toBe(0);
    const doc3 = parseJson<UploadDoc>(r3.stdout);
    expect(doc3).toMatchObject({ id: doc.id, published: true, doi });
    expect(stored(doc.id, 'CITATION.cff')).toBe(expected);
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(expected);
    firstId = doc.id;
    firstDoi = doi;
  });

  test('a new version: doi: the parent DOI (minted at the first publish), this version\'s DOI under identifiers; the file in the record is the local one', async () => {
    expect(firstId).not.toBe('');
    const parent = store().parentOf(store().records.get(firstId) as never);
    expect(parent.doi).toMatch(/^10\.1234\//);
    const r = await sb.run(['upload', 'cited', '--to', 'demo', '--new-version', firstId, '--write-doi', '--publish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(r.stdout);
    expect(doc.id).not.toBe(firstId);
    expect(doc.doi).toMatch(/^10\.1234\//);
    expect(doc.doi).not.toBe(firstDoi);
    const expected = withDois(parent.doi as string, doc.doi as string);
    expect(readFileSync(join(sb.dir, 'cited', 'CITATION.cff'), 'utf8')).toBe(expected);
    expect(doc.citation).toEqual([{ path: 'cited/CITATION.cff', outcome: 'written', doi: parent.doi, versionDoi: doc.doi }]);
    expect(r.stderr).not.toMatch(/mints the DOI of all versions/);
    expect(stored(doc.id, 'CITATION.cff')).toBe(expected);
    // the first version keeps the file it was published with
    expect(stored(firstId, 'CITATION.cff')).toBe(withDois(firstDoi, firstDoi));
  });

  test('a folder without CITATION.cff: a warning, no new file; the upload goes on', async () => {
    const dir = folder('uncited', { 'x.txt': 'x' });
    const r = await sb.run(['upload', 'uncited', '--to', 'demo', '--write-doi', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/uncited has no CITATION\.cff; rdp creates none/);
    expect(existsSync(join(dir, 'CITATION.cff'))).toBe(false);
    const doc = parseJson<UploadDoc>(r.stdout);
    expect(doc.citation).toEqual([expect.objectContaining({ outcome: 'no-file' })]);
    expect(stored(doc.id, 'x.txt')).toBe('x');
  });

  test('a site whose DOIs are not set up: a clear warning, nothing written, the upload goes on', async () => {
    await control('/invenio/settings', { doi: false });
    const dir = folder('nodoi', { 'CITATION.cff': ORIGINAL, 'y.txt': 'y' });
    const r = await sb.run(['upload', 'nodoi', '--to', 'demo', '--write-doi', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/demo reserved no DOI for draft \S+ \(.+\): its DOIs are probably not set up, so --write-doi wrote nothing\./);
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(ORIGINAL);
    const doc = parseJson<UploadDoc>(r.stdout);
    expect(doc.citation).toBeUndefined();
    expect(stored(doc.id, 'CITATION.cff')).toBe(ORIGINAL);
    expect(store().records.get(doc.id)?.pids.doi).toBeUndefined();
  });

  test('--dry-run says what would be written and changes nothing', async () => {
    const dir = folder('dry', { 'CITATION.cff': ORIGINAL });
    const from = log().length;
    const r = await sb.run(['upload', 'dry', '--to', 'demo', '--write-doi', '--dry-run', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--write-doi: the draft's DOI would be reserved and written into CITATION\.cff/);
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(ORIGINAL);
    expect(log().slice(from).filter((e) => e.method !== 'GET' && e.method !== 'HEAD')).toEqual([]);
  });
});

describe('a draft holding a reserved DOI and no publisher (made on the site, not by rdp)', () => {
  test('the site refuses to publish it (400, metadata.publisher); rdp says so before publishing and names the field to set', async () => {
    const api = `${emu.info.invenio.url.replace(/\/$/, '')}/api`;
    const auth = { authorization: `Bearer ${emu.tokens.invenio}`, 'content-type': 'application/json' };
    const made = await fetch(`${api}/records`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        access: { record: 'public', files: 'public' },
        files: { enabled: false },
        metadata: { title: 'No publisher', resource_type: { id: 'dataset' }, publication_date: '2026-01-01', creators: [{ person_or_org: { type: 'personal', family_name: 'Doe' } }] },
      }),
    });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { id: string }).id;
    const reserved = await fetch(`${api}/records/${id}/draft/pids/doi`, { method: 'POST', headers: auth });
    expect(reserved.status).toBe(201);
    // the site itself: 400 with the DataCite provider's error
    const direct = await fetch(`${api}/records/${id}/draft/actions/publish`, { method: 'POST', headers: auth });
    expect(direct.status).toBe(400);
    expect(await direct.json()).toMatchObject({ errors: [{ field: 'metadata.publisher', messages: ['Missing publisher field required for DOI registration.'] }] });

    const from = log().length;
    const r = await sb.run(['publish', id, '--on', 'demo', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
    expect(err.code).toBe('MISSING_METADATA');
    expect(err.message).toContain('requires publisher');
    expect(err.hint).toContain('imprint_publisher');
    expect(log().slice(from).filter((e) => e.method === 'POST' && e.path.endsWith('/actions/publish'))).toHaveLength(0);
    expect(store().records.get(id)?.published).toBe(false);
  });
});

describe('rdp publish <id> --on <site> --write-doi', () => {
  test('--help names both services that take --write-doi, and the site\'s paragraph says what it does', async () => {
    const r = await sb.run(['publish', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain("--write-doi Zenodo, sites: write the DOI into ./CITATION.cff (and the draft's copy of it) before publishing");
    expect(text).toContain("--write-doi has written the draft's reserved DOI into ./CITATION.cff (and the draft's copy)");
  });

  test('a draft: ./CITATION.cff and the draft\'s copy get the DOI before publishing; the same command again changes nothing', async () => {
    const cff = '# ours\ncff-version: 1.2.0\ntitle: Soil samples\nauthors:\n  - name: Soil Lab # an entity\n';
    const dir = folder('pub', { 'CITATION.cff': cff, 'w.txt': 'w' });
    const up = await sb.run(['upload', 'pub', '--to', 'demo', '--json', ...META]);
    expect(up.code, up.stderr).toBe(0);
    const id = parseJson<UploadDoc>(up.stdout).id;
    expect(stored(id, 'CITATION.cff')).toBe(cff);
    const r = await sb.run(['publish', id, '--on', 'demo', '--write-doi', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['citation.doi', 'done'],
      ['publish', 'done'],
    ]);
    expect(doc.doi).toMatch(/^10\.1234\//);
    const written = readFileSync(join(dir, 'CITATION.cff'), 'utf8');
    expect(written).toBe(`# ours\ncff-version: 1.2.0\ntitle: Soil samples\ndoi: ${doc.doi}\nidentifiers:\n  - type: doi\n    value: ${doc.doi}\n    ${ID_LINE}\nauthors:\n  - name: Soil Lab # an entity\n`);
    expect(doc.steps[0]?.detail).toMatchObject({ doi: doc.doi, versionDoi: doc.doi, draftFile: 'replaced' });
    expect(stored(id, 'CITATION.cff')).toBe(written);
    expect(store().records.get(id)?.published).toBe(true);

    const again = await sb.run(['publish', id, '--on', 'demo', '--write-doi', '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    const doc2 = parseJson<PublishDoc>(again.stdout);
    expect(doc2.steps.find((s) => s.id === 'publish')?.status).toBe('already');
    expect(readFileSync(join(dir, 'CITATION.cff'), 'utf8')).toBe(written);
  });
});
