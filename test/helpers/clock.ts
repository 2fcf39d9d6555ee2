// A clock for timing logic under test: time moves only when the code under test waits (sleep
// advances it at once) or when the test says so. No test waits for real time to pass.
import { CancelledError } from '../../src/errors/errors.js';
import type { Clock } from '../../src/ports.js';

export class FakeClock implements Clock {
  /** Every wait asked for, in order (ms). */
  readonly waits: number[] = [];
  constructor(public t = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    this.waits.push(ms);
    this.t += Math.max(0, ms);
    await Promise.resolve();
    if (signal?.aborted) throw new CancelledError();
  }
}
