// Runs rdp in this process through main(argv, {streams, env}): the command tree, the parser, the
// error-to-exit mapping and the output layer exactly as the built CLI runs them, without a child
// process. For the parse and exit-code tables (test/commands/); the e2e suite runs the built binary.
import { PassThrough, Readable } from 'node:stream';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { ROOT } from './sandbox.js';

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface MainRunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
}

/** A keychain that is certainly absent: a D-Bus address where nothing listens. */
export const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rdp-test-bus', DISPLAY: undefined };

export async function runMain(argv: string[], opts: MainRunOptions = {}): Promise<MainRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stdin = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, HOME: opts.cwd ?? '/nonexistent', NO_COLOR: '1', ...opts.env })) if (v !== undefined) env[k] = v;
  const code = await main(argv, {
    streams: { stdin, stdout, stderr },
    env,
    cwd: opts.cwd ?? process.cwd(),
    runtimeDir: join(ROOT, 'dist'),
    handleSignals: false,
  });
  stdout.end();
  stderr.end();
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}
