#!/usr/bin/env node
// Entry point: the only place that decides how the process ends.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Fast path: answer without loading the CLI (SPEC.md section 6 start-up target).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // dist/ is CommonJS (scripts/build.mjs says why). Compiled code is reused between runs: Node 22.1
  // and later keep it themselves; on Node 20, V8's code for the start-up path comes from dist/cache/
  // (bin/compile-cache.cjs), except under --enable-source-maps, whose stack traces need Node's loader.
  const { createRequire, enableCompileCache } = process.getBuiltinModule?.('node:module') ?? (await import('node:module'));
  const require = createRequire(import.meta.url);
  if (enableCompileCache) enableCompileCache();
  else if (!process.sourceMapsEnabled) require('./compile-cache.cjs').install(require.resolve('../dist/cli.js').replace(/[\\/]cli\.js$/, ''), (specifier) => import(specifier));
  const { main } = require('../dist/cli.js');
  const code = await main(argv);
  process.exitCode = code;
  // Safety net: a handle left open by mistake must not keep a finished command (or a CI job) waiting.
  setTimeout(() => process.exit(code), 2000).unref();
}
