// `rdp publish` and `rdp upload … --publish` closing the loop (SPEC.md, "Publish and close the loop"): the
// built CLI against the emulator over loopback. Every check reads the emulator's own state: the plan's
// related identifiers, the ORCID works, the Zotero items, NOMAD's datasets, the stored files, and the
// request log (what was sent to whom on a re-run).
import { readFileSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { plansOf } from '../../src/emulator/services/dmptool/data.js';
import { nomadDatasets } from '../../src/emulator/services/nomad/datasets.js';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { orcidWorks } from '../../src/emulator/services/orcid/works.js';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { zoteroLibrary } from '../../src/emulator/services/zotero/items.js';
import { SEED } from '../../src/emulator/state.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, ROOT, Sandbox } from '../helpers/sandbox.js';

interface Step {
  id: string;
  status: 'done' | 'already' | 'skipped' | 'failed';
  from: 'run' | 'journal';
  reason?: string;
  code?: string;
  detail?: Record<string, unknown>;
  error?: { code: string; message: string };
}
interface PublishDoc {
  provider: string;
  id: number | string;
  doi: string | null;
  published: boolean;
  steps: Step[];
}
interface UploadDoc {
  id: number;
  doi: string;
  conceptDoi: string;
  published: boolean;
  steps?: Step[];
  citation?: { path: string; outcome: string }[];
}

let emu: TestEmulator;
let sb: Sandbox;
let member: { clientId: string };
let editToken: string;
let readToken: string;
let memberToken: string;

const control = async (path: string, body: unknown) => {
  const r = await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await r.json()) as Record<string, any>;
};
const orcidId = () => emu.info.orcid.orcid as string;
const planId = () => plansOf(emu.server.state).all().find((p) => p.ownerId === '4711')?.id as number;
const onPlan = (doi: string) => (plansOf(emu.server.state).get(planId())?.related ?? []).filter((r) => r.identifier.toLowerCase() === `https://doi.org/${doi}`.toLowerCase());
const worksWith = (doi: string) => [...orcidWorks(emu.server.state).works.values()].filter((w) => w.extIds.some((e) => e.value.toLowerCase() === doi.toLowerCase()));
const itemsWith = (doi: string) => [...zoteroLibrary(emu.server.state).items.values()].filter((i) => (i as { data: { DOI?: string } }).data.DOI === doi);
const log = () => emu.server.state.log;
/** Requests that change something (not GET/HEAD) from `from` on, as `service METHOD path`. */
const writesSince = (from: number) =>
  log()
    .slice(from)
    .filter((e) => e.method !== 'GET' && e.method !== 'HEAD')
    .map((e) => `${e.service} ${e.method} ${e.path}`);

/** Every link's login: DMPTool with edit_dmps, an ORCID member login, Zotero. */
const allLinks = () => ({ RDP_DMPTOOL_TOKEN: editToken, RDP_ORCID_TOKEN: memberToken, RDP_ORCID_ID: orcidId(), RDP_ZOTERO_KEY: emu.tokens.zotero, RDP_ZOTERO_USER_ID: String(SEED.zotero.userID) });
const META = ['--title', 'Soil samples', '--description', 'Soil data', '--creator', 'Doe, Jane'];

function folder(name: string, files: Record<string, string>): string {
  const dir = join(sb.dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(join(dir, rel), content);
  return dir;
}

/** A Zenodo draft made by rdp (its id). */
async function draft(name: string): Promise<number> {
  folder(name, { 'a.txt': `${name}\n` });
  const r = await sb.run(['upload', name, '--to', 'zenodo', '--json', ...META]);
  expect(r.code, r.stderr).toBe(0);
  return parseJson<UploadDoc>(r.stdout).id;
}

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  sb = new Sandbox({ ...emu.env, RDP_ZENODO_TOKEN: emu.tokens.zenodo, RDP_NOMAD_TOKEN: emu.tokens.nomad, RDP_RETRY_BASE_MS: '5', XDG_STATE_HOME: undefined });
  editToken = (await control('/tokens', { service: 'dmptool', scopes: ['public', 'read_dmps', 'edit_dmps'], kind: 'oauth' })).token as string;
  readToken = (await control('/tokens', { service: 'dmptool', scopes: ['public', 'read_dmps'], kind: 'oauth' })).token as string;
  member = (await control('/orcid/member-clients', { redirectUris: ['https://example.org/cb'] })) as { clientId: string };
  memberToken = (await control(`/orcid/member-clients/${member.clientId}/tokens`, {})).token as string;
  sb.secret(...Object.values(emu.tokens), editToken, readToken, memberToken);
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});
afterEach(() => emu.server.faults.clear());

