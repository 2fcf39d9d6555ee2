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
  if (io.interactive) {
    const { default: ora } = await import('ora');
    // ora writes to the stream itself: its texts (server status messages) are cleaned here.
    const spinner = ora({ text: io.clean(text), stream: io.streams.stderr as NodeJS.WritableStream, discardStdin: false }).start();
    return {
      update: (t) => {
        spinner.text = io.clean(t);
      },
      succeed: (t) => spinner.succeed(io.clean(t)),
      fail: (t) => spinner.fail(io.clean(t)),
      stop: () => spinner.stop(),
    };
  }
  let last = '';
  const say = (t: string) => {
    if (t !== last) io.notice(t);
    last = t;
  };
  say(text);
  return { update: say, succeed: (t) => io.notice(`✓ ${t}`), fail: (t) => io.notice(`✗ ${t}`), stop() {} };
}
