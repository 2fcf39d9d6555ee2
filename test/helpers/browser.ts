// Browsers for the login tests. rdp runs as a child process with BROWSER set to browser-sink.mjs,
// which hands the authorize URL to a small server in the test (BrowserSink); the test then plays the
// person at the browser: in headless Chromium (playwright-core with the system's Chromium; never a
// downloaded browser), or with plain HTTP (FormBrowser) where only the protocol matters.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SINK_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'browser-sink.mjs');
export const CHROMIUM = '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (!existsSync(CHROMIUM)) return false;
  try {
    return existsSync(join(fileURLToPath(new URL('../../node_modules/playwright-core', import.meta.url)), 'package.json'));
  } catch {
    return false;
  }
}

/** Receives the URLs rdp asks BROWSER to open. */
export class BrowserSink {
  private server: Server | undefined;
  private url = '';
  private readonly queue: string[] = [];
  private waiters: ((u: string) => void)[] = [];
  /** Every URL received, in order. */
  readonly received: string[] = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        res.end('ok');
        this.received.push(body);
        const w = this.waiters.shift();
        if (w) w(body);
        else this.queue.push(body);
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Environment for the rdp child: BROWSER runs the sink script with the URL. */
  get env(): Record<string, string> {
    return { BROWSER: `"${process.execPath}" "${SINK_SCRIPT}"`, RDP_TEST_BROWSER_SINK: this.url };
  }

  /** The next URL rdp opened. */
  next(timeoutMs = 20_000): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('rdp did not open a browser'));
      }, timeoutMs);
      const done = (u: string) => {
        clearTimeout(timer);
        resolve(u);
      };
      this.waiters.push(done);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface FormResult {
  /** Where the provider sent the browser (the loopback callback, with code/state or an error). */
  location: string;
  /** The callback's answer, when it was followed. */
  status?: number;
  body?: string;
}

/** The consent page's form, read with regular expressions (the emulator's pages are simple). */
function readForm(html: string, base: string): { action: string; fields: [string, string][] } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: [string, string][] = [];
  for (const m of html.matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] as string;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const type = /type="([^"]*)"/.exec(attrs)?.[1] ?? 'text';
    if (!name) continue;
    if (type === 'checkbox' && !/\schecked/.test(attrs)) continue;
    fields.push([name, unescape(value)]);
  }
  for (const m of html.matchAll(/<select name="([^"]+)">([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2] as string)?.[1];
    if (selected !== undefined) fields.push([m[1] as string, selected]);
  }
  return { action: new URL(unescape(action), base).toString(), fields };
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A person at a browser, in plain HTTP: open the authorize URL, press a button, land on the callback. */
export const FormBrowser = {
  async consent(authorizeUrl: string, decision: 'approve' | 'deny', opts: { follow?: boolean } = {}): Promise<FormResult> {
    const page = await fetch(authorizeUrl);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${html.slice(0, 300)}`);
    const { action, fields } = readForm(html, authorizeUrl);
    const body = new URLSearchParams(fields);
    body.set('decision', decision);
    const res = await fetch(action, { method: 'POST', body, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    if (!opts.follow) return { location };
    const cb = await fetch(location);
    return { location, status: cb.status, body: await cb.text() };
  },

  /**
   * The out-of-band flow (DMPTool): approve, then read the code from the page the browser lands on
   * (`/oauth/authorize/native?code=…`, `<code id="authorization_code">`); deny: the JSON error shown.
   */
  async outOfBand(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<{ code?: string; shown: string; pageUrl?: string }> {
    const page = await fetch(authorizeUrl);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${html.slice(0, 300)}`);
    const { action, fields } = readForm(html, authorizeUrl);
    const body = new URLSearchParams(fields);
    body.set('decision', decision);
    const res = await fetch(action, { method: 'POST', body, redirect: 'manual' });
    const location = res.headers.get('location');
    if (!location) return { shown: await res.text() };
    const native = await fetch(new URL(location, action));
    const text = await native.text();
    const code = /id="authorization_code">([^<]*)</.exec(text)?.[1];
    return { code: code ? unescape(code) : undefined, shown: text, pageUrl: new URL(location, action).toString() };
  },
};

type PwBrowser = import('playwright-core').Browser;

/** Headless Chromium (the system's), driven with playwright-core. */
export class Chromium {
  private browser: PwBrowser | undefined;

  async start(): Promise<this> {
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return this;
  }

  /** Open the authorize URL, click Approve or Deny, and return the page the browser ends on. */
  async consent(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<{ url: string; status: number | undefined; heading: string; text: string }> {
    if (!this.browser) throw new Error('Chromium not started');
    const context = await this.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl);
      const [response] = await Promise.all([
        page.waitForResponse((r) => /^http:\/\/127\.0\.0\.1:\d+\/callback\?/.test(r.url()), { timeout: 20_000 }),
        page.click(decision === 'approve' ? '#approve' : '#deny'),
      ]);
      await page.waitForLoadState('load');
      return { url: page.url(), status: response.status(), heading: (await page.textContent('h1')) ?? '', text: (await page.textContent('body')) ?? '' };
    } finally {
      await context.close();
    }
  }

  /**
   * Approve or deny where the service does not come back to a listener: out-of-band (the page shows
   * the code, or Doorkeeper's JSON error) or an https page registered with the service (its address is
   * what the user copies). Returns what a person sees:
   * the final address and the page's text, and the code when the page shows one.
   */
  async consentPaste(authorizeUrl: string, decision: 'approve' | 'deny', opts: { httpsPage?: string } = {}): Promise<{ url: string; text: string; code?: string }> {
    if (!this.browser) throw new Error('Chromium not started');
    const context = await this.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl);
      const landing = opts.httpsPage;
      if (landing) {
        // The registered page does not exist here: what the person copies is the address the browser
        // was sent to (its address bar), whatever the page then shows.
        const [req] = await Promise.all([
          page.waitForRequest((r) => r.url().startsWith(landing) && r.isNavigationRequest(), { timeout: 20_000 }),
          page.click(decision === 'approve' ? '#approve' : '#deny'),
        ]);
        return { url: req.url(), text: '' };
      }
      await Promise.all([page.waitForNavigation({ timeout: 20_000 }), page.click(decision === 'approve' ? '#approve' : '#deny')]);
      await page.waitForLoadState('load');
      const code = (await page.locator('#authorization_code').count()) ? ((await page.textContent('#authorization_code')) ?? undefined) : undefined;
      return { url: page.url(), text: (await page.textContent('body')) ?? '', code: code?.trim() };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }
}
