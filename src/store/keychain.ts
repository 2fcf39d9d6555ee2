// The OS keychain, reached through a child process (see keychain-child.ts) so that every call has a
// hard bound: a call that does not answer within the timeout (3 s) kills the child and fails with a
// clear error. After one failure of the keychain itself, later calls in the same command fail at once
// instead of waiting again, so a command that touches the store several times still ends promptly.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KeychainError } from '../errors/errors.js';
import { type Clock, systemClock } from '../ports.js';
import type { KeychainOp, KeychainReply, KeychainRequest } from './keychain-protocol.js';

export const KEYCHAIN_SERVICE = 'rdp';
const DEFAULT_TIMEOUT_MS = 3000;

export interface KeychainOptions {
  /** Path of dist/keychain-child.js. */
  childPath: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  service?: string;
  debug?: (line: string) => void;
  /** Time for the bound on each call (a test's clock fires it without waiting). */
  clock?: Clock | undefined;
}

interface Pending {
  resolve: (reply: KeychainReply) => void;
  reject: (err: Error) => void;
  /** Stops the call's timeout. */
  cancel: () => void;
}

export function keychainName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service keyring';
}

/** What the user can do instead of the keychain, for a given thing being stored. */
export interface KeychainSubject {
  /** The environment variable that can hold it instead (RDP_ZENODO_TOKEN, RDP_ZENODO_CLIENT_SECRET). */
  env: string;
  /** What was being stored or read, in words ("your Zenodo login"). */
  what: string;
  /** How to keep it in a plaintext file instead, as a phrase ("add --insecure-storage to …"). */
  retry: string;
}

const GENERIC_ALTERNATIVES =
  'On a server or in CI, set the token in the environment (RDP_ZENODO_TOKEN, RDP_NOMAD_TOKEN, RDP_DMPTOOL_TOKEN, RDP_ORCID_TOKEN, RDP_ZOTERO_KEY), ' +
  'or run the command again with --insecure-storage to keep tokens in a 0600 file under your config directory.';

const DESKTOP =
  'On a desktop, start a keyring that offers the Secret Service (GNOME Keyring, or KeePassXC with its Secret Service integration) and run the command again.';

function alternatives(subject?: KeychainSubject): string {
  if (!subject) return GENERIC_ALTERNATIVES;
  return `On a server or in CI, set ${subject.env} instead, or ${subject.retry}.`;
}

type KeychainCode = ConstructorParameters<typeof KeychainError>[0];

function hintFor(code: KeychainCode, subject?: KeychainSubject): string {
  switch (code) {
    case 'KEYCHAIN_UNAVAILABLE':
      return `${DESKTOP} ${alternatives(subject)}`;
    case 'KEYCHAIN_LOCKED':
      return `Unlock your keyring (log in to the desktop session, or run gnome-keyring-daemon --unlock). ${alternatives(subject)}`;
    case 'KEYCHAIN_TIMEOUT':
      return `Unlock your keyring, or check DBUS_SESSION_BUS_ADDRESS. ${alternatives(subject)}`;
    default:
      return alternatives(subject);
  }
}

/**
 * The keychain library's own failure text (D-Bus jargon such as "Using X11 for dbus-daemon autolaunch
 * was disabled at compile time") in plain words; the raw text is shown with --debug only.
 */
export function plainKeychainReason(raw: string): string {
  if (/Cannot find native binding|cannot start the keychain helper/i.test(raw)) return 'the keychain library cannot run on this system';
  if (/autolaunch|DBUS_SESSION_BUS_ADDRESS|Failed to connect|No such file or directory|Connection refused|os error 2\b/i.test(raw)) {
    return 'no keychain is running here: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, or nothing listens there), so no Secret Service can be reached';
  }
  if (/ServiceUnknown|not provided by any|org\.freedesktop\.secrets|NoStorageAccess|no result found|Object does not exist/i.test(raw)) {
    return 'no keychain is running here: nothing offers the Secret Service on the D-Bus session bus (no GNOME Keyring, KeePassXC or KWallet)';
  }
  if (/helper exited/i.test(raw)) return 'the keychain helper stopped unexpectedly';
  return 'the Secret Service could not be reached';
}

/**
 * A keychain error whose hint names the way around it that fits what was being stored (the client
 * secret's variable for a client secret, the token's for a login). Other errors pass unchanged.
 */
export function keychainAdvice(err: unknown, subject: KeychainSubject): unknown {
  if (!(err instanceof KeychainError)) return err;
  return new KeychainError(err.code as KeychainCode, err.message, { hint: hintFor(err.code as KeychainCode, subject), details: err.details, cause: err });
}

export class Keychain {
  private readonly opts: KeychainOptions;
  private readonly service: string;
  private readonly timeoutMs: number;
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  /** Set after the keychain itself failed (timeout, no service): later calls fail at once. */
  private broken: KeychainError | undefined;
  private stderrTail = '';

