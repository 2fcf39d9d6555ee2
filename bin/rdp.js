#!/usr/bin/env node
// Entry point: the only place that decides how the process ends.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Fast path: answer without loading the CLI (SPEC.md section 6 start-up target).
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import('../dist/cli.js');
  const code = await main(argv);
  process.exitCode = code;
  // Safety net: a handle left open by mistake must not keep a finished command (or a CI job) waiting.
  setTimeout(() => process.exit(code), 2000).unref();
}
