// Regenerates completions/ from the built CLI (`npm run completions`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const files = { bash: 'completions/rdp.bash', zsh: 'completions/_rdp', fish: 'completions/rdp.fish' };
for (const [shell, file] of Object.entries(files)) {
  const text = execFileSync(process.execPath, ['bin/rdp.js', 'completion', shell], { encoding: 'utf8' });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
