// Builds dist/ with esbuild. One bundled entry (dist/cli.js) holds commander and the command tree;
// every command's implementation is a lazily imported chunk, so `rdp --help` loads little.
// The keychain child (dist/keychain-child.js) is its own entry: it is the only code that loads the
// native keychain module, in a process the CLI can SIGKILL when the keychain does not answer.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli.ts',
    'keychain-child': 'src/store/keychain-child.ts',
    emulator: 'src/emulator/index.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Runtime dependencies stay in node_modules (loaded lazily, by the commands that use them), except:
  // commander is bundled into the entry because every invocation needs it, and the part of undici rdp
  // uses is bundled into a lazy chunk (src/http/undici-core.ts: a third of the package's load time).
  external: Object.keys(pkg.dependencies).filter((d) => d !== 'commander' && d !== 'undici'),
  define: { __RDP_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    // commander is CommonJS and requires node builtins; give the ESM bundle a require().
    js: "import { createRequire as __rdpCreateRequire } from 'node:module'; const require = __rdpCreateRequire(import.meta.url);",
  },
});
