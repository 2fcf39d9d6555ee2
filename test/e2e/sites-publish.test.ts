// `rdp publish <id> --on <site>` and `rdp upload … --to <site> --publish` with the links (SPEC.md,
// "Publish and close the loop" and "Sites"): the built CLI against the emulator's InvenioRDM site over
// loopback. A draft is published by id; the same command again does nothing; an unknown id, a draft
// without the fields the site requires and a draft the site refuses to publish are clear errors that
// keep the draft; --dmp puts the plan's DOI among the draft's RDM related identifiers and the
// record's DOI on the plan; --orcid-work and --zotero are recorded steps, and after a failure in one of
// them the same command does only that step. Every check reads the emulator's own state.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { plansOf } from '../../src/emulator/services/dmptool/data.js';
import { invenioStore } from '../../src/emulator/services/invenio/store.js';
import { orcidWorks } from '../../src/emulator/services/orcid/works.js';
import { zoteroLibrary } from '../../src/emulator/services/zotero/items.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, Sandbox } from '../helpers/sandbox.js';

interface Step {
  id: string;
  status: 'done' | 'already' | 'skipped' | 'failed';
  from: 'run' | 'journal';
  reason?: string;
  code?: string;
  detail?: Record<string, unknown>;
}
interface PublishDoc {
  provider: string;
  id: string;
  url: string | null;
  doi: string | null;
  published: boolean;
  steps: Step[];
}
interface UploadDoc {
  id: string;
  doi: string | null;
  published: boolean;
  steps?: Step[];
}
interface ErrorDoc {
  error: { code: string; message: string; hint?: string; details?: PublishDoc & { missing?: string[] } };
}

let emu: TestEmulator;
let sb: Sandbox;
let editToken: string;
let memberToken: string;

const control = async (path: string, body: unknown) => {
  const r = await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as Record<string, any>;
};
const store = () => invenioStore(emu.server.state);
const log = () => emu.server.state.log;
const orcidId = () => emu.info.orcid.orcid as string;
const planId = () => plansOf(emu.server.state).all().find((p) => p.ownerId === '4711')?.id as number;
const onPlan = (doi: string) => (plansOf(emu.server.state).get(planId())?.related ?? []).filter((r) => r.identifier.toLowerCase() === `https://doi.org/${doi}`.toLowerCase());
const worksWith = (doi: string) => [...orcidWorks(emu.server.state).works.values()].filter((w) => w.extIds.some((e) => e.value.toLowerCase() === doi.toLowerCase()));
const itemsWith = (doi: string) => [...zoteroLibrary(emu.server.state).items.values()].filter((i) => (i as { data: { DOI?: string } }).data.DOI === doi);
/** Requests that change something (not GET/HEAD) from `from` on, as `service METHOD path`. */
const writesSince = (from: number) =>
  log()
    .slice(from)
    .filter((e) => e.method !== 'GET' && e.method !== 'HEAD')
    .map((e) => `${e.service} ${e.method} ${e.path}`);
const publishPosts = (from: number) => writesSince(from).filter((w) => /^invenio POST \/api\/records\/[^/]+\/draft\/actions\/publish$/.test(w));

/** Every link's login: DMPTool with edit_dmps, an ORCID member login, Zotero. */
const allLinks = () => ({ RDP_DMPTOOL_TOKEN: editToken, RDP_ORCID_TOKEN: memberToken, RDP_ORCID_ID: orcidId(), RDP_ZOTERO_KEY: emu.tokens.zotero, RDP_ZOTERO_USER_ID: String(SEED.zotero.userID) });
const META = ['--title', 'Soil samples', '--description', 'Soil data', '--creator', 'Doe, Jane;Example University;0000-0002-1825-0097', '--keyword', 'soil'];

function folder(name: string, files: Record<string, string>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(join(dir, rel), content);
  return dir;
}

/** A draft on the site made by rdp (its id). */
async function draft(name: string, meta: string[] = META): Promise<string> {
  folder(name, { 'a.txt': `${name}\n` });
  const r = await sb.run(['upload', name, '--to', 'demo', '--json', ...meta]);
  expect(r.code, r.stderr).toBe(0);
  return parseJson<UploadDoc>(r.stdout).id;
}

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_DEMO_TOKEN: emu.tokens.invenio, RDP_RETRY_BASE_MS: '5' });
  editToken = (await control('/tokens', { service: 'dmptool', scopes: ['public', 'read_dmps', 'edit_dmps'], kind: 'oauth' })).token as string;
  const member = (await control('/orcid/member-clients', { redirectUris: ['https://example.org/cb'] })) as { clientId: string };
  memberToken = (await control(`/orcid/member-clients/${member.clientId}/tokens`, {})).token as string;
  sb.secret(...Object.values(emu.tokens), editToken, memberToken);
  const add = await sb.run(['sites', 'add', 'demo', emu.info.invenio.url]);
  expect(add.code, add.stderr).toBe(0);
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(async () => {
  emu.server.faults.clear();
  await control('/invenio/settings', { doi: true, doiOptional: false, publishGate: 'none' });
});

