// Transfer progress on stderr (SPEC.md section 4): on an interactive terminal a status line redrawn in
// place (bytes, rate, ETA) with a line per finished item above it; without a terminal (CI) plain lines:
// one per finished item and a summary every 15 s; nothing with --quiet or --json.
import type { IO } from './io.js';
import { formatBytes, formatDuration, formatRate } from './format.js';

interface Item {
  size: number;
  sent: number;
  started: number;
}

const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 15_000;
const RATE_WINDOW_MS = 5_000;

export class TransferProgress {
  private readonly io: IO;
  private readonly verb: string;
  private readonly totalBytes: number;
  private readonly totalItems: number;
  private readonly active = new Map<string, Item>();
  private doneBytes = 0;
  private doneItems = 0;
  private readonly samples: { t: number; bytes: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastPlain = Date.now();
  private readonly started = Date.now();
  private drawn = false;
  private ended = false;
  private readonly mode: 'tty' | 'plain' | 'off';

  constructor(io: IO, opts: { verb: string; totalBytes: number; totalItems: number }) {
    this.io = io;
    this.verb = opts.verb;
    this.totalBytes = opts.totalBytes;
    this.totalItems = opts.totalItems;
    this.mode = io.flags.quiet || io.flags.json ? 'off' : io.interactive ? 'tty' : 'plain';
    if (this.mode === 'tty') io.setLiveLine({ clear: () => this.clear(), redraw: () => this.draw() });
    if (this.mode !== 'off') {
      this.timer = setInterval(() => this.tick(), this.mode === 'tty' ? REDRAW_MS : 1000);
      this.timer.unref();
    }
  }

  /** Bytes sent so far, over all items. */
  get sentBytes(): number {
    let s = this.doneBytes;
    for (const it of this.active.values()) s += it.sent;
    return s;
  }

  begin(name: string, size: number): void {
    this.active.set(name, { size, sent: 0, started: Date.now() });
  }

  update(name: string, sent: number): void {
    const it = this.active.get(name);
    if (it) it.sent = sent;
  }

  restart(name: string, why = 'retrying'): void {
    const it = this.active.get(name);
    if (it) it.sent = 0;
    this.line(`${this.io.style.yellow('↻')} ${name}: ${why}, sending it again from the start`);
  }

  /** An item finished; `note` replaces the default "size in time" text. */
  complete(name: string, note?: string): void {
    const it = this.active.get(name);
    this.active.delete(name);
    const size = it?.size ?? 0;
    this.doneBytes += size;
    this.doneItems += 1;
    const took = it ? Date.now() - it.started : 0;
    this.line(`${this.io.style.green('✓')} ${name} ${this.io.style.dim(note ?? `(${formatBytes(size)} in ${formatDuration(took)})`)}`);
  }

  /** An item that needs no transfer (already there). */
  skip(name: string, note: string): void {
    this.doneItems += 1;
    this.line(`${this.io.style.dim('=')} ${name} ${this.io.style.dim(note)}`);
  }

  fail(name: string, message: string): void {
    const it = this.active.get(name);
    this.active.delete(name);
    if (it) this.doneItems += 1;
    this.line(`${this.io.style.red('✗')} ${name}: ${message}`);
  }

  /** Stop redrawing; leaves the terminal clean. */
  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    if (this.mode === 'tty') this.io.setLiveLine(undefined);
    this.ended = true;
  }

  /** A line above the status line (IO clears the status line first and redraws it after). */
  private line(text: string): void {
    if (this.mode === 'off') return;
    this.io.notice(text);
  }

  private rate(): number {
    const now = Date.now();
    const sent = this.sentBytes;
    this.samples.push({ t: now, bytes: sent });
    while (this.samples.length > 2 && now - (this.samples[0] as { t: number }).t > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0] as { t: number; bytes: number };
    const dt = (now - first.t) / 1000;
    if (dt > 0.5) return Math.max(0, (sent - first.bytes) / dt);
    const total = (now - this.started) / 1000;
    return total > 0 ? sent / total : 0;
  }

  private status(): string {
    const sent = Math.min(this.sentBytes, this.totalBytes);
    const rate = this.rate();
    const pct = this.totalBytes > 0 ? Math.floor((sent / this.totalBytes) * 100) : 100;
    const eta = rate > 0 ? formatDuration(((this.totalBytes - sent) / rate) * 1000) : '?';
    const items = this.totalItems > 1 ? ` ${this.doneItems}/${this.totalItems} files,` : '';
    return `${this.verb}${items} ${pct}% ${formatBytes(sent)} of ${formatBytes(this.totalBytes)}, ${formatRate(rate)}, ETA ${eta}`;
  }

  private tick(): void {
    if (this.mode === 'tty') {
      this.draw();
      return;
    }
    if (this.active.size > 0 && Date.now() - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = Date.now();
      this.io.notice(this.status());
    } else {
      this.rate(); // keep the rate window sampled
    }
  }

  private draw(): void {
    if (this.ended || (this.active.size === 0 && this.doneItems === 0)) return;
    const width = this.io.streams.stderr.columns ?? 100;
    const barWidth = Math.max(10, Math.min(30, width - 80));
    const frac = this.totalBytes > 0 ? Math.min(1, this.sentBytes / this.totalBytes) : 1;
    const filled = Math.round(frac * barWidth);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
    const text = `${bar} ${this.status()}`.slice(0, Math.max(20, width - 1));
    this.io.streams.stderr.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) {
      this.io.streams.stderr.write('\r\x1b[2K');
      this.drawn = false;
    }
  }
}
