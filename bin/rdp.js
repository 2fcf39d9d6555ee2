#!/usr/bin/env node
'use strict';
// Entry point: the only place that decides how the process ends. CommonJS (bin/package.json says so):
// Node's ES module loader costs about a third of a bare Node start before the first line runs, which
// an entry that every command goes through should not pay (`rdp --version`: 120 -> 93 million
// instructions, `node -e 0` being 88).
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Fast path: answer without loading the CLI (SPEC.md section 6 start-up target).
  const { readFileSync } = require('node:fs');
  const pkg = JSON.parse(readFileSync(require('node:path').join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else if (!fastHelp()) {
  // dist/ is CommonJS too (scripts/build.mjs says why). Compiled code is reused between runs: Node 22.1
  // and later keep it themselves; on Node 20, V8's code for the start-up path comes from dist/cache/
  // (bin/compile-cache.cjs), except under --enable-source-maps, whose stack traces need Node's loader.
  // Before any of rdp's code is compiled (the file says why); not for `rdp emulator`, a server that the
  // benchmark's references use too: a young generation kept small slows it (curl's 1 GiB: +15 %).
  if (argv.find((a) => !a.startsWith('-')) !== 'emulator') require('./v8-flags.cjs').apply();
  const { enableCompileCache } = require('node:module');
  if (enableCompileCache) enableCompileCache();
  else if (!process.sourceMapsEnabled) require('./compile-cache.cjs').install(require('node:path').join(__dirname, '..', 'dist'), (specifier) => import(specifier));
  const { main } = require('../dist/cli.js');
  main(argv).then((code) => {
    process.exitCode = code;
    // Safety net: a handle left open by mistake must not keep a finished command (or a CI job) waiting.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}

/**
 * `rdp --help` (`-h`, `help`) without loading the CLI: the build renders rdp's help once into
 * dist/help.txt (scripts/build.mjs), and it is printed as is where commander would print the very same
 * text, i.e. 80 columns wide: on a pipe or file, or on a terminal of 80 columns. A terminal of another
 * width, or a missing file, takes the normal path. (SPEC.md section 6: `--help` <= 1.3 x a bare Node
 * start; loading commander and the command tree alone is a third of one.)
 */
function fastHelp() {
  if (argv.length !== 1 || !(argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help')) return false;
  if (process.stdout.isTTY && process.stdout.columns !== 80) return false;
  let text;
  try {
    text = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'dist', 'help.txt'), 'utf8');
  } catch {
    return false;
  }
  process.stdout.on('error', () => {}); // `rdp --help | head -1`: a reader that stops early is fine
  process.stdout.write(text);
  return true;
}
