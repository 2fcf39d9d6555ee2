// npm run demo: start the built-in emulator in this process, then run rdp against it the way a user
// would, printing each command. Nothing touches the real services or your own rdp config; logins go
// to the OS keychain when there is one (and are removed at the end), else to a throwaway file (the
// demo says so once, plainly).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'rdp.js');
const { startEmulator, SEED } = await import(join(root, 'dist', 'emulator.js'));

const styled = process.stdout.isTTY && process.env.NO_COLOR === undefined;
const bold = (s) => (styled ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (styled ? `\x1b[2m${s}\x1b[0m` : s);

const emu = await startEmulator({});
const info = emu.serviceInfo();
const configHome = mkdtempSync(join(tmpdir(), 'rdp-demo-'));
const env = { ...process.env, XDG_CONFIG_HOME: configHome, XDG_STATE_HOME: join(configHome, 'state') };
for (const key of Object.keys(env)) if (key.startsWith('RDP_')) delete env[key];
for (const [id, s] of Object.entries(info)) env[`RDP_${id.toUpperCase()}_URL`] = s.url;

let storageFlag = [];

// rdp writes to the demo's own terminal (progress and spinners as a user sees them, stdout and stderr in
// the order rdp wrote them). `capture` keeps stdout to read it (shown when rdp ends); `captureErr` keeps
// stderr (shown as it comes); `silent` runs rdp unseen (the keychain probe).
function rdp(args, { stdin, show = args.join(' '), allowFail = false, capture = false, captureErr = false, silent = false } = {}) {
  if (!silent) console.log(`\n${bold('$')} ${bold(`rdp ${show}`)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: root, stdio: ['pipe', capture || silent ? 'pipe' : 'inherit', captureErr || silent ? 'pipe' : 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
      if (!silent) process.stderr.write(d);
    });
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => {
      if (stdout && !silent) process.stdout.write(stdout);
      if (code === 0 || allowFail) resolve({ code, stdout, stderr });
      else reject(new Error(`rdp ${show} exited ${code}`));
    });
  });
}

let failed = false;
try {
  console.log(bold(`rdp demo: the built-in emulator is serving all five services on ${emu.url}`));
  console.log(dim(`(RDP_<ID>_URL points rdp at it; your own config and the real services are not touched)`));

  // Is there a keychain here? Asked quietly once (`rdp auth status` reads it); without one, the demo
  // says so in one line and keeps its logins in a throwaway 0600 file instead (--insecure-storage).
  const probe = await rdp(['auth', 'status', '--json'], { silent: true, allowFail: true });
  if (/KEYCHAIN_(UNAVAILABLE|LOCKED|TIMEOUT)/.test(probe.stdout + probe.stderr)) {
    console.log(dim('\nThis machine has no usable OS keychain, so the demo keeps its logins in a throwaway plaintext file (--insecure-storage, mode 0600).'));
    storageFlag = ['--insecure-storage'];
  }
  await rdp(['login', 'zenodo', '--with-token', ...storageFlag], {
    stdin: info.zenodo.token,
    show: `login zenodo --with-token ${storageFlag.join(' ')} < zenodo-token.txt`.replace('  ', ' '),
  });
  await rdp(['login', 'nomad', '--username', SEED.nomad.username, '--password-stdin', ...storageFlag], {
    stdin: SEED.nomad.password,
    show: `login nomad --username ${SEED.nomad.username} --password-stdin ${storageFlag.join(' ')} < password.txt`,
  });
  // A browser-less OAuth flow: DMPTool's client-credentials grant with the emulator's ready-made
  // client (the secret is piped, never an argument). rdp keeps the secret beside the 2-hour token and
  // mints a new token from it when the old one runs out.
  // The client is one a DMPTool administrator enabled for edit_dmps (the emulator's control API makes
  // it), so that publishing can put the dataset's DOI on the plan.
  console.log(dim('\nDMPTool without a browser: the client-credentials grant, with an API client a DMPTool administrator enabled for edit_dmps.'));
  const dmptool = await (
    await fetch(`${emu.url}/_emulator/dmptool/api-clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['public', 'read_dmps', 'edit_dmps'] }) })
  ).json();
  await rdp(['login', 'dmptool', '--client-credentials', `--client-id=${dmptool.clientId}`, '--client-secret', '--scope', 'edit_dmps', ...storageFlag], {
    stdin: dmptool.clientSecret,
    show: `login dmptool --client-credentials --client-id=${dmptool.clientId} --client-secret --scope edit_dmps ${storageFlag.join(' ')} < client-secret.txt`,
  });
  await rdp(['login', 'orcid', '--with-token', '--orcid', SEED.orcid.orcid, ...storageFlag], {
    stdin: info.orcid.token,
    show: `login orcid --with-token --orcid ${SEED.orcid.orcid} ${storageFlag.join(' ')} < orcid-token.txt`,
  });
  await rdp(['login', 'zotero', '--with-token', ...storageFlag], { stdin: info.zotero.token, show: `login zotero --with-token ${storageFlag.join(' ')} < zotero-key.txt` });

  await rdp(['auth', 'status']);

  // NOMAD: a folder streamed as one zip (no temporary file), processing waited for, then published.
  // The emulator is told to take a moment over the processing, so that the wait can be seen.
  console.log(dim('\nA NOMAD upload: the example folder goes up as one zip built on the fly; rdp waits for the processing and publishes:'));
  emu.faults.add({ service: 'nomad', action: 'processing-delay', latencyMs: 1500 });
  await rdp(['upload', join(root, 'examples', 'nomad-run'), '--to', 'nomad', '--publish'], { show: 'upload examples/nomad-run --to nomad --publish' });
  await rdp(['uploads', 'list', '--on', 'nomad']);

  console.log(dim('\nData management plans from DMPTool (the emulator starts with a few; `dmps get` marks the private ones):'));
  await rdp(['dmps', 'list']);
  await rdp(['dmps', 'get', 'https://doi.org/10.48321/D1K7QX']);
  await rdp(['dmps', 'get', '10.48321/D1ABCD', '--pdf', '-o', join(configHome, 'soil-carbon-dmp.pdf')], {
    show: 'dmps get 10.48321/D1ABCD --pdf -o soil-carbon-dmp.pdf',
  });

  // Upload and publish the example dataset (examples/soil-survey: two CSV files and a CITATION.cff
  // that supplies the metadata). The second run finds every file already there and sends nothing.
  {
    const data = 'examples/soil-survey';
    console.log(dim(`\nUploading ${data} to Zenodo: first the plan, then a draft, then publishing it: the DMP and the record name each other, and the record goes into Zotero.`));
    await rdp(['upload', data, '--to', 'zenodo', '--dry-run']);
    const draft = await rdp(['upload', data, '--to', 'zenodo'], { capture: true });
    const id = /^deposition\s+(\d+)/m.exec(draft.stdout)?.[1];
    if (!id) throw new Error('the upload did not print a deposition id');
    await rdp(['publish', id, '--dmp', '10.48321/D1ABCD', '--zotero']);
    await rdp(['uploads', 'list']); // every service you are logged in to: Zenodo and NOMAD
  }

  // Any InvenioRDM repository: the emulator's site, added by its address, then used like Zenodo (large
  // files go in parts where the site offers multipart uploads).
  {
    console.log(dim('\nAnother InvenioRDM repository (the emulator has one): added by its address, then used by its name.'));
    await rdp(['sites', 'add', 'demo', info.invenio.url]);
    await rdp(['login', 'demo', '--with-token', ...storageFlag], { stdin: info.invenio.token, show: `login demo --with-token ${storageFlag.join(' ')} < demo-token.txt` });
    await rdp(['upload', 'examples/soil-survey', '--to', 'demo', '--publish']);
    await rdp(['uploads', 'list', '--on', 'demo']);
  }

  console.log(dim('\nA wrong token is refused (exit 4) and nothing is stored:'));
  const wrong = await rdp(['login', 'zenodo', '--with-token', ...storageFlag], { stdin: 'not-a-real-token', show: 'login zenodo --with-token < wrong-token.txt', allowFail: true });
  console.log(dim(`exit status ${wrong.code}`));
} catch (err) {
  failed = true;
  console.error(`\ndemo failed: ${err.message}`);
} finally {
  // Remove the demo's logins (only the emulator's accounts; your own logins stay).
  for (const id of [...Object.keys(info).filter((x) => x !== 'invenio'), 'demo']) {
    await new Promise((resolve) => {
      const c = spawn(process.execPath, [bin, 'logout', id, '--quiet'], { env, stdio: 'ignore' });
      c.on('close', resolve);
    });
  }
  await emu.close();
  rmSync(configHome, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
else console.log(bold('\nDemo finished. Try `rdp emulator` to keep the services running and use rdp against them yourself.'));