describe('rdp publish <id> --on <site>', () => {
  test('--help names the site among the services, with its paragraph and an example', async () => {
    const r = await sb.run(['publish', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--on <service> where the deposit is: zenodo, nomad or demo');
    expect(text).toContain('or a record id on demo (or its address) (--on demo)');
    expect(text).toContain('demo (--on demo, an InvenioRDM site): publishes the draft');
    expect(text).toContain('rdp publish 4d0ns-ntd89 --on demo --orcid-work --zotero');
  });

  test('a draft: the plan\'s DOI among its related identifiers, published, then the plan, ORCID and Zotero; a re-run: everything `already`, nothing sent', async () => {
    const id = await draft('sitepub');
    const r = await sb.run(['publish', id, '--on', 'demo', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc).toMatchObject({ provider: 'demo', id, published: true, doi: expect.stringMatching(/^10\.1234\//), url: expect.stringContaining(`/records/${id}`) });
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['site.dmp', 'done'],
      ['publish', 'done'],
      ['dmp.link', 'done'],
      ['orcid.work', 'done'],
      ['zotero.item', 'done'],
    ]);
    const doi = doc.doi as string;
    const rec = store().records.get(id);
    expect(rec?.published).toBe(true);
    // the deposit's side of --dmp: the plan's DOI as an RDM related identifier, in the published record
    const planDoi = plansOf(emu.server.state).get(planId())?.doi;
    expect(planDoi).toMatch(/^10\.48321\//);
    expect(rec?.metadata.related_identifiers).toContainEqual(expect.objectContaining({ identifier: planDoi, scheme: 'doi', relation_type: expect.objectContaining({ id: 'isdocumentedby' }) }));
    // the links, once each, with the record's metadata
    expect(onPlan(doi)).toHaveLength(1);
    const works = worksWith(doi);
    expect(works).toHaveLength(1);
    expect(works[0]?.body).toMatchObject({ type: 'data-set', title: { title: { value: 'Soil samples' } } });
    const items = itemsWith(doi);
    expect(items).toHaveLength(1);
    expect((items[0] as { data: Record<string, unknown> }).data).toMatchObject({ itemType: 'dataset', title: 'Soil samples', repository: 'demo', creators: [expect.objectContaining({ lastName: 'Doe', firstName: 'Jane' })] });

    const from = log().length;
    const again = await sb.run(['publish', id, '--on', 'demo', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout).steps.map((s) => [s.status, s.from])).toEqual(Array(5).fill(['already', 'journal']));
    expect(writesSince(from)).toEqual([]);
    expect(onPlan(doi)).toHaveLength(1);
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);

    // human output: the record and the steps on stdout; the record's address works as the id
    const human = await sb.run(['publish', `${emu.info.invenio.url}/records/${id}`, '--on', 'demo']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`doi +${doi.replace(/[.]/g, '\\.')}`));
    expect(human.stdout).toMatch(/publish +already/);
  });

  test('a record published before: only the links run; --dmp does not change the published record (skipped, with the way on)', async () => {
    folder('pubfirst', { 'p.txt': 'p' });
    const up = await sb.run(['upload', 'pubfirst', '--to', 'demo', '--publish', '--json', ...META]);
    expect(up.code, up.stderr).toBe(0);
    const { id, doi } = parseJson<UploadDoc>(up.stdout);
    const from = log().length;
    const r = await sb.run(['publish', id, '--on', 'demo', '--dmp', String(planId()), '--zotero', '--json'], { env: allLinks() });
    expect(r.code, r.stderr).toBe(0);
    const steps = parseJson<PublishDoc>(r.stdout).steps;
    expect(steps.map((s) => [s.id, s.status, s.code])).toEqual([
      ['site.dmp', 'skipped', 'PUBLISHED'],
      ['publish', 'already', undefined],
      ['dmp.link', 'done', undefined],
      ['zotero.item', 'done', undefined],
    ]);
    expect(r.stderr).toMatch(new RegExp(`--new-version ${id}`));
    expect(writesSince(from).filter((w) => w.startsWith('invenio'))).toEqual([]);
    expect(onPlan(doi as string)).toHaveLength(1);
    expect(itemsWith(doi as string)).toHaveLength(1);
  });

  test('ORCID fails (500 once): exit 1 naming the step; the same command then sends only ORCID\'s request', async () => {
    const id = await draft('sitemidfail');
    const env = { ...allLinks(), RDP_HTTP_RETRIES: '1' };
    await control('/faults', { service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status', status: 500, times: 1 });
    const first = await sb.run(['publish', id, '--on', 'demo', '--orcid-work', '--zotero', '--json'], { env });
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    const err = parseJson<ErrorDoc>(first.stderr).error;
    expect(err.message).toMatch(/^Step orcid\.work failed/);
    expect(err.hint).toMatch(/same command again/);
    expect(err.details?.steps.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'done'],
      ['orcid.work', 'failed'],
      ['zotero.item', 'done'],
    ]);
    const doi = err.details?.doi as string;
    expect(store().records.get(id)?.published).toBe(true);
    expect(worksWith(doi)).toHaveLength(0);

    const from = log().length;
    const second = await sb.run(['publish', id, '--on', 'demo', '--orcid-work', '--zotero', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(parseJson<PublishDoc>(second.stdout).steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['publish', 'already', 'journal'],
      ['orcid.work', 'done', 'run'],
      ['zotero.item', 'already', 'journal'],
    ]);
    expect(writesSince(from)).toEqual([`orcid POST /v3.0/${orcidId()}/work`]);
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);
  });

  test('an unknown id: NOT_FOUND with the way to the ids; an id that cannot be one: exit 2; nothing sent', async () => {
    const from = log().length;
    const r = await sb.run(['publish', 'nosuch-id00', '--on', 'demo', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<ErrorDoc>(r.stderr).error;
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/demo has no draft or record nosuch-id00/), hint: expect.stringContaining('rdp uploads list --on demo') });
    const bad = await sb.run(['publish', 'not an id!', '--on', 'demo', '--json']);
    expect(bad.code).toBe(2);
    expect(parseJson<ErrorDoc>(bad.stderr).error.hint).toContain('rdp uploads list --on demo');
    expect(writesSince(from)).toEqual([]);
  });

  test('a draft without the fields the site requires: MISSING_METADATA naming them, before anything changes; the draft is kept', async () => {
    const id = await draft('untitled', ['--description', 'no title, no creators']);
    const from = log().length;
    const r = await sb.run(['publish', id, '--on', 'demo', '--dmp', '10.48321/D1ABCD', '--json']);
    expect(r.code).toBe(2);
    const err = parseJson<ErrorDoc>(r.stderr).error;
    expect(err).toMatchObject({ code: 'MISSING_METADATA', message: expect.stringMatching(/requires title, creators.*The draft is kept/), details: { missing: ['title', 'creators'] } });
    expect(err.hint).toMatch(/--title.*--creator.*--deposition/);
    expect(writesSince(from)).toEqual([]);
    expect(store().records.get(id)?.published).toBe(false);
    // once the fields are there (the upload command with --deposition), the same publish goes through
    const fill = await sb.run(['upload', 'untitled', '--to', 'demo', '--deposition', id, ...META]);
    expect(fill.code, fill.stderr).toBe(0);
    expect(fill.stderr).toContain(`rdp publish ${id} --on demo`); // the way on for a draft: a hint, on stderr
    expect(fill.stdout).not.toContain('rdp publish');
    const again = await sb.run(['publish', id, '--on', 'demo', '--dmp', '10.48321/D1ABCD', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout).steps.map((s) => [s.id, s.status])).toEqual([
      ['site.dmp', 'done'],
      ['publish', 'done'],
      ['dmp.link', 'skipped'], // no DMPTool login in this run
    ]);
  });

  test('a draft the site refuses to publish (no files): PUBLISH_FAILED with the site\'s reason; the draft is kept; after the fix the same command publishes', async () => {
    const h = { authorization: `Bearer ${emu.tokens.invenio}`, 'content-type': 'application/json' };
    const res = await fetch(`${emu.info.invenio.url}/api/records`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        access: { record: 'public', files: 'public' },
        files: { enabled: true },
        metadata: { title: 'No files yet', resource_type: { id: 'dataset' }, publication_date: '2026-01-01', creators: [{ person_or_org: { type: 'personal', family_name: 'Doe', given_name: 'Jane' } }] },
      }),
    });
    const id = ((await res.json()) as { id: string }).id;
    const from = log().length;
    const r = await sb.run(['publish', id, '--on', 'demo', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<ErrorDoc>(r.stderr).error;
    expect(err).toMatchObject({ code: 'PUBLISH_FAILED', message: expect.stringMatching(/did not publish draft .*files\.enabled.*Missing uploaded files/) });
    expect(err.hint).toMatch(/draft and its files are kept/);
    expect(publishPosts(from)).toHaveLength(1);
    expect(store().records.get(id)?.published).toBe(false);
    // a file into it, and the same command publishes
    folder('nofiles', { 'n.txt': 'n' });
    expect((await sb.run(['upload', 'nofiles', '--to', 'demo', '--deposition', id])).code).toBe(0);
    const again = await sb.run(['publish', id, '--on', 'demo', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout).steps).toEqual([expect.objectContaining({ id: 'publish', status: 'done', from: 'run' })]);
    expect(store().records.get(id)?.published).toBe(true);
  });

  test('a site that publishes only what its curators accepted (invenio-curations: 400, empty message, placeholder error on metadata.title): said as such, with the next step, not as a field to fix', async () => {
    const id = await draft('curated');
    await control('/invenio/settings', { publishGate: 'curation' });
    const r = await sb.run(['publish', id, '--on', 'demo', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
    expect(err.code).toBe('PUBLISH_FAILED');
    expect(err.message).toBe(`Step publish failed: demo did not publish draft ${id}: the site publishes a record only after one of its curators has accepted it, and this draft has not been accepted (yet).`);
    expect(err.hint).toContain(`Submit draft ${id} for review on demo`);
    expect(err.hint).not.toMatch(/Fix the fields/);
    expect(store().records.get(id)?.published).toBe(false);
    // once accepted (here: the gate lifted), the same command publishes
    await control('/invenio/settings', { publishGate: 'none' });
    expect((await sb.run(['publish', id, '--on', 'demo', '--json'])).code).toBe(0);
    expect(store().records.get(id)?.published).toBe(true);
  });

  test('a site that publishes only in a community (400 "Cannot publish without selecting a community."): the next step names the community', async () => {
    folder('community', { 'c.txt': 'c' });
    await control('/invenio/settings', { publishGate: 'community' });
    const r = await sb.run(['upload', 'community', '--to', 'demo', ...META, '--publish', '--json']);
    expect(r.code).toBe(1);
    const err = parseJson<{ error: { code: string; message: string; hint: string } }>(r.stderr).error;
    expect(err.code).toBe('PUBLISH_FAILED');
    expect(err.message).toMatch(/did not publish draft \S+: the site publishes a record only in a community, and this draft is in none\.$/);
    expect(err.hint).toMatch(/Submit draft \S+ to a community on demo/);
    expect(err.hint).not.toMatch(/Fix the fields/);
  });

  test('a site whose DOIs are optional: a new version of a record whose version has a DOI of the site\'s own needs one too (400 on pids.doi); rdp reserves it and publishes', async () => {
    folder('optdoi', { 'o.txt': 'v1' });
    const v1 = await sb.run(['upload', 'optdoi', '--to', 'demo', ...META, '--publish', '--json']);
    expect(v1.code, v1.stderr).toBe(0);
    const first = parseJson<UploadDoc>(v1.stdout);
    expect(first.doi).toMatch(/^10\.1234\//);
    await control('/invenio/settings', { doiOptional: true });
    folder('optdoi', { 'o.txt': 'v2' });
    const from = log().length;
    const r = await sb.run(['upload', 'optdoi', '--to', 'demo', '--new-version', first.id, '--publish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v2 = parseJson<UploadDoc>(r.stdout);
    expect(v2).toMatchObject({ published: true, doi: expect.stringMatching(/^10\.1234\//) });
    expect(v2.doi).not.toBe(first.doi);
    expect(log().slice(from).filter((e) => e.method === 'POST' && e.path.endsWith('/draft/pids/doi'))).toHaveLength(1);
    expect(store().records.get(v2.id)?.published).toBe(true);
  });

  test('a site that mints no DOI: the record is published, the links are skipped (NO_DOI) with the reason; exit 0', async () => {
    const id = await draft('nodoi');
    await control('/invenio/settings', { doi: false });
    const from = log().length;
    const r = await sb.run(['publish', id, '--on', 'demo', '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc).toMatchObject({ published: true, doi: null });
    expect(doc.steps.map((s) => [s.id, s.status, s.code])).toEqual([
      ['publish', 'done', undefined],
      ['orcid.work', 'skipped', 'NO_DOI'],
      ['zotero.item', 'skipped', 'NO_DOI'],
    ]);
    expect(doc.steps[1]?.reason).toMatch(/demo published record .* without a DOI, so --orcid-work has nothing to link/);
    expect(writesSince(from).filter((w) => !w.startsWith('invenio'))).toEqual([]);
    expect(store().records.get(id)?.published).toBe(true);
  });
});

describe('rdp upload --to <site> --publish with the links', () => {
  test('--dmp --orcid-work --zotero: the steps follow the upload; ORCID failing once is then the only request of the same command; all done, it refuses as before', async () => {
    folder('siteup', { 'u.txt': 'u' });
    const cmd = ['upload', 'siteup', '--to', 'demo', '--publish', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json', ...META];
    const env = { ...allLinks(), RDP_HTTP_RETRIES: '1' };
    await control('/faults', { service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status', status: 500, times: 1 });
    const first = await sb.run(cmd, { env });
    expect(first.code).toBe(1);
    const err = parseJson<ErrorDoc>(first.stderr).error;
    expect(err.message).toMatch(/^Step orcid\.work failed/);
    expect(err.details?.steps.map((s) => [s.id, s.status])).toEqual([
      ['site.dmp', 'already'], // the upload put the plan's DOI on the draft
      ['publish', 'already'],
      ['dmp.link', 'done'],
      ['orcid.work', 'failed'],
      ['zotero.item', 'done'],
    ]);
    const doi = err.details?.doi as string;
    expect(doi).toMatch(/^10\.1234\//);
    const id = err.details?.id as string;
    expect(store().records.get(id)?.published).toBe(true);

    const from = log().length;
    const again = await sb.run(cmd, { env });
    expect(again.code, again.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(again.stdout);
    expect(doc).toMatchObject({ id, published: true, doi });
    expect(doc.steps?.map((s) => [s.id, s.status, s.from])).toEqual([
      ['site.dmp', 'already', 'journal'],
      ['publish', 'already', 'journal'],
      ['dmp.link', 'already', 'journal'],
      ['orcid.work', 'done', 'run'],
      ['zotero.item', 'already', 'journal'],
    ]);
    expect(writesSince(from)).toEqual([`orcid POST /v3.0/${orcidId()}/work`]);
    expect(onPlan(doi)).toHaveLength(1);
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);
    expect([...store().records.values()].filter((r) => r.metadata.title === 'Soil samples' && r.files.has('u.txt'))).toHaveLength(1);

    // everything done: the same command refuses as before (it would make a second record)
    const done = await sb.run(cmd, { env });
    expect(done.code).toBe(1);
    expect(parseJson<ErrorDoc>(done.stderr).error.code).toBe('ALREADY_PUBLISHED');
  });

  test('a changed file after the publish: the re-run for the missing links refuses instead of touching the record', async () => {
    const dir = folder('sitechanged', { 'c.txt': 'c' });
    const cmd = ['upload', 'sitechanged', '--to', 'demo', '--publish', '--zotero', '--json', ...META];
    const env = { ...allLinks(), RDP_HTTP_RETRIES: '1' };
    await control('/faults', { service: 'zotero', method: 'POST', path: '/users/*/items', action: 'status', status: 500, times: 1 });
    const first = await sb.run(cmd, { env });
    expect(first.code).toBe(1);
    writeFileSync(join(dir, 'c.txt'), 'changed');
    const from = log().length;
    const again = await sb.run(cmd, { env });
    expect(again.code).toBe(1);
    expect(parseJson<ErrorDoc>(again.stderr).error.code).toBe('ALREADY_PUBLISHED');
    expect(writesSince(from)).toEqual([]);
  });

  test('--zotero or --orcid-work without --publish: exit 2, nothing sent', async () => {
    folder('nopub', { 'x.txt': 'x' });
    const from = log().length;
    for (const flag of ['--zotero', '--orcid-work']) {
      const r = await sb.run(['upload', 'nopub', '--to', 'demo', flag, '--json']);
      expect(r.code).toBe(2);
      expect(parseJson<ErrorDoc>(r.stderr).error.message).toMatch(/needs --publish/);
    }
    expect(writesSince(from)).toEqual([]);
  });
});
