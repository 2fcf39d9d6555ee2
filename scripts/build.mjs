// Builds dist/ with esbuild. One bundled entry (dist/cli.js) holds commander and the command tree;
// every command's implementation is a lazily loaded chunk, so `rdp --help` loads little.
// The keychain child (dist/keychain-child.js) is its own entry: it is the only code that loads the
// native keychain module, in a process the CLI can SIGKILL when the keychain does not answer.
//
// dist/ is CommonJS (dist/package.json says so), built in two steps because esbuild splits code into
// lazy chunks only for ES modules: first an ES module build with splitting, then every file of it
// converted to CommonJS (esbuild again, which carries the source maps through to src/). Why: Node's
// ES module loader costs far more per module than require() (an upload loads some 30 of rdp's own),
// and V8's code cache, which takes most of the compiling out of a start (bin/compile-cache.cjs), is
// available to CommonJS only on Node 20. Dynamic import() calls become __rdpI() (same length, so
// source-map columns stay right): a chunk of rdp's own is require()d, anything else imported.
// Last, the start-up path is run once and V8's code for it kept in dist/cache/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

// undici's HTTP/1 client loads its HTTP/2 half (and with it node:http2) when it loads, for a
// connection that negotiates h2, which rdp never offers: the HTTP/2 half is loaded on first use
// instead (a tenth of the start of an upload, in instructions).
const lazyHttp2 = {
  name: 'lazy-undici-h2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
      /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/.test(args.importer)
        ? { path: 'undici/lib/dispatcher/client-h2.js', namespace: 'rdp-lazy-h2', pluginData: join(args.resolveDir, 'client-h2.js') }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'rdp-lazy-h2' }, (args) => ({
      contents: `module.exports = function connectH2(client, socket) { return require(${JSON.stringify(args.pluginData)})(client, socket); };`,
      resolveDir: dirname(args.pluginData),
      loader: 'js',
    }));
  },
};
// commander requires node:child_process when it loads, for executable subcommands (`git-style`), which
// rdp has none of; child_process (and node:net with it) is a fifth of a bare Node start. The require is
// made on first use instead. The build fails if commander's line changes, rather than bundle it as is.
const lazyChildProcess = {
  name: 'lazy-commander-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: no "${eager}" to make lazy (scripts/build.mjs)`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};
// undici loads node:http (and with it Node's HTTP server and client, ~7 ms of every upload's start) for
// two things only: the default maxHeaderSize of a Client, which rdp sets itself (src/context.ts), and an
// IncomingMessage check when a request body is destroyed, which can only be one if something else
// loaded node:http. Both become lazy. The build fails if either line changes, rather than bundle it as is.
const lazyUndiciHttp = {
  name: 'lazy-undici-http',
  setup(b) {
    const edits = {
      'core/util.js': [
        ["const { IncomingMessage } = require('node:http')", "const lazyIncomingMessage = () => require('node:http').IncomingMessage"],
        ['Object.getPrototypeOf(stream).constructor === IncomingMessage', 'Object.getPrototypeOf(stream).constructor === lazyIncomingMessage()'],
      ],
      'dispatcher/client.js': [
        ["const http = require('node:http')", "const http = { get maxHeaderSize () { return require('node:http').maxHeaderSize } }"],
        [
          "const getDefaultNodeMaxHeaderSize = http &&\n  http.maxHeaderSize &&\n  Number.isInteger(http.maxHeaderSize) &&\n  http.maxHeaderSize > 0\n  ? () => http.maxHeaderSize\n  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }",
          "const getDefaultNodeMaxHeaderSize = () => { if (Number.isInteger(http.maxHeaderSize) && http.maxHeaderSize > 0) return http.maxHeaderSize; throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }",
        ],
      ],
    };
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/](core[\\/]util|dispatcher[\\/]client)\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const which = /core[\\/]util\.js$/.test(args.path) ? 'core/util.js' : 'dispatcher/client.js';
      for (const [from, to] of edits[which]) {
        if (!text.includes(from)) throw new Error(`${args.path}: no "${from.split('\n')[0]}" to make lazy (scripts/build.mjs)`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};
// proper-lockfile (the state files' lock) reads the disk through graceful-fs, which patches a copy of fs
// when it loads (and with it makes Node load its file streams): ~5 ms of every upload's start for a retry
// on EMFILE that a lock directory never needs. It gets node:fs itself.
const leanLockfile = {
  name: 'lean-proper-lockfile',
  setup(b) {
    b.onResolve({ filter: /^graceful-fs$/ }, (args) => (/[\\/]proper-lockfile[\\/]/.test(args.importer) ? { path: 'node:fs', external: true } : undefined));
  },
};
const BUNDLED = new Set(['commander', 'undici', 'proper-lockfile', 'ignore']);
const dist = join(root, 'dist');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

await rm(dist, { recursive: true, force: true });
const stage = await mkdtemp(join(tmpdir(), 'rdp-build-'));
try {
  await build({
    absWorkingDir: root,
    entryPoints: {
      cli: 'src/cli.ts',
      'keychain-child': 'src/store/keychain-child.ts',
      emulator: 'src/emulator/index.ts',
    },
    outdir: stage,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    // Runtime dependencies stay in node_modules (loaded lazily, by the commands that use them), except
    // those that every upload loads, which are bundled into lazy chunks and so compiled from the code
    // cache: commander into the entry (every invocation needs it); the part of undici rdp uses
    // (src/http/undici-core.ts: a third of the package's load time); proper-lockfile (the state files'
    // lock; with graceful-fs, 15 modules) and ignore (.rdpignore). yaml stays out: it is loaded only
    // when a CITATION.cff is read or edited.
    external: Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)),
    define: { __RDP_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__rdp_import_meta_url' },
    plugins: [lazyHttp2, lazyChildProcess, lazyUndiciHttp, leanLockfile],
  });

  const inputs = [];
  for (const dir of ['', 'chunks']) for (const f of await readdir(join(stage, dir))) if (f.endsWith('.js')) inputs.push(join(stage, dir, f));
  const converted = await build({
    entryPoints: inputs,
    outbase: stage,
    outdir: dist,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    banner: {
      js: [
        '"use strict";',
        'var __rdp_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
        // __rdp_import: the importer bin/compile-cache.cjs hands to modules it compiles from the cache
        'var __rdpI = (s) => /^\\.\\.?\\//.test(s) ? Promise.resolve().then(() => require(s)) : typeof __rdp_import === "function" ? __rdp_import(s) : import(s);',
      ].join('\n'),
    },
  });
  if (converted.warnings.length) throw new Error('converting dist/ to CommonJS gave warnings (see above)');
  for (const out of converted.outputFiles) {
    let text = out.text;
    if (out.path.endsWith('.js')) {
      // The banner's own import(s) stays; every other dynamic import is a literal one of the bundle.
      const body = text.slice(text.indexOf('\n', text.indexOf('var __rdpI')) + 1);
      const rewritten = body.replace(/\bimport\((?=["'](?:\.{1,2}\/|node:|@?[\w-]))/g, '__rdpI(');
      if (/\bimport\(/.test(rewritten)) throw new Error(`${relative(root, out.path)}: an import() the build cannot convert`);
      text = text.slice(0, text.length - body.length) + rewritten;
      // What the file's code cache is checked against (bin/compile-cache.cjs): a hash of the file.
      text += `\n//# rdpSource=${createHash('sha256').update(text).digest('hex').slice(0, 32)}\n`;
    }
    await mkdir(dirname(out.path), { recursive: true });
    await writeFile(out.path, text);
  }
  await writeFile(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
} finally {
  await rm(stage, { recursive: true, force: true });
}

// rdp's help as `rdp --help` prints it on a pipe (80 columns), printed by bin/rdp.js without loading the
// CLI. Rendered by the CLI itself with no configuration (the top-level help names no site), so it
// cannot drift from it; a test compares the two.
{
  const empty = await mkdtemp(join(tmpdir(), 'rdp-help-'));
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: empty, XDG_CONFIG_HOME: empty, XDG_STATE_HOME: empty, XDG_CACHE_HOME: empty };
    const help = spawnSync(process.execPath, [join(root, 'bin', 'rdp.js'), '--help'], { env, encoding: 'utf8' });
    if (help.status !== 0 || !help.stdout.startsWith('Usage: rdp ')) throw new Error(`rendering rdp --help failed (exit ${help.status}): ${help.stderr}`);
    await writeFile(join(dist, 'help.txt'), help.stdout);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}

// V8's code for the start-up path, made by a plain Node (no NODE_OPTIONS: V8 refuses a cache made
// under other flags, so it would only go unused).
const env = { ...process.env };
delete env.NODE_OPTIONS;
const gen = spawnSync(process.execPath, ['-e', 'require(process.argv[1]).generate(process.argv[2]).catch((e) => { console.error(e); process.exit(1); })', join(root, 'bin', 'compile-cache.cjs'), dist], {
  stdio: 'inherit',
  env,
});
if (gen.status !== 0) throw new Error('making the start-up code cache failed (see above)');
