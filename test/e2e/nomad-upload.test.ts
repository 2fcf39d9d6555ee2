// `rdp upload … --to nomad`: the built CLI against the NOMAD emulator. What arrives is checked on the
// emulator's side (the files extracted from the upload, the MD5 of each request body), together with
// what rdp prints and its exit codes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { nomadUploads } from '../../src/emulator/services/nomad/store.js';
import { SEED } from '../../src/emulator/state.js';
import { signJwtHS256 } from '../../src/emulator/tokens.js';
import type { NomadDeposit as NomadUploadResult } from '../../src/providers/nomad/deposit/run.js';
import type { TestEmulator } from '../helpers/emulator.js';
import { useNomadEmulator } from '../helpers/nomad.js';
import { parseJson, type Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

type Result = NomadUploadResult;
interface ErrorDoc {
  error: { code: string; message: string; hint?: string; details?: { errors?: string[] } };
}

const setup = useNomadEmulator({ freshEachTest: true });
beforeAll(() => {
  ({ emu, sb } = setup);
});

const store = () => nomadUploads(emu.server.state);
const nomadLog = () => emu.server.state.log.filter((e) => e.service === 'nomad');

/** Write files (relative path -> content) under a new folder of the sandbox. */
function makeTree(name: string, files: Record<string, string | Buffer>): string {
  const root = join(sb.dir, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** Every file under a folder as relative path -> {size, md5}. */
function localTree(root: string, prefix = ''): Map<string, { size: number; md5: string }> {
  const out = new Map<string, { size: number; md5: string }>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(`${prefix}${relative(root, p)}`, { size: statSync(p).size, md5: md5(readFileSync(p)) });
    }
  };
  walk(root);
  return out;
}

const RUN = {
  'vasprun.xml': '<modeling><generator/></modeling>\n',
  'INCAR': 'ENCUT = 520\nISMEAR = 0\n',
  'relax/OUTCAR': 'outcar text\n',
  'relax/step 1/CONTCAR': 'Si\n1.0\n',
  'relax/step 1/data.bin': Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)),
  'notes/empty.txt': '',
  'meta/run.archive.json': '{"data": {"m_def": "x"}}',
};

