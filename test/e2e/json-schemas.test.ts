// The JSON Schemas shipped in schemas/ (one per command's --json output, and the error document) hold
// for what the built CLI prints: every command runs with --json against the emulator and its stdout
// (or, on failure, stderr) is validated with ajv. Each check also proves that the schema constrains the
// fields scripts read: dropping any one of them from the real output makes validation fail.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireFeature, secretServiceAvailable } from '../helpers/features.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { parseJson, ROOT, Sandbox } from '../helpers/sandbox.js';

const SCHEMAS = join(ROOT, 'schemas');
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map<string, ValidateFunction>();
const used = new Set<string>();

function validator(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8')) as object);
    validators.set(name, v);
  }
  return v;
}

/**
 * `doc` is valid against schemas/<name>.schema.json, and removing any of `requiredKeys` from it (from
 * the first element, for an array) makes it invalid: the schema does not let those fields go missing.
 */
function expectSchema(name: string, doc: unknown, requiredKeys: string[] = []): void {
  used.add(name);
  const validate = validator(name);
  if (!validate(doc)) throw new Error(`${name}.schema.json rejects the output:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(doc, null, 2).slice(0, 3000)}`);
  const target = Array.isArray(doc) ? doc[0] : doc;
  for (const key of requiredKeys) {
    expect(target && typeof target === 'object' && key in target, `the output has no ${key}`).toBe(true);
    const without = structuredClone(doc) as Record<string, unknown> | Record<string, unknown>[];
    delete (Array.isArray(without) ? (without[0] as Record<string, unknown>) : without)[key];
    expect(validate(without), `${name}.schema.json accepts the output without ${key}`).toBe(false);
  }
}

let emu: TestEmulator;
let sb: Sandbox;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimit: false });
  // No token in the environment: the logins below store them (in a file: this test is about shapes).
  sb = new Sandbox({ ...emu.env, RDP_RETRY_BASE_MS: '5' });
  sb.secret(...Object.values(emu.tokens));
});
afterAll(async () => {
  sb.assertNoLeaks();
  await emu.close();
  sb.cleanup();
});