  constructor(opts: KeychainOptions) {
    this.opts = opts;
    this.service = opts.service ?? KEYCHAIN_SERVICE;
    const envTimeout = Number(opts.env.RDP_KEYCHAIN_TIMEOUT_MS);
    this.timeoutMs = opts.timeoutMs ?? (envTimeout > 0 ? envTimeout : DEFAULT_TIMEOUT_MS);
  }

  async ping(): Promise<void> {
    await this.call('ping', 'probe');
  }

  async get(account: string): Promise<string | null> {
    const reply = await this.call('get', account);
    return reply.value ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.call('set', account, secret);
  }

  /** True when something was removed. */
  async delete(account: string): Promise<boolean> {
    const reply = await this.call('delete', account);
    return reply.value === 'removed';
  }

  /** Account names of every item rdp keeps in the keychain. */
  async list(): Promise<string[]> {
    const reply = await this.call('list');
    return reply.accounts ?? [];
  }

  /** End the child: politely when idle, with SIGKILL when a call is still stuck in it. */
  close(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (this.pending.size > 0) {
      child.kill('SIGKILL');
    } else {
      child.stdin.end();
    }
    child.unref();
  }

  private startChild(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, [this.opts.childPath], {
      env: this.opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    child.on('error', (err) => this.failAll(this.unavailable(`cannot start the keychain helper: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.pending.size > 0 && signal !== 'SIGKILL') {
        const tail = this.stderrTail.trim().split('\n').slice(-1)[0] ?? '';
        this.failAll(this.unavailable(`the keychain helper exited (${signal ?? code})${tail ? `: ${tail}` : ''}`));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
      this.opts.debug?.(`keychain helper: ${chunk.trim()}`);
    });
    const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => {
      let reply: KeychainReply;
      try {
        reply = JSON.parse(line) as KeychainReply;
      } catch {
        return;
      }
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      p.cancel();
      p.resolve(reply);
    });
    return child;
  }

  private failAll(err: KeychainError): void {
    for (const [id, p] of this.pending) {
      p.cancel();
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private unavailable(detail: string): KeychainError {
    this.opts.debug?.(`keychain: ${detail}`);
    return new KeychainError('KEYCHAIN_UNAVAILABLE', `No usable OS keychain (${keychainName()}): ${plainKeychainReason(detail)}.`, {
      hint: hintFor('KEYCHAIN_UNAVAILABLE'),
      details: { keychain: 'KEYCHAIN_UNAVAILABLE' },
    });
  }

  private async call(op: KeychainOp, account?: string, secret?: string): Promise<KeychainReply> {
    if (this.broken) throw this.broken;
    if (!this.child) this.child = this.startChild();
    const child = this.child;
    const id = ++this.seq;
    const req: KeychainRequest = { id, op, service: this.service };
    if (account !== undefined) req.account = account;
    if (secret !== undefined) req.secret = secret;
    const clock = this.opts.clock ?? systemClock;
    const started = clock.now();
    const reply = await new Promise<KeychainReply>((resolve, reject) => {
      const bound = new AbortController();
      const fire = () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        const err = new KeychainError(
          'KEYCHAIN_TIMEOUT',
          `The OS keychain (${keychainName()}) did not answer within ${(this.timeoutMs / 1000).toFixed(0)} s ` +
            '(a locked keyring waiting for an unlock prompt, or a stuck D-Bus session).',
          { hint: hintFor('KEYCHAIN_TIMEOUT') },
        );
        this.broken = err;
        this.kill();
        this.failAll(err);
        reject(err);
      };
      this.pending.set(id, { resolve, reject, cancel: () => bound.abort() });
      clock.sleep(this.timeoutMs, bound.signal).then(fire, () => {});
      child.stdin.write(`${JSON.stringify(req)}\n`);
    });
    this.opts.debug?.(`keychain ${op} ${account ?? ''} -> ${reply.ok ? 'ok' : reply.error?.kind} (${clock.now() - started} ms)`);
    if (reply.ok) return reply;
    const e = reply.error ?? { kind: 'error' as const, message: 'unknown error' };
    if (e.kind === 'unavailable') {
      this.broken = this.unavailable(e.message);
      throw this.broken;
    }
    if (e.kind === 'locked') {
      this.opts.debug?.(`keychain: ${e.message}`);
      this.broken = new KeychainError('KEYCHAIN_LOCKED', 'The OS keychain is locked, so rdp cannot read or store secrets in it.', {
        hint: hintFor('KEYCHAIN_LOCKED'),
      });
      throw this.broken;
    }
    throw new KeychainError('KEYCHAIN_ERROR', `The OS keychain refused the ${op}: ${e.message}.`, {
      hint: hintFor('KEYCHAIN_ERROR'),
    });
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.kill('SIGKILL');
      child.unref();
    }
  }
}
