'use strict';
// V8's code cache for rdp's own modules (dist/). Compiling JavaScript is much of what a command costs
// at start, and Node 20 keeps no compiled code between runs (module.enableCompileCache came with Node
// 22.1). The build runs the start-up path (`rdp --help`) once and keeps V8's code for every dist/
// module it compiled in dist/cache/; this hook hands that code to V8 when the same modules load again.
// V8 checks a cache against its own version and flags and compiles from the source when they differ,
// but that is not enough: V8's version stays the same across Node releases that patch it (a cache
// made by Node 20.20 is taken by Node 20.18 and breaks there), so a cache is used only by exactly the
// Node (version, architecture, V8 build) that made it; the build makes it with the Node that builds.
// And of the source V8 checks only the length: a cache made for other code of the same length would
// run that other code. So the build ends every dist/ file with a hash
// of its text (`//# rdpSource=...`, scripts/build.mjs), every cache file starts with the hash of the
// file it was made from, and a cache is used only when the two agree and the cache file is not older
// than the module file (a file edited after the build, whatever its length, has a newer time; npm
// gives every installed file the same time). Hashing the text here instead would cost more than the
// cache saves on a start. The cache can make rdp start faster, never make it behave differently: a
// module whose cache file is missing, unreadable, stale or damaged is compiled by Node as usual.
// Nothing is written at run time (the install folder may be read-only).
const { mkdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, relative, sep } = require('node:path');
const vm = require('node:vm');

const MARK = '\n//# rdpSource=';
/**
 * The Node a cache was made by, exactly: V8's own version check is not enough (a cache made by Node
 * 20.20 passes it on Node 20.18, where the code it holds breaks: "[...].join is not a function").
 */
const RUNTIME = `${process.version} ${process.arch} ${process.versions.v8}`;
const MAGIC = `rdp-v8-cache 2 ${RUNTIME} `;
/** The build's hash of a dist/ file's text (its last line), or undefined. */
function sourceHash(content) {
  const at = content.lastIndexOf(MARK);
  if (at < 0 || content.length - at > MARK.length + 40) return undefined;
  return content.slice(at + MARK.length).trim();
}
/** The first line of a cache file made from a module whose text has `hash`. */
const header = (hash) => Buffer.from(`${MAGIC}${hash}\n`, 'latin1');

/** V8's data in `file` when it was made from exactly this module's text, else undefined. */
function cachedFor(file, filename, content) {
  const hash = sourceHash(content);
  if (!hash) return undefined;
  let data;
  try {
    if (statSync(file).mtimeMs < statSync(filename).mtimeMs) return undefined;
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = header(hash);
  if (data.length <= head.length || !data.subarray(0, head.length).equals(head)) return undefined;
  return data.subarray(head.length);
}

const cacheFile = (dist, filename) => join(dist, 'cache', `${relative(dist, filename).split(sep).join('__')}.v8`);
/**
 * The name V8 knows such a module by (in stack traces): V8 keeps the name a cache was made under, so it
 * must not be the build machine's path; the same name is used at run time, cache or not.
 */
const scriptName = (dist, filename) => `rdp/dist/${relative(dist, filename).split(sep).join('/')}`;

/**
 * Compile the modules under `dist` that have a cache file through vm.Script with it. `importer` is
 * what their import() calls use (scripts compiled this way have no dynamic import of their own; the
 * build turns import() into __rdpI(), which takes it). With `record` (build time), every dist module
 * is compiled this way, without a cache, and kept there by file name.
 */
function install(dist, importer, record) {
  const compile = Module.prototype._compile;
  const prefix = dist + sep;
  Module.prototype._compile = function (content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    let cachedData;
    if (!record) {
      cachedData = cachedFor(cacheFile(dist, filename), filename, content);
      if (!cachedData) return compile.call(this, content, filename);
    }
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __rdp_import) { ${content}\n})`, { filename: scriptName(dist, filename), cachedData });
    record?.set(filename, script);
    const mod = this;
    const req = (id) => mod.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.cache = Module._cache;
    req.main = process.mainModule;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, req, mod, filename, dirname(filename), importer);
  };
}

/** Build step: run `rdp --help` here and write V8's code for every dist module it compiled. */
async function generate(dist) {
  // The flags bin/rdp.js starts with: V8 refuses a cache made under other flags.
  require('./v8-flags.cjs').apply();
  const scripts = new Map();
  install(dist, (specifier) => import(specifier), scripts);
  const sources = new Map();
  const read = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    sources.set(filename, content);
    return read.call(this, content, filename);
  };
  const { Writable } = require('node:stream');
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  // The start-up path of every command, then an upload of one small file and a listing, made against
  // the built-in emulator started in this process: the modules they load and the functions that ran
  // (the HTTP client's among them) are what the cache keeps.
  const { main } = require(join(dist, 'cli.js'));
  const streams = { stdin: process.stdin, stdout: sink, stderr: sink };
  const code = await main(['--no-color', '--help'], { streams, env: {}, handleSignals: false });
  if (code !== 0) throw new Error(`rdp --help exited ${code} while making the code cache`);
  const { mkdtempSync, rmSync } = require('node:fs');
  const work = mkdtempSync(join(require('node:os').tmpdir(), 'rdp-cache-'));
  // The emulator's own modules (dist/emulator.js, which shares no code with rdp's) are left out of the
  // cache: `rdp emulator` is no command to start fast, and they would double its size.
  const before = new Set(scripts.keys());
  const emulator = await require(join(dist, 'emulator.js')).startEmulator({ discardUploads: true });
  for (const filename of scripts.keys()) if (!before.has(filename)) scripts.delete(filename);
  try {
    writeFileSync(join(work, 'data.txt'), 'rdp\n');
    const zenodo = emulator.serviceInfo().zenodo;
    const env = { HOME: work, XDG_CONFIG_HOME: join(work, 'config'), XDG_STATE_HOME: join(work, 'state'), XDG_CACHE_HOME: join(work, 'cache'), RDP_ZENODO_URL: zenodo.url, RDP_ZENODO_TOKEN: zenodo.token };
    for (const argv of [['upload', join(work, 'data.txt'), '--to', 'zenodo', '--new-record', '--quiet'], ['uploads', 'list', '--on', 'zenodo']]) {
      const exit = await main(argv, { streams, env, cwd: work, handleSignals: false });
      if (exit !== 0) throw new Error(`rdp ${argv.slice(0, 2).join(' ')} exited ${exit} against the emulator while making the code cache`);
    }
  } finally {
    await emulator.close();
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync(join(dist, 'cache'), { recursive: true });
  for (const [filename, script] of scripts) {
    const hash = sourceHash(sources.get(filename) ?? '');
    if (!hash) throw new Error(`${filename} has no rdpSource line (scripts/build.mjs adds it)`);
    writeFileSync(cacheFile(dist, filename), Buffer.concat([header(hash), script.createCachedData()]));
  }
}

module.exports = { install, generate };
