'use strict';
// V8's code cache for rdp's own modules (dist/). Compiling JavaScript is much of what a command costs
// at start, and Node 20 keeps no compiled code between runs (module.enableCompileCache came with Node
// 22.1). The build runs the start-up path (`rdp --help`) once and keeps V8's code for every dist/
// module it compiled in dist/cache/; this hook hands that code to V8 when the same modules load again.
// V8 checks a cache against its own version, its flags and the source, and compiles from the source
// when anything differs (another Node, a rebuilt file): the cache can make rdp start faster, never make
// it behave differently. A module with no cache file is compiled by Node as usual.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, relative, sep } = require('node:path');
const vm = require('node:vm');

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
      try {
        cachedData = readFileSync(cacheFile(dist, filename));
      } catch {
        return compile.call(this, content, filename);
      }
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
  const scripts = new Map();
  install(dist, (specifier) => import(specifier), scripts);
  const { Writable } = require('node:stream');
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const code = await require(join(dist, 'cli.js')).main(['--help'], { streams: { stdin: process.stdin, stdout: sink, stderr: sink }, env: {}, handleSignals: false });
  if (code !== 0) throw new Error(`rdp --help exited ${code} while making the code cache`);
  mkdirSync(join(dist, 'cache'), { recursive: true });
  for (const [filename, script] of scripts) writeFileSync(cacheFile(dist, filename), script.createCachedData());
}

module.exports = { install, generate };
