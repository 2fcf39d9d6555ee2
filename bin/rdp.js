#!/usr/bin/env node
// Entry point: the only place that decides how the process ends.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Fast path: answer without loading the CLI (SPEC.md section 6 start-up target).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // undici parses HTTP with llhttp compiled to WebAssembly; V8's optimising tier-up of that module
  // alone adds ~35 MB to peak RSS (measured: 105 -> 70 MB for a small upload). The baseline tier is
  // plenty for parsing response headers, so keep to it (SPEC.md section 6: RSS < 120 MB).
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
  const { main } = await import('../dist/cli.js');
  const code = await main(argv);
  process.exitCode = code;
  // Safety net: a handle left open by mistake must not keep a finished command (or a CI job) waiting.
  setTimeout(() => process.exit(code), 2000).unref();
}
