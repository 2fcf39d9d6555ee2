// The exit code and the --json error code of each command in its main failure (and success) cases,
// frozen as a table (SPEC.md section 4: 0 ok, 1 failure, 2 usage, 4 authentication, 130 interrupted).
// Run in-process through main(argv, {streams, env}) against an emulator in this process. Every row runs
// with --json, so stderr holds the error document whose `code` is checked.
import { mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zenodoStore } from '../../src/emulator/services/zenodo/store.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { NO_KEYCHAIN, runMain } from '../helpers/run-main.js';
import { Sandbox } from '../helpers/sandbox.js';

let emu: TestEmulator;
let sb: Sandbox;
let draftWithBigFile = 0;
let draftToPublish = 0;

/** A file of `bytes` bytes that takes no room on disk (sparse). */
function sparse(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}

beforeAll(async () => {
  emu = await startTestEmulator();
  sb = new Sandbox();
  const d = (name: string, files: Record<string, string>) => {
    mkdirSync(join(sb.dir, name), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(sb.dir, name, f), text);
  };
  d('data', { 'a.txt': 'a\n' });
  d('many', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.txt`, `${i}\n`])));
  d('big', {});
  sparse(join(sb.dir, 'big', 'huge.bin'), 51e9);
  d('bigrecord', {});
  sparse(join(sb.dir, 'bigrecord', 'a.bin'), 30e9);
  sparse(join(sb.dir, 'bigrecord', 'b.bin'), 30e9);
  d('bignomad', {});
  sparse(join(sb.dir, 'bignomad', 'huge.zip'), 33 * 1024 ** 3);
  writeFileSync(join(sb.dir, 'bignomad', 'huge.zip'), Buffer.from('PK\x03\x04'), { flag: 'r+' });
  sparse(join(sb.dir, 'meta.json'), 5 * 1024 * 1024);
  mkdirSync(join(sb.dir, 'meta-dir.json'));
  // A draft that already holds 50 GB (the emulator's store only records the size): one more file
  // would take the record over Zenodo's limit.
  const store = zenodoStore(emu.server.state);
  const r = await fetch(`${emu.info.zenodo.url}/api/deposit/depositions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emu.tokens.zenodo}`, 'content-type': 'application/json' },
    body: '{}',
  });
  draftWithBigFile = ((await r.json()) as { id: number }).id;
  // A draft that can be published: metadata and a file.
  const h = { authorization: `Bearer ${emu.tokens.zenodo}`, 'content-type': 'application/json' };
  const ready = (await (
    await fetch(`${emu.info.zenodo.url}/api/deposit/depositions`, { method: 'POST', headers: h, body: JSON.stringify({ metadata: { title: 'Tide gauges', upload_type: 'dataset', description: 'Daily readings.', creators: [{ name: 'Doe, Jane' }] } }) })
  ).json()) as { id: number; links: { bucket: string } };
  await fetch(`${ready.links.bucket}/a.txt`, { method: 'PUT', headers: { authorization: h.authorization }, body: 'a' });
  draftToPublish = ready.id;
  const dep = store.depositions.get(draftWithBigFile);
  const now = new Date().toISOString();
  // A config with the emulator's InvenioRDM site added as `demo` (what `rdp sites add` writes).
  mkdirSync(join(sb.dir, 'site-config', 'rdp'), { recursive: true });
  writeFileSync(join(sb.dir, 'site-config', 'rdp', 'config.json'), JSON.stringify({ version: 1, values: {}, sites: { demo: { url: emu.info.invenio.url, added: new Date().toISOString() } } }));
  dep?.files.set('old.bin', { id: 'f-old', key: 'old.bin', size: 50e9, md5: '0'.repeat(32), mimetype: 'application/octet-stream', created: now, updated: now });
});
afterAll(async () => {
  await emu.close();
  sb.cleanup();
});

interface Row {
  argv: string[];
  /** Environment beyond the emulator's URLs (and no keychain). */
  env?: Record<string, string | undefined>;
  stdin?: string;
  exit: number;
  /** The --json error document's code (for a failure). */
  code?: string;
}

const login = (id: string) => () => ({ [`RDP_${id.toUpperCase()}_${id === 'zotero' ? 'KEY' : 'TOKEN'}`]: emu.tokens[id as 'zenodo'] });

/** The config with the site `demo` (and, with `token`, RDP_DEMO_TOKEN). */
const site = (token = false) => ({ XDG_CONFIG_HOME: join(sb.dir, 'site-config'), ...(token ? { RDP_DEMO_TOKEN: emu.tokens.invenio } : {}) });

const rows: [string, () => Row][] = [
  // global
  ['no command', () => ({ argv: [], exit: 2 })],
  ['unknown command', () => ({ argv: ['frobnicate'], exit: 2, code: 'USAGE' })],
  ['unknown command with --help (an error, not the top-level help with exit 0)', () => ({ argv: ['frobnicate', '--help'], exit: 2, code: 'USAGE' })],
  ['unknown command with -h after a global flag', () => ({ argv: ['--json', 'frobnicate', '-h'], exit: 2, code: 'USAGE' })],
  ['unknown global option', () => ({ argv: ['--frob'], exit: 2, code: 'USAGE' })],
  ['--version', () => ({ argv: ['--version'], exit: 0 })],
  // login
  ['login without a provider', () => ({ argv: ['login'], exit: 2, code: 'USAGE' })],
  ['login to an unknown provider', () => ({ argv: ['login', 'figshare'], exit: 2, code: 'USAGE' })],
  ['login nomad with a browser flag', () => ({ argv: ['login', 'nomad', '--port', '1'], exit: 2, code: 'USAGE' })],
  ['login dmptool --port', () => ({ argv: ['login', 'dmptool', '--port', '5'], exit: 2, code: 'USAGE' })],
  ['login zenodo --orcid', () => ({ argv: ['login', 'zenodo', '--orcid', '0000-0002-1825-0097'], exit: 2, code: 'USAGE' })],
  ['login orcid with a bad --orcid', () => ({ argv: ['login', 'orcid', '--with-token', '--orcid', '0000-0002-1825-0098'], stdin: 'x', exit: 2, code: 'USAGE' })],
  ['login zenodo --client-credentials', () => ({ argv: ['login', 'zenodo', '--client-credentials'], exit: 2, code: 'USAGE' })],
  ['login --with-token with an empty stdin', () => ({ argv: ['login', 'zenodo', '--with-token'], stdin: '', exit: 2, code: 'USAGE' })],
  ['login zotero --with-token: not a key', () => ({ argv: ['login', 'zotero', '--with-token', '--insecure-storage'], stdin: 'not-a-key', exit: 4, code: 'AUTH_INVALID' })],
  ['login zenodo --with-token: a token Zenodo refuses', () => ({ argv: ['login', 'zenodo', '--with-token', '--insecure-storage'], stdin: 'wrongtoken', exit: 4, code: 'AUTH_INVALID' })],
  ['login dmptool --with-token: a token DMPTool refuses', () => ({ argv: ['login', 'dmptool', '--with-token', '--insecure-storage'], stdin: 'wrongtoken', exit: 4, code: 'AUTH_INVALID' })],
  ['login nomad --username without a terminal', () => ({ argv: ['login', 'nomad', '--username', 'jdoe', '--insecure-storage'], exit: 2, code: 'USAGE' })],
  ['login nomad --username on a machine without a keychain', () => ({ argv: ['login', 'nomad', '--username', 'jdoe'], exit: 1, code: 'KEYCHAIN_UNAVAILABLE' })],
  ['login nomad: a wrong password', () => ({ argv: ['login', 'nomad', '--username', 'jdoe', '--password-stdin', '--insecure-storage'], stdin: 'wrong', exit: 4, code: 'AUTH_INVALID' })],
  ['login nomad --lifetime over 30 days', () => ({ argv: ['login', 'nomad', '--username', 'jdoe', '--lifetime', '31d'], exit: 2, code: 'USAGE' })],
  // Against the emulator, without RDP_ZENODO_CLIENT_*: no client, so a usage error (issue 12: login no
  // longer asks the emulator's control API for one and starts the browser login with it).
  ['login zenodo (browser) without a client or terminal', () => ({ argv: ['login', 'zenodo', '--no-browser', '--insecure-storage'], env: { RDP_ZENODO_CLIENT_ID: undefined, RDP_ZENODO_CLIENT_SECRET: undefined }, exit: 2, code: 'USAGE' })],
  ['login zenodo --with-token (a good one, plaintext file)', () => ({ argv: ['login', 'zenodo', '--with-token', '--insecure-storage'], stdin: emu.tokens.zenodo, exit: 0 })],
  // logout
  ['logout without a provider', () => ({ argv: ['logout'], exit: 2, code: 'USAGE' })],
  ['logout with a provider and --all', () => ({ argv: ['logout', 'zenodo', '--all'], exit: 2, code: 'USAGE' })],
  // auth
  ['auth status of a service not logged in to', () => ({ argv: ['auth', 'status', 'dmptool'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['auth token of a service not logged in to', () => ({ argv: ['auth', 'token', 'orcid'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['auth token from the environment', () => ({ argv: ['auth', 'token', 'nomad'], env: login('nomad')(), exit: 0 })],
  ['auth status from the environment', () => ({ argv: ['auth', 'status', 'zotero'], env: login('zotero')(), exit: 0 })],
  // A token variable holding a line break (a CI secret stored with one) is bad input, not a network error.
  ['dmps list with a malformed RDP_DMPTOOL_TOKEN', () => ({ argv: ['dmps', 'list'], env: { RDP_DMPTOOL_TOKEN: 'abc\ndef' }, exit: 4, code: 'AUTH_INVALID' })],
  // rdp's own folders cannot be made (a file in the way; a folder without write permission is the same to rdp): the path and what to do, not "a bug in rdp".
  ['upload with a state folder that cannot be made', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--new-record'], env: { ...login('zenodo')(), XDG_STATE_HOME: join(sb.dir, 'data', 'a.txt', 'state') }, exit: 1, code: 'LOCAL_FILE_ERROR' })],
  ['uploads list with a malformed RDP_ZENODO_TOKEN', () => ({ argv: ['uploads', 'list', '--on', 'zenodo'], env: { RDP_ZENODO_TOKEN: 'abc def' }, exit: 4, code: 'AUTH_INVALID' })],
  // upload: usage
  ['upload without --to', () => ({ argv: ['upload', 'data'], exit: 2, code: 'USAGE' })],
  ['upload --to an unknown service', () => ({ argv: ['upload', 'data', '--to', 'figshare'], exit: 2, code: 'USAGE' })],
  ['upload a path that does not exist', () => ({ argv: ['upload', 'nope', '--to', 'zenodo'], exit: 2, code: 'MISSING_PATH' })],
  ['upload --to nomad with a Zenodo flag', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--title', 'T'], exit: 2, code: 'USAGE' })],
  ['upload --to zenodo with a NOMAD flag', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--no-wait'], exit: 2, code: 'USAGE' })],
  ['upload --zotero without --publish', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--zotero'], exit: 2, code: 'USAGE' })],
  ['upload --deposition with --new-version', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--deposition', '1', '--new-version', '2'], exit: 2, code: 'USAGE' })],
  ['upload --embargo over 36', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--embargo', '40'], exit: 2, code: 'USAGE' })],
  ['upload --concurrency 0', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--concurrency', '0'], exit: 2, code: 'USAGE' })],
  ['upload --exclude that is no pattern', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--exclude', '#x'], exit: 2, code: 'BAD_EXCLUDE' })],
  // upload: bad local input
  ['upload: a file over 50 GB', () => ({ argv: ['upload', 'big', '--to', 'zenodo'], exit: 2, code: 'FILE_TOO_LARGE' })],
  ['upload: files over 50 GB together', () => ({ argv: ['upload', 'bigrecord', '--to', 'zenodo'], exit: 2, code: 'RECORD_TOO_LARGE' })],
  ['upload: more than 100 files', () => ({ argv: ['upload', 'many', '--to', 'zenodo'], exit: 2, code: 'TOO_MANY_FILES' })],
  ['upload: a NOMAD upload over 32 GiB', () => ({ argv: ['upload', 'bignomad/huge.zip', '--to', 'nomad'], exit: 2, code: 'RECORD_TOO_LARGE' })], // was TOO_LARGE (issue 12)
  ['upload --metadata over 4 MiB', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--metadata', 'meta.json'], exit: 2, code: 'METADATA_TOO_LARGE' })],
  ['upload --metadata that cannot be read', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--metadata', 'meta-dir.json'], exit: 2, code: 'FILE_UNREADABLE' })], // was UNREADABLE_FILE (issue 12)
  ['upload --license Zenodo does not know', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--license', 'cc-by-nc'], exit: 2, code: 'UNKNOWN_LICENSE' })],
  ['upload --creator with a bad ORCID iD', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--creator', 'Doe, Jane;0000-0002-1825-0098'], exit: 2, code: 'USAGE' })],
  ['upload --publish without the required metadata', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--publish'], env: login('zenodo')(), exit: 2, code: 'MISSING_METADATA' })],
  // upload: logins and the service
  ['upload --to zenodo not logged in', () => ({ argv: ['upload', 'data', '--to', 'zenodo'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['upload --to nomad not logged in', () => ({ argv: ['upload', 'data', '--to', 'nomad'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['upload --dry-run without a login', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--dry-run'], exit: 0 })],
  ['upload --to nomad --dry-run without a login', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--dry-run'], exit: 0 })],
  ['upload --deposition that does not exist', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--deposition', '999999'], env: login('zenodo')(), exit: 1, code: 'NOT_FOUND' })],
  ['upload into a draft that would go over 50 GB', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--deposition', String(draftWithBigFile)], env: login('zenodo')(), exit: 2, code: 'RECORD_TOO_LARGE' })], // was exit 1 (issue 12)
  ['upload --zotero without a Zotero login', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--publish', '--zotero', '--title', 'Tide gauges', '--description', 'Daily readings.', '--creator', 'Doe, Jane'], env: login('zenodo')(), exit: 4, code: 'AUTH_REQUIRED' })],
  ['upload --to nomad --upload that does not exist', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--upload', 'nosuchupload'], env: login('nomad')(), exit: 1, code: 'NOT_FOUND' })],
  // uploads
  ['upload --orcid-work without --publish', () => ({ argv: ['upload', 'data', '--to', 'zenodo', '--orcid-work'], exit: 2, code: 'USAGE' })],
  ['upload --to nomad --dataset without --publish', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--dataset', 'D'], exit: 2, code: 'USAGE' })],
  ['upload --to nomad --doi without --dataset', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--publish', '--doi'], exit: 2, code: 'USAGE' })],
  ['upload --to nomad --doi without --yes, no terminal', () => ({ argv: ['upload', 'data', '--to', 'nomad', '--publish', '--dataset', 'D', '--doi'], env: login('nomad')(), exit: 2, code: 'USAGE' })],
  // publish
  ['publish without an id', () => ({ argv: ['publish'], exit: 2, code: 'USAGE' })],
  ['publish of something that is no deposition id', () => ({ argv: ['publish', 'soon'], exit: 2, code: 'USAGE' })],
  ['publish --on an unknown service', () => ({ argv: ['publish', '1', '--on', 'figshare'], exit: 2, code: 'USAGE' })],
  ['publish --dataset on Zenodo', () => ({ argv: ['publish', '1', '--dataset', 'D'], exit: 2, code: 'USAGE' })],
  ['publish --on nomad with --orcid-work', () => ({ argv: ['publish', 'abc', '--on', 'nomad', '--orcid-work'], exit: 2, code: 'USAGE' })],
  ['publish --on nomad --doi without --yes, no terminal', () => ({ argv: ['publish', 'abc', '--on', 'nomad', '--dataset', 'D', '--doi'], env: login('nomad')(), exit: 2, code: 'USAGE' })],
  ['publish not logged in', () => ({ argv: ['publish', '1'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['publish --zotero without a Zotero login', () => ({ argv: ['publish', '1', '--zotero'], env: login('zenodo')(), exit: 4, code: 'AUTH_REQUIRED' })],
  ['publish of a deposition that does not exist', () => ({ argv: ['publish', '999999'], env: login('zenodo')(), exit: 1, code: 'NOT_FOUND' })],
  ['publish --on nomad of an upload that does not exist', () => ({ argv: ['publish', 'nosuchupload', '--on', 'nomad'], env: login('nomad')(), exit: 1, code: 'NOT_FOUND' })],
  ['publish of a draft (published, then nothing more)', () => ({ argv: ['publish', String(draftToPublish)], env: login('zenodo')(), exit: 0 })],
  ['uploads list --all with --limit', () => ({ argv: ['uploads', 'list', '--all', '--limit', '3'], exit: 2, code: 'USAGE' })],
  ['uploads list --on an unknown service', () => ({ argv: ['uploads', 'list', '--on', 'figshare'], exit: 2, code: 'USAGE' })],
  ['uploads list not logged in anywhere', () => ({ argv: ['uploads', 'list'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['uploads list --on nomad not logged in', () => ({ argv: ['uploads', 'list', '--on', 'nomad'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['uploads list --on zenodo', () => ({ argv: ['uploads', 'list', '--on', 'zenodo'], env: login('zenodo')(), exit: 0 })],
  // dmps
  ['dmps list --all with --limit', () => ({ argv: ['dmps', 'list', '--all', '--limit', '2'], exit: 2, code: 'USAGE' })],
  ['dmps list --limit 0', () => ({ argv: ['dmps', 'list', '--limit', '0'], exit: 2, code: 'USAGE' })],
  ['dmps list not logged in', () => ({ argv: ['dmps', 'list'], exit: 4, code: 'AUTH_REQUIRED' })],
  ['dmps list', () => ({ argv: ['dmps', 'list'], env: login('dmptool')(), exit: 0 })],
  ['dmps get of something that is no plan', () => ({ argv: ['dmps', 'get', 'not-a-plan'], exit: 2, code: 'USAGE' })],
  ['dmps get -o into a folder that does not exist', () => ({ argv: ['dmps', 'get', '1', '-o', '/nonexistent/x.json'], exit: 2, code: 'OUTPUT_PATH' })],
  ['dmps get --pdf with --json on stdout', () => ({ argv: ['dmps', 'get', '1', '--pdf'], exit: 2, code: 'USAGE' })],
  ['dmps get of a plan that does not exist', () => ({ argv: ['dmps', 'get', '999999'], env: login('dmptool')(), exit: 1, code: 'NOT_FOUND' })],
  ['dmps templates not logged in', () => ({ argv: ['dmps', 'templates'], exit: 4, code: 'AUTH_REQUIRED' })],
  // config
  ['config get of an unknown key', () => ({ argv: ['config', 'get', 'zenodo.colour'], exit: 2, code: 'USAGE' })],
  ['config set of a bad URL', () => ({ argv: ['config', 'set', 'zenodo.url', 'ftp://example.org'], exit: 2, code: 'USAGE' })],
  ['config set of a plain key without a value', () => ({ argv: ['config', 'set', 'zenodo.url'], exit: 2, code: 'USAGE' })],
  ['config set of a port that is none', () => ({ argv: ['config', 'set', 'orcid.port', '70000'], exit: 2, code: 'USAGE' })],
  ['config get', () => ({ argv: ['config', 'get', 'zenodo.url'], exit: 0 })],
  ['config list', () => ({ argv: ['config', 'list'], exit: 0 })],
  ['config unset of a key not set', () => ({ argv: ['config', 'unset', 'nomad.url'], exit: 0 })],
  // sites
  ['sites add of an InvenioRDM site', () => ({ argv: ['sites', 'add', 'demo', emu.info.invenio.url], exit: 0 })],
  ['sites add under a built-in provider\'s name', () => ({ argv: ['sites', 'add', 'nomad', emu.info.invenio.url], exit: 2, code: 'USAGE' })],
  ['sites add of a name that cannot be an id', () => ({ argv: ['sites', 'add', '9lives', emu.info.invenio.url], exit: 2, code: 'USAGE' })],
  ['sites add of an address that is no InvenioRDM', () => ({ argv: ['sites', 'add', 'demo', emu.info.dmptool.url], exit: 1, code: 'NOT_INVENIO' })],
  ['sites add of plain http to another machine', () => ({ argv: ['sites', 'add', 'demo', 'http://data.example.org'], exit: 2, code: 'INSECURE_URL' })],
  ['sites add without a URL', () => ({ argv: ['sites', 'add', 'demo'], exit: 2, code: 'USAGE' })],
  ['sites list', () => ({ argv: ['sites', 'list'], exit: 0 })],
  ['sites remove of a site never added', () => ({ argv: ['sites', 'remove', 'demo'], exit: 2, code: 'USAGE' })],
  ['upload --to <site> without a login', () => ({ argv: ['upload', 'data', '--to', 'demo'], env: site(), exit: 4, code: 'AUTH_REQUIRED' })],
  ['login <site> --with-token with a token the site does not know', () => ({ argv: ['login', 'demo', '--with-token', '--insecure-storage'], env: site(), stdin: 'nope-nope-nope', exit: 4, code: 'AUTH_INVALID' })],
  ['login <site> without an OAuth client and without a token on stdin', () => ({ argv: ['login', 'demo', '--insecure-storage'], env: site(), stdin: '', exit: 2, code: 'USAGE' })],
  ['login <site> --no-browser without an OAuth client', () => ({ argv: ['login', 'demo', '--no-browser'], env: site(), exit: 2, code: 'USAGE' })],
  ['login <site> --client-credentials (a site has no client-credentials login)', () => ({ argv: ['login', 'demo', '--client-credentials'], env: site(), exit: 2, code: 'USAGE' })],
  ['upload --to <site> with a NOMAD-only flag', () => ({ argv: ['upload', 'data', '--to', 'demo', '--embargo', '3'], env: site(), exit: 2, code: 'USAGE' })],
  ['upload --to <site> --zotero without --publish', () => ({ argv: ['upload', 'data', '--to', 'demo', '--zotero'], env: site(), exit: 2, code: 'USAGE' })],
  ['publish --on <site> not logged in', () => ({ argv: ['publish', 'abcde-12345', '--on', 'demo'], env: site(), exit: 4, code: 'AUTH_REQUIRED' })],
  ['publish --on <site> of something that is no record id', () => ({ argv: ['publish', 'not an id', '--on', 'demo'], env: site(true), exit: 2, code: 'USAGE' })],
  ['publish --on <site> with a NOMAD-only flag', () => ({ argv: ['publish', 'abcde-12345', '--on', 'demo', '--dataset', 'D'], env: site(true), exit: 2, code: 'USAGE' })],
  ['publish --on <site> of a record that does not exist', () => ({ argv: ['publish', 'nosuch-id00', '--on', 'demo'], env: site(true), exit: 1, code: 'NOT_FOUND' })],
  ['upload --to <site> --publish without the required metadata', () => ({ argv: ['upload', 'data', '--to', 'demo', '--publish'], env: site(true), exit: 2, code: 'MISSING_METADATA' })],
  ['upload --to <site> --deposition that does not exist', () => ({ argv: ['upload', 'data', '--to', 'demo', '--deposition', 'nosuch-id00'], env: site(true), exit: 1, code: 'NOT_FOUND' })],
  ['upload --to <site>', () => ({ argv: ['upload', 'data', '--to', 'demo'], env: site(true), exit: 0 })],
  ['uploads list --on <site> --sandbox, and the site has no test instance', () => ({ argv: ['uploads', 'list', '--on', 'demo', '--sandbox'], env: site(true), exit: 2, code: 'USAGE' })],
  ['sites add with a --sandbox-url that is no InvenioRDM', () => ({ argv: ['sites', 'add', 'demo', emu.info.invenio.url, '--sandbox-url', emu.info.zenodo.url], exit: 1, code: 'NOT_INVENIO' })],
  ['uploads list --on <site>', () => ({ argv: ['uploads', 'list', '--on', 'demo'], env: site(true), exit: 0 })],
  ['login <site> --with-token', () => ({ argv: ['login', 'demo', '--with-token', '--insecure-storage'], env: site(), stdin: emu.tokens.invenio, exit: 0 })],
  ['sites remove (its stored login too)', () => ({ argv: ['sites', 'remove', 'demo'], env: site(), exit: 0 })],
  // emulator, completion
  ['emulator --port out of range', () => ({ argv: ['emulator', '--port', '99999'], exit: 2, code: 'USAGE' })],
  ['emulator --latency that is no number', () => ({ argv: ['emulator', '--latency', 'soon'], exit: 2, code: 'USAGE' })],
  ['completion for an unknown shell', () => ({ argv: ['completion', 'tcsh'], exit: 2, code: 'USAGE' })],
  ['completion bash', () => ({ argv: ['completion', 'bash'], exit: 0 })],
];

describe('exit codes and error codes, per command', () => {
  let n = 0;
  test.each(rows)('%s', async (_name, make) => {
    const row = make();
    // Each row starts with no login and no settings of its own.
    n += 1;
    const env: Record<string, string | undefined> = { ...emu.env, ...NO_KEYCHAIN, XDG_CONFIG_HOME: join(sb.dir, `config-${n}`), XDG_STATE_HOME: join(sb.dir, `state-${n}`), ...row.env };
    const argv = row.argv.includes('--version') ? row.argv : [...row.argv, '--json'];
    const r = await runMain(argv, { env, stdin: row.stdin, cwd: sb.dir });
    let doc: { error?: { code?: string } } = {};
    try {
      doc = JSON.parse(r.stderr.trim().split('\n').pop() ?? '') as typeof doc;
    } catch {
      // not an error document (help on stderr)
    }
    expect({ exit: r.code, code: row.code === undefined ? undefined : doc.error?.code }, r.stderr).toEqual({ exit: row.exit, code: row.code });
  });
});

describe('every usage error names the next step (SPEC.md section 4)', () => {
  // Errors raised while the command line is read (a flag's value) or by the command itself, which
  // name no step of their own, point at the help of the command they were given to.
  const cases: [string[], string][] = [
    [['uploads', 'list', '--limit', '0'], 'Run `rdp uploads list --help` for usage.'],
    [['uploads', 'list', '--limit', '5', '--all'], 'Run `rdp uploads list --help` for usage.'],
    [['upload', 'data', '--to', 'zenodo', '--concurrency', '0'], 'Run `rdp upload --help` for usage.'],
    [['--quiet', 'logout', 'zenodo', '--all'], 'Run `rdp logout --help` for usage.'],
    [['config', 'set', 'zenodo.port', 'abc'], 'Run `rdp config set --help` for usage.'],
  ];
  test.each(cases)('%j', async (argv, hint) => {
    const env = { ...emu.env, ...NO_KEYCHAIN, XDG_CONFIG_HOME: join(sb.dir, 'config-hints'), XDG_STATE_HOME: join(sb.dir, 'state-hints') };
    const r = await runMain([...argv, '--json'], { env, cwd: sb.dir });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stderr) as { error: { code: string; hint?: string } };
    expect(doc.error.code).toBe('USAGE');
    expect(doc.error.hint).toBe(hint);
  });
});