describe('what arrives', () => {
  test('a nested folder arrives as one zip whose entries match the local tree byte for byte; processing is waited for and entries counted', async () => {
    const root = makeTree('run1', RUN);
    const r = await sb.run(['upload', 'run1', '--to', 'nomad', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res).toMatchObject({ name: 'run1', processStatus: 'SUCCESS', processRunning: false, entries: 3, published: false, errors: [] });
    expect(res.sent).toMatchObject({ kind: 'zip', fileName: 'run1.zip', files: 7 });
    const u = store().uploads.get(res.uploadId);
    expect(u?.files).toEqual(localTree(root));
    expect(u?.received).toEqual([{ name: 'run1.zip', bytes: res.sent.bytes, md5: expect.any(String), kind: 'zip' }]);
    // one POST with the raw body, then polls
    expect(nomadLog().filter((e) => e.method === 'POST').map((e) => [e.path, e.query])).toEqual([['/uploads', '?file_name=run1.zip&upload_name=run1']]);
    expect(nomadLog().filter((e) => e.method === 'GET' && e.path === `/uploads/${res.uploadId}`).length).toBeGreaterThan(0);
  });

  test('human output: the upload id alone on stdout; progress, processing and entries on stderr (plain lines without a terminal)', async () => {
    makeTree('run2', RUN);
    const r = await sb.run(['upload', 'run2', '--to', 'nomad'], { env: { CI: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]{22}\n$/);
    const id = r.stdout.trim();
    expect(r.stderr).toContain('7 files');
    expect(r.stderr).toContain(`Processing upload ${id} on NOMAD: PENDING`);
    expect(r.stderr).toMatch(/✓ Processing upload \S+ on NOMAD: SUCCESS after/);
    expect(r.stderr).toContain('3 entries found.');
    expect(r.stderr).toContain(`/user/uploads/upload/id/${id}`);
  });

  test.each([
    ['data.zip', 'zip'],
    ['data.tar.gz', 'tar.gz'],
    ['data.tar', 'tar'],
  ])('a single %s is passed through untouched (MD5 of the received body = MD5 of the file)', async (file, kind) => {
    const root = makeTree(`for-${kind}`, RUN);
    const archive = join(sb.dir, file);
    if (kind === 'zip') execFileSync('python3', ['-c', 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])', archive.replace(/\.zip$/, ''), root]);
    else execFileSync('tar', [kind === 'tar' ? '-cf' : '-czf', archive, '-C', root, '.']);
    const r = await sb.run(['upload', file, '--to', 'nomad', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.sent).toEqual({ kind: 'archive', fileName: file, bytes: statSync(archive).size, files: 1 });
    expect(res).toMatchObject({ name: file, entries: 3 });
    const u = store().uploads.get(res.uploadId);
    expect(u?.received).toEqual([{ name: file, bytes: statSync(archive).size, md5: md5(readFileSync(archive)), kind }]);
    expect(u?.files).toEqual(localTree(root));
  });

  test('several inputs: each folder under its own name, each file at the root; the upload is named after their folder', async () => {
    const a = makeTree('inputs/alpha', { 'OUTCAR': 'a', 'sub/x.txt': 'x' });
    makeTree('inputs/beta', { 'OUTCAR': 'b' });
    writeFileSync(join(sb.dir, 'inputs', 'README.md'), '# readme\n');
    const r = await sb.run(['upload', 'inputs/alpha', 'inputs/beta', 'inputs/README.md', '--to', 'nomad', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res).toMatchObject({ name: 'inputs', entries: 2, sent: { kind: 'zip', fileName: 'inputs.zip', files: 4 } });
    expect([...(store().uploads.get(res.uploadId)?.files.keys() ?? [])].sort()).toEqual(['README.md', 'alpha/OUTCAR', 'alpha/sub/x.txt', 'beta/OUTCAR']);
    expect(store().uploads.get(res.uploadId)?.files.get('alpha/sub/x.txt')).toEqual(localTree(a).get('sub/x.txt'));
  });

  test('--name names the upload', async () => {
    makeTree('named', { OUTCAR: 'o' });
    const r = await sb.run(['upload', 'named', '--to', 'nomad', '--name', 'Si phonons, run 3', '--json']);
    expect(parseJson<Result>(r.stdout).name).toBe('Si phonons, run 3');
  });
});

describe('refused before anything is sent (exit 2)', () => {
  test.each([
    [['upload', 'c1/data.csv', 'c2/data.csv', '--to', 'nomad'], 'NAME_COLLISION', /"data\.csv": c1\/data\.csv and c2\/data\.csv/],
    [['upload', 'fake.zip', '--to', 'nomad'], 'NOT_AN_ARCHIVE', /named like a zip archive but its content is not an archive/],
    [['upload', 'nothing-here', '--to', 'nomad'], 'MISSING_PATH', /no such file or folder/],
    [['upload', 'c1', '--to', 'nomad', '--embargo', '37'], 'USAGE', /--embargo must be a whole number of months from 0 to 36/],
    [['upload', 'c1', '--to', 'nomad', '--upload', 'abc', '--name', 'x'], 'USAGE', /--name names a new upload/],
    [['upload', 'c1', '--to', 'nomad', '--no-wait', '--timeout', '1m'], 'USAGE', /--timeout/],
    [['upload', 'c1', '--to', 'nomad', '--timeout', 'soon'], 'USAGE', /--timeout must be a duration/],
    [['upload', 'c1', '--to', 'zenodo', '--embargo', '3'], 'USAGE', /^--embargo works only with --to nomad, not with --to zenodo\.$/],
    [['upload', 'c1'], 'USAGE', /--to/],
  ])('%j -> %s', async (args, code, message) => {
    makeTree('c1', { 'data.csv': '1' });
    makeTree('c2', { 'data.csv': '2' });
    writeFileSync(join(sb.dir, 'fake.zip'), 'this is text');
    const r = await sb.run([...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(nomadLog()).toEqual([]);
  });

  test('more than 32 GiB (a sparse file) is refused up front', async () => {
    const root = makeTree('huge', { 'small.txt': 's' });
    const big = join(root, 'sparse.bin');
    writeFileSync(big, '');
    truncateSync(big, 32 * 1024 ** 3 + 1);
    const r = await sb.run(['upload', 'huge', '--to', 'nomad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NOMAD takes at most 32 GiB/);
    expect(nomadLog()).toEqual([]);
  });
});

describe('processing outcomes and publishing', () => {
  function brokenZip(): string {
    const root = makeTree('for-broken', RUN);
    const zip = join(sb.dir, 'broken');
    execFileSync('python3', ['-c', 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])', zip, root]);
    const bytes = readFileSync(`${zip}.zip`);
    writeFileSync(`${zip}.zip`, bytes.subarray(0, bytes.length - 300)); // the central directory is gone
    return 'broken.zip';
  }

  test('a failing archive exits 1 with the server\'s errors', async () => {
    const file = brokenZip();
    const human = await sb.run(['upload', file, '--to', 'nomad']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/✗ Could not extract broken\.zip: /);
    expect(human.stderr).toMatch(/Error: NOMAD could not process upload \S+: Could not extract broken\.zip/);
    const json = await sb.run(['upload', file, '--to', 'nomad', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    const e = parseJson<ErrorDoc>(json.stderr).error;
    expect(e.code).toBe('NOMAD_PROCESSING_FAILED');
    expect(e.details?.errors?.[0]).toMatch(/^Could not extract broken\.zip: /);
  });

  test('--publish publishes after processing (with --embargo) and waits for the publish process', async () => {
    makeTree('pub', RUN);
    const r = await sb.run(['upload', 'pub', '--to', 'nomad', '--publish', '--embargo', '6', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res).toMatchObject({ published: true, embargoLength: 6, processStatus: 'SUCCESS', entries: 3 });
    const u = store().uploads.get(res.uploadId);
    expect(u).toMatchObject({ published: true, embargo_length: 6, with_embargo: true, current_process: 'publish_upload' });
    const posts = nomadLog().filter((e) => e.method === 'POST').map((e) => `${e.path}${e.query}`);
    expect(posts).toEqual(['/uploads?file_name=pub.zip&upload_name=pub&embargo_length=6', `/uploads/${res.uploadId}/action/publish?embargo_length=6`]);
  });

  test('--publish whose answer is lost (NOMAD started publishing, a proxy answered 502): the upload says so, the publish is waited for, one run', async () => {
    makeTree('lostpub', RUN);
    const from = emu.server.state.log.length;
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads/*/action/publish', action: 'status-after', status: 502 });
    const r = await sb.run(['upload', 'lostpub', '--to', 'nomad', '--publish', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res).toMatchObject({ published: true, processStatus: 'SUCCESS' });
    expect(store().uploads.get(res.uploadId)).toMatchObject({ published: true });
    const publishes = emu.server.state.log.slice(from).filter((e) => e.service === 'nomad' && e.path.endsWith('/action/publish'));
    expect(publishes.map((e) => e.status)).toEqual([502]);
  });

  test('--publish of an upload without entries: the server\'s refusal, explained (exit 1)', async () => {
    makeTree('noentries', { 'readme.txt': 'nothing NOMAD parses' });
    const r = await sb.run(['upload', 'noentries', '--to', 'nomad', '--publish', '--json']);
    expect(r.code).toBe(1);
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('NOMAD_NO_ENTRIES');
    expect(e.hint).toMatch(/stays unpublished/);
  });

  test('warnings from processing are printed', async () => {
    makeTree('warn', { 'bad.archive.json': '{not json' });
    const r = await sb.run(['upload', 'warn', '--to', 'nomad']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/! Entry bad\.archive\.json failed to process/);
  });

  test('--no-wait returns the id at once, while NOMAD is still processing', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 4000 });
    makeTree('nowait', RUN);
    const r = await sb.run(['upload', 'nowait', '--to', 'nomad', '--no-wait', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res.processRunning).toBe(true);
    expect(store().uploads.get(res.uploadId)?.process_running).toBe(true);
    expect(nomadLog().filter((e) => e.method === 'GET')).toEqual([]);
  });

  test('--publish --no-wait asks NOMAD to publish directly after processing', async () => {
    makeTree('direct', RUN);
    const r = await sb.run(['upload', 'direct', '--to', 'nomad', '--no-wait', '--publish']);
    expect(r.code).toBe(0);
    expect(nomadLog().find((e) => e.method === 'POST')?.query).toContain('publish_directly=true');
    const id = r.stdout.trim();
    for (let i = 0; i < 100 && !store().uploads.get(id)?.published; i++) await new Promise((res) => setTimeout(res, 50));
    expect(store().uploads.get(id)?.published).toBe(true);
  });

  test('--timeout bounds the wait; the error says the upload goes on and how to check it', async () => {
    emu.server.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 10_000 });
    makeTree('slow', RUN);
    const r = await sb.run(['upload', 'slow', '--to', 'nomad', '--timeout', '1s', '--json']);
    expect(r.code).toBe(1);
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('NOMAD_TIMEOUT');
    expect(e.message).toMatch(/still processing upload \S+ \((PENDING|RUNNING)/);
    expect(e.hint).toMatch(/goes on on NOMAD's side.*rdp uploads list --on nomad/);
  });
});

describe('adding to an existing upload (--upload ID)', () => {
  test('PUT /uploads/{id}/raw/ adds the files (zipped, extracted into the upload) and reprocesses', async () => {
    makeTree('base', { OUTCAR: 'o' });
    const first = parseJson<Result>((await sb.run(['upload', 'base', '--to', 'nomad', '--json'])).stdout);
    makeTree('more', { 'calc2/vasprun.xml': '<modeling/>', 'calc2/INCAR': 'x' });
    const r = await sb.run(['upload', 'more', '--to', 'nomad', '--upload', first.uploadId, '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(res).toMatchObject({ uploadId: first.uploadId, entries: 2, processStatus: 'SUCCESS' });
    expect([...(store().uploads.get(first.uploadId)?.files.keys() ?? [])].sort()).toEqual(['OUTCAR', 'calc2/INCAR', 'calc2/vasprun.xml']);
    expect(nomadLog().filter((e) => e.method === 'PUT').map((e) => `${e.path}${e.query}`)).toEqual([`/uploads/${first.uploadId}/raw/?file_name=more.zip`]);
  });

  test('an unknown id, someone else\'s upload and a published upload: exit 1 with what to do (not an auth error)', async () => {
    makeTree('extra', { OUTCAR: 'o' });
    const unknown = parseJson<ErrorDoc>((await sb.run(['upload', 'extra', '--to', 'nomad', '--upload', 'NoSuchUpload0000000000', '--json'])).stderr).error;
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: 'NOMAD has no upload NoSuchUpload0000000000.' });
    const other = store().create('another-user', { embargoLength: 0, publishDirectly: false });
    const r = await sb.run(['upload', 'extra', '--to', 'nomad', '--upload', other.upload_id, '--json']);
    expect(r.code).toBe(1);
    expect(parseJson<ErrorDoc>(r.stderr).error).toMatchObject({ code: 'NOMAD_NO_ACCESS', message: expect.stringMatching(/You do not have write access/) });
    const mine = store().create(SEED.nomad.user_id, { embargoLength: 0, publishDirectly: false });
    Object.assign(mine, { published: true, publish_time: '2024-01-01T00:00:00.000000' });
    const p = await sb.run(['upload', 'extra', '--to', 'nomad', '--upload', mine.upload_id, '--json']);
    expect(p.code).toBe(1);
    expect(parseJson<ErrorDoc>(p.stderr).error).toMatchObject({ code: 'NOMAD_PUBLISHED', hint: expect.stringMatching(/leave out --upload/) });
  });
});

describe('limits, tokens, faults', () => {
  test('the 10-unpublished-uploads limit is reported clearly, with what to do', async () => {
    for (let i = 0; i < 10; i++) store().create(SEED.nomad.user_id, { name: `draft ${i}`, embargoLength: 0, publishDirectly: false });
    makeTree('eleventh', RUN);
    const r = await sb.run(['upload', 'eleventh', '--to', 'nomad', '--json']);
    expect(r.code).toBe(1);
    const e = parseJson<ErrorDoc>(r.stderr).error;
    expect(e.code).toBe('NOMAD_UPLOAD_LIMIT');
    expect(e.message).toMatch(/unpublished uploads/);
    expect(e.hint).toContain('rdp uploads list --on nomad --status draft');
  });

  test('an expired token is an exit-4 error naming `rdp login nomad`, before any byte is sent', async () => {
    const expired = signJwtHS256({ user: SEED.nomad.user_id, exp: Math.floor(Date.now() / 1000) - 60 }, emu.server.state.jwtSecret);
    sb.secret(expired);
    makeTree('late', RUN);
    const r = await sb.run(['upload', 'late', '--to', 'nomad'], { env: { RDP_NOMAD_TOKEN: expired } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/The NOMAD token in RDP_NOMAD_TOKEN expired on .* Nothing was sent\./);
    expect(r.stderr).toContain('rdp login nomad');
    expect(nomadLog()).toEqual([]);
  });

  test('a token the server rejects is exit 4 too', async () => {
    const forged = signJwtHS256({ user: SEED.nomad.user_id, exp: Math.floor(Date.now() / 1000) + 3600 }, 'not-the-server-secret');
    sb.secret(forged);
    makeTree('forged', { OUTCAR: 'o' });
    const r = await sb.run(['upload', 'forged', '--to', 'nomad', '--json'], { env: { RDP_NOMAD_TOKEN: forged } });
    expect(r.code).toBe(4);
    expect(parseJson<ErrorDoc>(r.stderr).error.hint).toMatch(/RDP_NOMAD_TOKEN.*rdp login nomad/);
  });

  test('a connection cut mid-upload is survived: the zip is built and sent again from the start', async () => {
    // larger than what socket buffers absorb, so the cut comes while the body is still going out
    const root = makeTree('cut', { ...RUN, 'big/part.bin': Buffer.alloc(24 * 1024 * 1024, 5) });
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', action: 'cut', afterBytes: 256 * 1024 });
    const r = await sb.run(['upload', 'cut', '--to', 'nomad', '--json']);
    expect(r.code).toBe(0);
    const res = parseJson<Result>(r.stdout);
    expect(store().uploads.get(res.uploadId)?.files).toEqual(localTree(root));
    expect(store().uploads.size).toBe(1);
    const posts = nomadLog().filter((e) => e.method === 'POST');
    expect(posts.map((e) => e.fault)).toEqual(['cut after 262144 bytes', undefined]);
    expect(posts[1]?.bytesIn).toBe(res.sent.bytes);
  });

  test('503 bursts (NOMAD\'s rate limit) on the upload and on the polls are retried with backoff', async () => {
    emu.server.faults.add({ service: 'nomad', method: 'POST', path: '/uploads', action: 'status', status: 503, retryAfter: 0, times: 2 });
    emu.server.faults.add({ service: 'nomad', method: 'GET', path: '/uploads/*', action: 'status', status: 503, times: 2 });
    makeTree('busy', RUN);
    const r = await sb.run(['upload', 'busy', '--to', 'nomad', '--json']);
    expect(r.code).toBe(0);
    expect(parseJson<Result>(r.stdout)).toMatchObject({ processStatus: 'SUCCESS', entries: 3 });
    expect(nomadLog().filter((e) => e.status === 503)).toHaveLength(4);
    expect(store().uploads.size).toBe(1);
  });
});