describe('rdp upload --to zenodo --publish with the links', () => {
  test('--write-doi --dmp --orcid-work --zotero: the CITATION.cff cites the record (comments kept), the plan, ORCID and Zotero have the DOI', async () => {
    const original = [
      '# CITATION.cff of the soil data',
      'cff-version: 1.2.0',
      'message: "Cite it as below."   # keep this comment',
      'title: Soil samples',
      'doi: 10.1234/old-doi # set by rdp',
      'authors:',
      '  # the people',
      '  - family-names: Doe',
      '    given-names: Jane',
      'keywords: [soil, carbon]   # flow style stays',
      '',
    ].join('\n');
    const dir = folder('cited', { 'CITATION.cff': original, 'data.csv': 'a,b\n1,2\n' });
    const r = await sb.run(['upload', 'cited', '--to', 'zenodo', '--publish', '--write-doi', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json', '--description', 'Soil data'], { env: allLinks() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(r.stdout);
    expect(doc.published).toBe(true);
    expect(doc.steps?.map((s) => [s.id, s.status])).toEqual([
      ['zenodo.dmp', 'already'],
      ['publish', 'already'],
      ['dmp.link', 'done'],
      ['orcid.work', 'done'],
      ['zotero.item', 'done'],
    ]);
    // Without --json: the upload says it published; the publish step does not say "already" after it.
    folder('told', { 'data.csv': 'a,b\n1,2\n' });
    const human = await sb.run(['upload', 'told', '--to', 'zenodo', '--publish', '--zotero', '--title', 'Told once', '--description', 'Soil data', '--creator', 'Doe, Jane'], { env: allLinks() });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/Published 10\.5281\/zenodo\.\d+/);
    expect(human.stderr).toMatch(/zotero\.item: done/);
    expect(human.stderr).not.toMatch(/publish: already/);
    // byte for byte the same file, except the DOI lines
    const expected = original.replace(
      'doi: 10.1234/old-doi # set by rdp\n',
      `doi: ${doc.conceptDoi} # set by rdp\nidentifiers:\n  - type: doi\n    value: ${doc.doi}\n    description: The DOI of this version of the record\n`,
    );
    const written = readFileSync(join(dir, 'CITATION.cff'), 'utf8');
    expect(written).toBe(expected);
    expect(r.stderr).toMatch(/named the DOI 10\.1234\/old-doi/);
    // the file in the published record is the one that cites it
    const stored = zenodoStore(emu.server.state).depositions.get(doc.id)?.files.get('CITATION.cff');
    expect(readFileSync(stored?.path as string, 'utf8')).toBe(expected);
    // the links, once each
    expect(onPlan(doc.doi)).toHaveLength(1);
    expect(onPlan(doc.doi)[0]).toMatchObject({ workType: 'dataset' });
    const works = worksWith(doc.doi);
    expect(works).toHaveLength(1);
    expect(works[0]?.body).toMatchObject({ type: 'data-set', title: { title: { value: 'Soil samples' } } });
    expect(itemsWith(doc.doi)).toHaveLength(1);
    // and the deposit's side of --dmp: the plan's DOI on the record
    const related = zenodoStore(emu.server.state).depositions.get(doc.id)?.metadata.related_identifiers as { identifier: string; relation: string }[];
    expect(related).toContainEqual(expect.objectContaining({ relation: 'isDocumentedBy' }));
  });

  test('--write-doi in a folder without CITATION.cff: a warning, no new file; the upload goes on', async () => {
    const dir = folder('uncited', { 'x.txt': 'x' });
    const r = await sb.run(['upload', 'uncited', '--to', 'zenodo', '--write-doi', '--json', ...META]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/uncited has no CITATION\.cff; rdp creates none/);
    expect(existsSync(join(dir, 'CITATION.cff'))).toBe(false);
    expect(parseJson<UploadDoc>(r.stdout).citation).toEqual([expect.objectContaining({ outcome: 'no-file' })]);
  });

  test('the permission cases: no edit_dmps and a public ORCID client are warned about with what they need; exit 0; Zotero done', async () => {
    folder('perm', { 'p.txt': 'p' });
    const env = { ...allLinks(), RDP_DMPTOOL_TOKEN: readToken, RDP_ORCID_TOKEN: emu.tokens.orcid };
    const r = await sb.run(['upload', 'perm', '--to', 'zenodo', '--publish', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json', ...META], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(r.stdout);
    const by = Object.fromEntries((doc.steps ?? []).map((s) => [s.id, s]));
    expect(by['dmp.link']).toMatchObject({ status: 'skipped', code: 'NEEDS_EDIT_DMPS' });
    expect(by['orcid.work']).toMatchObject({ status: 'skipped', code: 'NEEDS_ORCID_MEMBER' });
    expect(by['zotero.item']?.status).toBe('done');
    expect(r.stderr).toMatch(/administrator/);
    expect(r.stderr).toMatch(/rdp login dmptool --scope edit_dmps/);
    expect(r.stderr).toMatch(/DataCite/);
    expect(onPlan(doc.doi)).toHaveLength(0);
    expect(worksWith(doc.doi)).toHaveLength(0);

    // once the permissions exist, the same command does only those two steps (the record is not published again)
    const from = log().length;
    const again = await sb.run(['upload', 'perm', '--to', 'zenodo', '--publish', '--dmp', String(planId()), '--orcid-work', '--zotero', '--json', ...META], { env: allLinks() });
    expect(again.code, again.stderr).toBe(0);
    const steps = parseJson<UploadDoc>(again.stdout).steps ?? [];
    expect(steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['zenodo.dmp', 'already', 'journal'],
      ['publish', 'already', 'journal'],
      ['dmp.link', 'done', 'run'],
      ['orcid.work', 'done', 'run'],
      ['zotero.item', 'already', 'journal'],
    ]);
    expect(writesSince(from).filter((w) => w.startsWith('zenodo') || w.startsWith('zotero'))).toEqual([]);
    expect(onPlan(doc.doi)).toHaveLength(1);
    expect(worksWith(doc.doi)).toHaveLength(1);
    // and when everything is done, the same command refuses as before (a second record would follow)
    const done = await sb.run(['upload', 'perm', '--to', 'zenodo', '--publish', '--dmp', String(planId()), '--orcid-work', '--zotero', ...META], { env: allLinks() });
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/published already/);
  });

  test('rdp login dmptool --client-credentials --scope edit_dmps: refused for a self-registered client, granted by an administrator; then the plan gets the DOI', async () => {
    const own = (await control('/dmptool/api-clients', {})) as { clientId: string; clientSecret: string };
    const admin = (await control('/dmptool/api-clients', { scopes: ['public', 'read_dmps', 'edit_dmps'] })) as { clientId: string; clientSecret: string };
    sb.secret(own.clientSecret, admin.clientSecret);
    const home = { XDG_CONFIG_HOME: join(sb.dir, 'cc-logins'), DBUS_SESSION_BUS_ADDRESS: undefined };
    const login = (c: { clientId: string; clientSecret: string }) =>
      sb.run(['login', 'dmptool', '--client-credentials', '--scope', 'edit_dmps', '--insecure-storage'], { env: { ...home, RDP_DMPTOOL_CLIENT_ID: c.clientId, RDP_DMPTOOL_CLIENT_SECRET: c.clientSecret } });
    const refused = await login(own);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/administrator enabled edit_dmps/);
    const granted = await login(admin);
    expect(granted.code, granted.stderr).toBe(0);
    folder('cc', { 'c.txt': 'c' });
    const r = await sb.run(['upload', 'cc', '--to', 'zenodo', '--publish', '--dmp', String(planId()), '--json', ...META], { env: { ...home, RDP_DMPTOOL_CLIENT_ID: admin.clientId, RDP_DMPTOOL_CLIENT_SECRET: admin.clientSecret } });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc>(r.stdout);
    expect(doc.steps?.find((s) => s.id === 'dmp.link')?.status).toBe('done');
    expect(onPlan(doc.doi)).toHaveLength(1);
  });

  test('ORCID fails (500) after the upload published: exit 1; the same upload command then sends only ORCID\'s request', async () => {
    folder('upfail', { 'u.txt': 'u' });
    const cmd = ['upload', 'upfail', '--to', 'zenodo', '--publish', '--orcid-work', '--zotero', '--json', ...META];
    const env = { ...allLinks(), RDP_HTTP_RETRIES: '1' };
    await control('/faults', { service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status', status: 500, times: 1 });
    const first = await sb.run(cmd, { env });
    expect(first.code).toBe(1);
    const err = parseJson<{ error: { message: string; details: PublishDoc } }>(first.stderr).error;
    expect(err.message).toMatch(/^Step orcid\.work failed/);
    const doi = err.details.doi as string;
    const from = log().length;
    const again = await sb.run(cmd, { env });
    expect(again.code, again.stderr).toBe(0);
    expect(writesSince(from)).toEqual([`orcid POST /v3.0/${orcidId()}/work`]);
    expect(parseJson<UploadDoc>(again.stdout).steps?.find((s) => s.id === 'orcid.work')).toMatchObject({ status: 'done', from: 'run' });
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);
  });

  test('no ORCID login at all: --orcid-work is skipped with the way to one and DataCite\'s auto-update; exit 0', async () => {
    folder('nolog', { 'n.txt': 'n' });
    const r = await sb.run(['upload', 'nolog', '--to', 'zenodo', '--publish', '--orcid-work', '--json', ...META], { env: { XDG_CONFIG_HOME: join(sb.dir, 'no-logins'), DBUS_SESSION_BUS_ADDRESS: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson<UploadDoc>(r.stdout).steps?.find((s) => s.id === 'orcid.work')).toMatchObject({ status: 'skipped', code: 'NEEDS_LOGIN' });
    expect(r.stderr).toMatch(/rdp login orcid/);
    expect(r.stderr).toMatch(/DataCite/);
  });
});

describe('rdp publish <deposition-id>', () => {
  test('a draft: published, then the links; a re-run: everything `already`, nothing sent again, no duplicate', async () => {
    const id = await draft('pubdraft');
    const r = await sb.run(['publish', String(id), '--dmp', String(planId()), '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc).toMatchObject({ provider: 'zenodo', id, published: true });
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['zenodo.dmp', 'done'],
      ['publish', 'done'],
      ['dmp.link', 'done'],
      ['orcid.work', 'done'],
      ['zotero.item', 'done'],
    ]);
    const doi = doc.doi as string;
    expect(zenodoStore(emu.server.state).depositions.get(id)?.submitted).toBe(true);

    const from = log().length;
    const again = await sb.run(['publish', String(id), '--dmp', String(planId()), '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout).steps.map((s) => [s.status, s.from])).toEqual(Array(5).fill(['already', 'journal']));
    expect(writesSince(from)).toEqual([]);
    expect(onPlan(doi)).toHaveLength(1);
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);

    // human output: the record and the steps on stdout
    const human = await sb.run(['publish', String(id), '--zotero'], { env: allLinks() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`doi +${doi.replace(/[.]/g, '\\.')}`));
    expect(human.stdout).toMatch(/zotero\.item +already/);
  });

  test('a re-run after ORCID failed in the middle (500 once): exit 1 naming the step; the second run sends only ORCID\'s request', async () => {
    const id = await draft('midfail');
    const env = { ...allLinks(), RDP_HTTP_RETRIES: '1' };
    await control('/faults', { service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'status', status: 500, times: 1 });
    const first = await sb.run(['publish', String(id), '--dmp', '10.48321/D1ABCD', '--orcid-work', '--zotero', '--json'], { env });
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    const err = parseJson<{ error: { code: string; message: string; hint: string; details: PublishDoc } }>(first.stderr).error;
    expect(err.message).toMatch(/^Step orcid\.work failed/);
    expect(err.hint).toMatch(/same command again/);
    expect(err.details.steps.map((s) => [s.id, s.status])).toEqual([
      ['zenodo.dmp', 'done'],
      ['publish', 'done'],
      ['dmp.link', 'done'],
      ['orcid.work', 'failed'],
      ['zotero.item', 'done'],
    ]);
    const doi = err.details.doi as string;
    expect(worksWith(doi)).toHaveLength(0);

    const from = log().length;
    const second = await sb.run(['publish', String(id), '--dmp', '10.48321/D1ABCD', '--orcid-work', '--zotero', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(parseJson<PublishDoc>(second.stdout).steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['zenodo.dmp', 'already', 'journal'],
      ['publish', 'already', 'journal'],
      ['dmp.link', 'already', 'journal'],
      ['orcid.work', 'done', 'run'],
      ['zotero.item', 'already', 'journal'],
    ]);
    expect(writesSince(from)).toEqual([`orcid POST /v3.0/${orcidId()}/work`]);
    expect(new Set(log().slice(from).map((e) => e.service))).toEqual(new Set(['zenodo', 'orcid'])); // Zenodo: one read of the record
    expect(worksWith(doi)).toHaveLength(1);
    expect(onPlan(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);
  });

  test('Ctrl-C while ORCID is answering: exit 130, what completed is kept; the same command does only the rest', async () => {
    const id = await draft('ctrlc');
    await control('/faults', { service: 'orcid', method: 'POST', path: '/v3.0/*/work', action: 'latency', latencyMs: 20_000, times: 1 });
    const run = sb.start(['publish', String(id), '--dmp', '10.48321/D1ABCD', '--orcid-work', '--zotero'], { env: allLinks() });
    await run.waitFor(/dmp\.link: done/);
    // The ORCID step is under way (its look at the works, or the POST the emulator holds): interrupt.
    run.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/same command again/);
    emu.server.faults.clear();
    const from = log().length;
    const again = await sb.run(['publish', String(id), '--dmp', '10.48321/D1ABCD', '--orcid-work', '--zotero', '--json'], { env: allLinks() });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout).steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['zenodo.dmp', 'already', 'journal'],
      ['publish', 'already', 'journal'],
      ['dmp.link', 'already', 'journal'],
      ['orcid.work', expect.stringMatching(/^(done|already)$/), 'run'], // the interrupted POST may have reached ORCID
      ['zotero.item', 'done', 'run'],
    ]);
    expect(writesSince(from).filter((w) => !w.startsWith('orcid') && !w.startsWith('zotero'))).toEqual([]);
    const doi = parseJson<PublishDoc>(again.stdout).doi as string;
    expect(worksWith(doi)).toHaveLength(1);
    expect(itemsWith(doi)).toHaveLength(1);
    expect(onPlan(doi)).toHaveLength(1);
  });

  test('--write-doi on a draft: ./CITATION.cff and the draft\'s copy get the reserved DOIs before publishing', async () => {
    const cff = '# ours\ncff-version: 1.2.0\ntitle: Soil samples\nauthors:\n  - name: Soil Lab # an entity\n';
    const dir = folder('wd', { 'CITATION.cff': cff, 'w.txt': 'w' });
    const up = parseJson<UploadDoc>((await sb.run(['upload', 'wd', '--to', 'zenodo', '--json', ...META])).stdout);
    const r = await sb.run(['publish', String(up.id), '--write-doi', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['citation.doi', 'done'],
      ['publish', 'done'],
    ]);
    const concept = `10.5281/zenodo.${zenodoStore(emu.server.state).depositions.get(up.id)?.conceptrecid}`;
    const written = readFileSync(join(dir, 'CITATION.cff'), 'utf8');
    expect(written).toBe(`# ours\ncff-version: 1.2.0\ntitle: Soil samples\ndoi: ${concept}\nidentifiers:\n  - type: doi\n    value: ${doc.doi}\n    description: The DOI of this version of the record\nauthors:\n  - name: Soil Lab # an entity\n`);
    const stored = zenodoStore(emu.server.state).depositions.get(up.id)?.files.get('CITATION.cff');
    expect(readFileSync(stored?.path as string, 'utf8')).toBe(written);
  });

  test('a draft Zenodo will not publish: its refusal names the deposition fields behind InvenioRDM\'s (resource_type is upload_type)', async () => {
    const h = { authorization: `Bearer ${emu.tokens.zenodo}`, 'content-type': 'application/json' };
    const made = await fetch(`${emu.info.zenodo.url}/api/deposit/depositions`, { method: 'POST', headers: h, body: JSON.stringify({ metadata: { title: 'No type yet', creators: [{ name: 'Doe, Jane' }] } }) });
    const dep = (await made.json()) as { id: number; links: { bucket: string } };
    await fetch(`${dep.links.bucket}/a.txt`, { method: 'PUT', headers: { authorization: h.authorization }, body: 'a' });
    const r = await sb.run(['publish', String(dep.id)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/metadata\.resource_type \(upload_type[^)]*\): Missing data for required field/);
    expect(zenodoStore(emu.server.state).depositions.get(dep.id)?.submitted).toBe(false);
  });

  test('bad input: a NOMAD option with Zenodo, a link with NOMAD, an unknown deposition', async () => {
    const a = await sb.run(['publish', '1', '--dataset', 'x']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--dataset works only with --on nomad/);
    const b = await sb.run(['publish', 'abc', '--on', 'nomad', '--orcid-work']);
    expect(b.code).toBe(2);
    const c = await sb.run(['publish', 'not-an-id']);
    expect(c.code).toBe(2);
    const d = await sb.run(['publish', '999999']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/no deposition 999999/);
  });
});

describe('NOMAD: rdp publish --on nomad --dataset NAME --doi', () => {
  const dsNamed = (name: string) => [...nomadDatasets(emu.server.state).datasets.values()].filter((d) => d.dataset_name === name);
  async function nomadUpload(): Promise<string> {
    // a separate upload for each test (the same command would go on with the upload it made before)
    const r = await sb.run(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--new-upload']);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  test('--doi without --yes and without a terminal: exit 2, nothing published, no dataset, nothing minted', async () => {
    const id = await nomadUpload();
    const from = log().length;
    const r = await sb.run(['publish', '--on', 'nomad', '--dataset', 'No yes', '--doi', '--', id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(writesSince(from)).toEqual([]);
    expect(dsNamed('No yes')).toHaveLength(0);
    // the same for the upload: checked before anything is sent
    const from2 = log().length;
    const u = await sb.run(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--publish', '--dataset', 'No yes', '--doi']);
    expect(u.code).toBe(2);
    expect(writesSince(from2)).toEqual([]);
  });

  test('--yes: published, the dataset made with the entries, its DOI minted; a re-run is `already`, no second DOI', async () => {
    const id = await nomadUpload();
    const r = await sb.run(['publish', '--on', 'nomad', '--dataset', 'Si phonons', '--doi', '--yes', '--json', '--', id]);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'done'],
      ['nomad.dataset', 'done'],
      ['nomad.doi', 'done'],
    ]);
    const [ds] = dsNamed('Si phonons');
    expect(ds?.doi).toBe(doc.doi);
    expect(ds?.members.size).toBeGreaterThan(0);
    const from = log().length;
    const again = await sb.run(['publish', '--on', 'nomad', '--dataset', 'Si phonons', '--doi', '--yes', '--json', '--', id]);
    expect(again.code).toBe(0);
    expect(parseJson<PublishDoc>(again.stdout)).toMatchObject({ doi: doc.doi });
    expect(writesSince(from)).toEqual([]);
    expect(dsNamed('Si phonons')).toHaveLength(1);
  });

  test('a re-run in a script once the DOI exists needs no --yes: no question, exit 0, every step already, nothing changed', async () => {
    const id = await nomadUpload();
    const first = await sb.run(['publish', id, '--on', 'nomad', '--dataset', 'Re-run', '--doi', '--yes', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const doi = parseJson<PublishDoc>(first.stdout).doi;
    expect(doi).toMatch(/^10\.17172\/NOMAD\//);
    const writes = (from: number) => writesSince(from).filter((w) => !w.endsWith(' /entries/query')); // the search API only reads
    // the same machine: the journal has the DOI step
    let from = log().length;
    const again = await sb.run(['publish', id, '--on', 'nomad', '--dataset', 'Re-run', '--doi', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/--yes|cannot ask/);
    const doc = parseJson<PublishDoc>(again.stdout);
    expect(doc.doi).toBe(doi);
    expect(doc.steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['publish', 'already', 'journal'],
      ['nomad.dataset', 'already', 'journal'],
      ['nomad.doi', 'already', 'journal'],
    ]);
    expect(writes(from)).toEqual([]);
    // another machine (a CI runner: no journal): NOMAD shows the dataset with its DOI holding the upload
    from = log().length;
    const fresh = await sb.run(['publish', id, '--on', 'nomad', '--dataset', 'Re-run', '--doi', '--json'], { env: { XDG_STATE_HOME: join(sb.dir, 'other-runner') } });
    expect(fresh.code, fresh.stderr).toBe(0);
    const freshDoc = parseJson<PublishDoc>(fresh.stdout);
    expect(freshDoc.doi).toBe(doi);
    expect(freshDoc.steps.map((s) => [s.id, s.status, s.from])).toEqual([
      ['publish', 'already', 'run'],
      ['nomad.dataset', 'already', 'run'],
      ['nomad.doi', 'already', 'run'],
    ]);
    expect(writes(from)).toEqual([]);
    expect(log().slice(from).some((e) => e.service === 'nomad' && e.path.endsWith('/entries/query'))).toBe(true);
    expect(dsNamed('Re-run')).toHaveLength(1);
    // a second upload into that dataset, without --yes: it has its DOI and does not hold this upload, so
    // the question stands (exit 2, nothing published, nothing changed)
    const other = await nomadUpload();
    from = log().length;
    const refused = await sb.run(['publish', other, '--on', 'nomad', '--dataset', 'Re-run', '--doi', '--json'], { env: { XDG_STATE_HOME: join(sb.dir, 'other-runner') } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(writes(from)).toEqual([]);
  });

  test('an upload id that begins with a dash is given as it is (no `--`): published, dataset, DOI', async () => {
    // NOMAD's ids are 22 base64url characters; one in 64 begins with '-'. The emulator's upload gets
    // such an id (re-keyed in its store) so that this runs every time, not one time in 64.
    const made = await nomadUpload();
    const store = nomadUploads(emu.server.state);
    const u = store.uploads.get(made);
    expect(u).toBeDefined();
    const id = made.startsWith('-') ? made : `-q${made.slice(2)}`; // -q: also rdp's own --quiet
    if (id !== made && u) {
      store.uploads.delete(made);
      u.upload_id = id;
      store.uploads.set(id, u);
    }
    const r = await sb.run(['publish', id, '--on', 'nomad', '--dataset', 'Dash led', '--doi', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<PublishDoc>(r.stdout);
    expect(doc).toMatchObject({ provider: 'nomad', id, published: true });
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'done'],
      ['nomad.dataset', 'done'],
      ['nomad.doi', 'done'],
    ]);
    expect(store.uploads.get(id)?.published).toBe(true);
    expect(dsNamed('Dash led')[0]?.doi).toBe(doc.doi);
    // the upload list shows it; `rdp uploads list` ids can be pasted as they are
    const list = parseJson<unknown>((await sb.run(['uploads', 'list', '--on', 'nomad', '--json'])).stdout);
    expect(JSON.stringify(list)).toContain(id);
  });

  test('on a terminal rdp asks; "y" mints, anything else changes nothing (exit 1)', async () => {
    const id = await nomadUpload();
    const no = sb.start(['publish', '--on', 'nomad', '--dataset', 'Asked', '--doi', '--', id], { pty: true });
    await no.waitFor(/\[y\/N\]/);
    no.write('n\r');
    expect((await no.done).code).toBe(1);
    expect(dsNamed('Asked')).toHaveLength(0);
    const yes = sb.start(['publish', '--on', 'nomad', '--dataset', 'Asked', '--doi', '--', id], { pty: true });
    await yes.waitFor(/\[y\/N\]/);
    yes.write('y\r');
    const done = await yes.done;
    expect(done.code, done.stdout).toBe(0);
    expect(dsNamed('Asked')[0]?.doi).toMatch(/^10\.17172\/NOMAD\//);
  });

  test('rdp upload --to nomad --publish --dataset --doi --yes: the same steps after the upload', async () => {
    const r = await sb.run(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--new-upload', '--publish', '--dataset', 'From upload', '--doi', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseJson<UploadDoc & { steps: Step[] }>(r.stdout);
    expect(doc.steps.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'already'],
      ['nomad.dataset', 'done'],
      ['nomad.doi', 'done'],
    ]);
    expect(dsNamed('From upload')[0]?.doi).toBe(doc.doi);
    const bad = await sb.run(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--dataset', 'X']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs --publish/);
  });
});
