// The narrow ports that workflows, auth and the HTTP layer are given instead of the whole Context
// (wrangler's OAuthFlowContext, gh's Factory): time, log lines, prompts, the browser. src/context.ts
// builds the real ones; tests hand in their own (a clock that does not wait, say).
import { sleep } from './util/sleep.js';

/** Time: what "now" is and how to wait. Injected so that timing logic is tested without waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with CancelledError when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};

/**
 * Lines for stderr (progress, notices, warnings) and the secrets they must never show. src/output/io.ts
 * implements it; code below the commands says what happens through it and never prints by itself.
 */
export interface Log {
  /** A notice (dropped by --quiet and --json). */
  info(text: string): void;
  success(text: string): void;
  warn(text: string): void;
  /** A line that must always appear (an authorize URL, a prompt). */
  notice(text: string): void;
  /** --debug only. */
  debug(text: string): void;
  /** Remember a secret so that no later output can show it. */
  secret(value: string | undefined | null): void;
}
