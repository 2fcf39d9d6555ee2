'use strict';
// V8 flags for the CLI's process, set once when it starts, before any of rdp's code is compiled (by
// bin/rdp.js, and by the build's run that makes the code cache, bin/compile-cache.cjs). Once, at the
// start: V8 refuses cached code made under other flags, so a flag set later (at the first request, or
// when a transfer starts) would send every module loaded after it back to the compiler.
// - `--liftoff-only`: undici parses HTTP with a WebAssembly build of llhttp, which V8's optimising
//   tier recompiles in the background at the first request: ~35 MB of peak memory, nothing gained
//   at rdp's request rates. The baseline compiler is kept.
// - `--semi-space-growth-factor=1`: V8's young generation starts at 1 MB per semi-space and doubles,
//   up to 16 MB each, whenever many objects survive a scavenge, which is exactly what walking a folder
//   of 10,000 files does (every file's record lives on), and the memory stays with the process. Kept
//   at its initial size, scavenges come more often and each stays small. 10,000 files streamed to
//   NOMAD: peak RSS 89 -> 74 MB, CPU unchanged (bench/NOTES.md). Node 20's V8 honours it; newer V8
//   raises the factor back to 2, where it does nothing.
const FLAGS = ['--liftoff-only', '--semi-space-growth-factor=1'];

function apply() {
  const { setFlagsFromString } = require('node:v8');
  for (const flag of FLAGS) setFlagsFromString(flag);
}

module.exports = { FLAGS, apply };
