// Fault injection, switchable at run time (SPEC.md section 7): latency, bursts of error statuses
// (429 with Retry-After, 5xx), a connection cut after N request-body bytes, and service-specific
// faults (a wrong checksum) that a service asks for by name.
import type { ServiceId as ProviderId } from './ids.js';

export interface FaultRule {
  /** Which service; absent = any. */
  service?: ProviderId | undefined;
  /** HTTP method; absent = any. */
  method?: string | undefined;
  /** Path inside the service; `*` matches any run of characters. Absent = any. */
  path?: string | undefined;
  /**
   * `status`: answer with `status` (and `body`, `retryAfter`) instead of handling the request.
   * `cut`: destroy the connection after `afterBytes` bytes of the request body.
   * `cut-response`: send the status, headers and the first `afterBytes` bytes of the response body,
   * then destroy the connection (a download cut midway).
   * `latency`: wait `latencyMs` before handling.
   * `hold`: wait until the holds are released (`POST /_emulator/faults/release`, `DELETE
   * /_emulator/faults`, or release() in process), then handle: a test decides when the answer comes,
   * by what it has seen, not by a clock.
   * `drop`: destroy the connection without answering.
   * `status-after` / `drop-after`: handle the request, then answer `status` instead of the real answer
   * (or destroy the connection): the server acted, and the client never heard (a lost answer).
   * Any other name is a service-specific fault (e.g. `wrong-checksum`), looked up with take().
   */
  action: 'status' | 'cut' | 'cut-response' | 'latency' | 'hold' | 'drop' | (string & {});
  status?: number | undefined;
  body?: unknown;
  /**
   * Seconds for Retry-After. An injected 429 of Zenodo or Zotero carries one even when this is absent (1 s):
   * those servers send it (providers.md 0.1, 5.6); `null` leaves it out.
   */
  retryAfter?: number | null | undefined;
  afterBytes?: number | undefined;
  latencyMs?: number | undefined;
  /** How many matching requests this applies to (default 1; 0 or absent with `always` = unlimited). */
  times?: number | undefined;
  always?: boolean | undefined;
}

interface Active extends FaultRule {
  id: number;
  remaining: number;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`);
}

export class Faults {
  private rules: Active[] = [];
  private seq = 0;
  /** Added to every request (the benchmark's stand-in for a real network). */
  latencyMs = 0;

  add(rule: FaultRule): number {
    const id = ++this.seq;
    this.rules.push({ ...rule, id, remaining: rule.always ? Number.POSITIVE_INFINITY : (rule.times ?? 1) });
    return id;
  }

  clear(): void {
    this.rules = [];
    this.release();
  }

  private held: (() => void)[] = [];

  /** Where a request that a `hold` rule matched waits. */
  holdUntilReleased(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  /** Let every held request go on. */
  release(): number {
    const held = this.held;
    this.held = [];
    for (const go of held) go();
    return held.length;
  }

  list(): FaultRule[] {
    return this.rules.map(({ remaining, ...r }) => ({ ...r, times: Number.isFinite(remaining) ? remaining : undefined }));
  }

  /** Take (consume one use of) the first rule of these actions matching the request. */
  take(service: ProviderId, method: string, path: string, actions: readonly string[]): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0 || !actions.includes(r.action)) continue;
      if (r.service && r.service !== service) continue;
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.path && !globToRegExp(r.path).test(path)) continue;
      r.remaining -= 1;
      if (r.remaining <= 0) this.rules = this.rules.filter((x) => x !== r);
      return r;
    }
    return undefined;
  }
}