async function json(args: string[], opts: { stdin?: string; printsSecret?: boolean } = {}): Promise<unknown> {
  const r = await sb.run(args.includes('--json') ? args : [...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`rdp ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return parseJson(r.stdout);
}

async function failure(args: string[], code: number, env?: Record<string, string | undefined>): Promise<unknown> {
  const r = await sb.run([...args, '--json'], env ? { env } : {});
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  return parseJson(r.stderr);
}

describe('every command with --json matches its schema', () => {
  test('rdp emulator --json', async () => {
    const run = sb.start(['emulator', '--json']);
    const [line] = await run.waitFor(/^\{.*\}\n/);
    expectSchema('emulator', JSON.parse(line), ['url', 'port', 'env', 'services']);
    run.kill('SIGINT');
    const done = await run.done;
    expect([0, 130]).toContain(done.code);
  });

  test('rdp login <each service> --with-token', async () => {
    for (const id of ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero'] as const) {
      const doc = await json(['login', id, '--with-token', '--insecure-storage'], { stdin: emu.tokens[id] });
      expectSchema('login', doc, ['provider', 'host', 'account', 'user', 'storage']);
      expect((doc as { storage: string }).storage).toBe('file');
    }
  });

  test('rdp auth status (all, and one service), rdp auth token', async () => {
    expectSchema('auth-status', await json(['auth', 'status']), ['provider', 'loggedIn', 'host']);
    expectSchema('auth-status', await json(['auth', 'status', 'orcid']), ['provider', 'loggedIn', 'source']);
    expectSchema('auth-token', await json(['auth', 'token', 'zenodo'], { printsSecret: true }), ['token', 'source']);
  });

  test('rdp config set|get|unset|list, a plain key and a secret one', async () => {
    expectSchema('config-set', await json(['config', 'set', 'zenodo.port', '8123']), ['key', 'value', 'set']);
    expectSchema('config-set', await json(['config', 'set', 'orcid.client_secret', '--insecure-storage'], { stdin: 'not-a-real-secret' }), ['key', 'storage']);
    expectSchema('config-get', await json(['config', 'get', 'zenodo.port']), ['key', 'set']);
    expectSchema('config-get', await json(['config', 'get', 'orcid.client_secret']), ['key', 'secret']);
    expectSchema('config-get', await json(['config', 'get', 'nomad.url']), ['key', 'set']);
    const list = await json(['config', 'list']);
    expectSchema('config-list', list, ['key', 'set']);
    expect(JSON.stringify(list)).not.toContain('not-a-real-secret');
    expectSchema('config-unset', await json(['config', 'unset', 'zenodo.port']), ['key', 'removed']);
    expectSchema('config-unset', await json(['config', 'unset', 'zenodo.port']), ['removed']);
  });

  test('rdp upload --to zenodo: dry run, draft, published, next version', async () => {
    const data = join(sb.dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'a.csv'), 'x\n1\n');
    writeFileSync(join(data, 'b.txt'), 'b');
    const meta = ['--title', 'Schemas', '--description', 'Checking shapes.', '--creator', 'Doe, Jane'];
    // One Deposit shape for every upload (issue 12): `provider` (Zenodo's `service` before), id, url, doi, …
    expectSchema('upload', await json(['upload', data, '--to', 'zenodo', '--dry-run', ...meta]), ['provider', 'dryRun', 'files', 'skipped']);
    const draft = (await json(['upload', data, '--to', 'zenodo', ...meta])) as { id: number };
    expectSchema('upload', draft, ['provider', 'id', 'doi', 'url', 'published', 'files', 'bytesSent', 'notes']);
    const published = (await json(['upload', data, '--to', 'zenodo', '--deposition', String(draft.id), '--publish', ...meta])) as { published: boolean };
    expect(published.published).toBe(true);
    expectSchema('upload', published, ['id', 'doi', 'conceptDoi', 'published', 'state']);
    writeFileSync(join(data, 'b.txt'), 'b, second version');
    expectSchema('upload', await json(['upload', data, '--to', 'zenodo', '--new-version', String(draft.id), '--publish']), ['deposition', 'id', 'doi']);
  });

  test('rdp upload --to nomad', async () => {
    const doc = (await json(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad'])) as { id: string; uploadId: string; doi: unknown };
    expectSchema('upload', doc, ['provider', 'id', 'uploadId', 'uploadAction', 'url', 'doi', 'published', 'files', 'processStatus', 'entries', 'sent']);
    expect(doc.id).toBe(doc.uploadId);
    expect(doc.doi).toBeNull();
    const dry = await json(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--dry-run']);
    expectSchema('upload', dry, ['provider', 'dryRun', 'files', 'skipped', 'sent', 'publish']);
  });

  test('rdp publish (Zenodo with links, NOMAD with a dataset and DOI); upload --write-doi and --publish with steps', async () => {
    const dir = join(sb.dir, 'pub');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'CITATION.cff'), 'cff-version: 1.2.0\ntitle: Schemas\n');
    const meta = ['--title', 'Schemas', '--description', 'Checking shapes.', '--creator', 'Doe, Jane'];
    const draft = (await json(['upload', dir, '--to', 'zenodo', '--write-doi', ...meta])) as { id: number };
    expect(draft).toHaveProperty('citation');
    expectSchema('upload', draft);
    // the stored ORCID login is a public client's: orcid.work is skipped (reason, code), zotero.item done
    const pub = (await json(['publish', String(draft.id), '--zotero', '--orcid-work'])) as { steps: { status: string }[] };
    expect(pub.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'done']);
    expectSchema('publish', pub, ['provider', 'id', 'url', 'doi', 'published', 'steps', 'warnings']);
    // separate uploads on purpose (the same command would go on with the upload it made before)
    const nomad = (await json(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--new-upload', '--publish', '--dataset', 'Schema set'])) as { steps: unknown[] };
    expect(nomad.steps.length).toBe(2);
    expectSchema('upload', nomad);
    const id = ((await json(['upload', join(ROOT, 'examples', 'nomad-run'), '--to', 'nomad', '--new-upload'])) as { id: string }).id;
    expectSchema('publish', await json(['publish', '--on', 'nomad', '--dataset', 'Schema set 2', '--doi', '--yes', '--json', '--', id]), ['steps', 'doi']);
  });

  test('rdp uploads list: --on zenodo, --on nomad, both', async () => {
    expectSchema('uploads-list', await json(['uploads', 'list', '--on', 'zenodo']), ['id', 'doi', 'state']);
    expectSchema('uploads-list', await json(['uploads', 'list', '--on', 'nomad']), ['uploadId', 'status']);
    const both = (await json(['uploads', 'list'])) as Record<string, unknown[]>;
    expect(Object.keys(both).sort()).toEqual(['nomad', 'zenodo']);
    expectSchema('uploads-list', both);
    expectSchema('uploads-list', await json(['uploads', 'list', '--on', 'zenodo', '--status', 'published', '--limit', '1']));
  });

  test('rdp sites add|list|remove, and a site as a provider: upload (draft, published), uploads list', async () => {
    expectSchema('sites-add', await json(['sites', 'add', 'demo', emu.info.invenio.url]), ['name', 'url', 'api', 'tokenEnv', 'addedNow']);
    expectSchema('sites-list', await json(['sites', 'list']), ['name', 'url', 'tokenEnv']);
    await json(['login', 'demo', '--with-token', '--insecure-storage'], { stdin: emu.tokens.invenio });
    const data = join(sb.dir, 'site-data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'a.txt'), 'a');
    expectSchema('upload', await json(['upload', data, '--to', 'demo', '--dry-run']), ['provider', 'dryRun', 'files', 'multipart']);
    expectSchema('upload', await json(['upload', data, '--to', 'demo', '--title', 'Shapes', '--creator', 'Doe, Jane']), ['provider', 'id', 'url', 'status', 'multipart', 'metadata']);
    const published = (await json(['upload', data, '--to', 'demo', '--title', 'Shapes', '--creator', 'Doe, Jane', '--publish'])) as { id: string };
    expectSchema('upload', published, ['id', 'doi', 'published', 'deposition']);
    // rdp publish --on <site> (the record is published: publish already, the Zotero item made)
    const pub = (await json(['publish', published.id, '--on', 'demo', '--zotero'])) as { steps: { id: string; status: string }[] };
    expect(pub.steps.map((s) => [s.id, s.status])).toEqual([
      ['publish', 'already'],
      ['zotero.item', 'done'],
    ]);
    expectSchema('publish', pub, ['provider', 'id', 'url', 'doi', 'published', 'steps', 'warnings']);
    // upload --to <site> --publish --zotero: the steps and the item in the upload's document
    const linked = join(sb.dir, 'site-linked');
    mkdirSync(linked, { recursive: true });
    writeFileSync(join(linked, 'b.txt'), 'b');
    writeFileSync(join(linked, 'CITATION.cff'), 'cff-version: 1.2.0\ntitle: Linked\nauthors:\n  - name: Lab\n');
    const withSteps = (await json(['upload', linked, '--to', 'demo', '--title', 'Linked', '--creator', 'Doe, Jane', '--publish', '--zotero', '--write-doi'])) as { steps: unknown[]; zotero: unknown; citation: unknown };
    expect(withSteps.steps).toHaveLength(2);
    expect(withSteps.citation).toEqual([expect.objectContaining({ outcome: 'written' })]);
    expect(withSteps.zotero).toMatchObject({ key: expect.any(String) });
    expectSchema('upload', withSteps, ['provider', 'site', 'multipart']);
    expectSchema('uploads-list', await json(['uploads', 'list', '--on', 'demo']), ['id', 'state', 'doi', 'service']);
    expectSchema('sites-remove', await json(['sites', 'remove', 'demo']), ['name', 'loggedOut']);
  });

  test('rdp dmps list, dmps get (the plan, saved as JSON, saved as PDF), dmps templates', async () => {
    const plans = (await json(['dmps', 'list'])) as { id: number }[];
    expectSchema('dmps-list', plans, ['id', 'title', 'doi', 'dmp']);
    const id = String(plans[0]?.id);
    expectSchema('dmps-get', await json(['dmps', 'get', id]), ['dmp']);
    expectSchema('dmps-get', await json(['dmps', 'get', id, '-o', join(sb.dir, 'plan.json')]), ['file', 'sha256', 'format']);
    expectSchema('dmps-get', await json(['dmps', 'get', id, '--pdf', '-o', join(sb.dir, 'plan.pdf')]), ['file', 'bytes']);
    expectSchema('dmps-templates', await json(['dmps', 'templates']), ['id', 'title', 'dmp_template']);
  });

  test('rdp logout <service>, and again when not logged in', async () => {
    expectSchema('logout', await json(['logout', 'zotero']), ['removed', 'envStillSet']);
    expectSchema('logout', await json(['logout', 'zotero']), ['removed']);
  });

  test('failures: the error document on stderr (auth needed, usage, not found)', async () => {
    expectSchema('error', await failure(['uploads', 'list', '--on', 'zenodo'], 4, { XDG_CONFIG_HOME: join(sb.dir, 'empty-config'), DBUS_SESSION_BUS_ADDRESS: undefined }), ['error']);
    const usage = (await failure(['login', 'figshare'], 2)) as { error: Record<string, unknown> };
    expectSchema('error', usage);
    expect(validator('error')({ error: { ...usage.error, code: undefined } })).toBe(false);
    expectSchema('error', await failure(['dmps', 'get', '999999'], 1));
  });
});

describe('the keychain', () => {
  if (requireFeature('Secret Service', secretServiceAvailable(), 'run under scripts/with-secret-service.sh')) {
    test('rdp login (keychain) and rdp logout --all', async () => {
      const doc = await json(['login', 'zenodo', '--with-token'], { stdin: emu.tokens.zenodo });
      expectSchema('login', doc, ['storage', 'location']);
      expect((doc as { storage: string }).storage).toBe('keychain');
      expectSchema('auth-status', await json(['auth', 'status', 'zenodo']), ['source', 'location']);
      expectSchema('logout', await json(['logout', '--all']), ['removed', 'envStillSet']);
    });
  }
});

test('every schema in schemas/ was checked against real output', () => {
  const files = readdirSync(SCHEMAS).map((f) => f.replace(/\.schema\.json$/, ''));
  expect([...used].sort()).toEqual(files.sort());
});
