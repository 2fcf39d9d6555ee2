// Regenerates completions/ from the built CLI (`npm run completions`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// An empty config folder: the InvenioRDM sites of whoever runs this must not end up in the shipped scripts.
const empty = mkdtempSync(join(tmpdir(), 'rdp-completions-'));
const env = { ...process.env, RDP_CONFIG_DIR: empty };

const files = { bash: 'completions/rdp.bash', zsh: 'completions/_rdp', fish: 'completions/rdp.fish' };
for (const [shell, file] of Object.entries(files)) {
  const text = execFileSync(process.execPath, ['bin/rdp.js', 'completion', shell], { encoding: 'utf8', env });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
rmSync(empty, { recursive: true, force: true });
