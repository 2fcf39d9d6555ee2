// A status that changes while rdp waits (NOMAD processing, a publish): an ora spinner on an
// interactive terminal; plain lines (only when the text changes) without one; nothing with --quiet
// or --json.
import type { IO } from './io.js';

export interface Status {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

export async function startStatus(io: IO, text: string): Promise<Status> {
  if (io.flags.quiet || io.flags.json) {
    return { update() {}, succeed() {}, fail() {}, stop() {} };
  }
  // A terminal that reports no width (a pty nobody sized: `script` without a terminal, some CI runners)
  // gets plain lines: ora divides by the width and would erase lines upwards without end.
  const columns = io.streams.stderr.columns ?? 0;
  if (io.interactive && columns > 0) {
    const { default: ora } = await import('ora');
    // ora colours with its own chalk, which does not read NO_COLOR: colour and symbols come from IO; its
    // texts (server status messages) are cleaned here, since ora writes to the stream itself.
    const spinner = ora({ text: io.clean(text), stream: io.streams.stderr as NodeJS.WritableStream, discardStdin: false, color: io.stderrColor ? 'cyan' : false }).start();
    return {
      update: (t) => {
        spinner.text = io.clean(t);
      },
      succeed: (t) => spinner.stopAndPersist({ symbol: io.style.green('✓'), text: io.clean(t) }),
      fail: (t) => spinner.stopAndPersist({ symbol: io.style.red('✗'), text: io.clean(t) }),
      stop: () => spinner.stop(),
    };
  }
  let last = '';
  const say = (t: string) => {
    if (t !== last) io.notice(t);
    last = t;
  };
  say(text);
  return { update: say, succeed: (t) => io.notice(`${io.style.green('✓')} ${t}`), fail: (t) => io.notice(`${io.style.red('✗')} ${t}`), stop() {} };
}
