// The token store of SPEC.md section 3: the OS keychain (service `rdp`, account `<provider>@<host>`),
// or the plaintext file when the user chose it. The environment is consulted before the store by
// auth/credentials.ts. Nothing ever falls back to the file silently.
import { KeychainError } from '../errors/errors.js';
import { lowerFirst } from '../util/text.js';
import { AccountsFileStore } from './accounts.js';
import { type FileSecrets, PlaintextFileStore } from './file-store.js';
import type { Keychain } from './keychain.js';
import { type AccountMeta, SECRET_NAMES, type SecretName, type Storage, type StoredCredential } from './types.js';

/** Keychain account for a secret kept beside the token. */
export function secretAccount(account: string, name: SecretName): string {
  return `${account}#${name}`;
}

/** Keychain accounts that belong to the config (client secrets), not to a login. */
export const CONFIG_ACCOUNT_PREFIX = 'config:';

export interface TokenStoreDeps {
  accountsPath: string;
  tokensPath: string;
  keychain: () => Keychain;
}

export interface DeleteResult {
  removed: boolean;
  from: Storage[];
}

export class TokenStore {
  readonly accounts: AccountsFileStore;
  readonly file: PlaintextFileStore;
  private readonly keychainFactory: () => Keychain;
  private kc: Keychain | undefined;

  constructor(deps: TokenStoreDeps) {
    this.accounts = new AccountsFileStore(deps.accountsPath);
    this.file = new PlaintextFileStore(deps.tokensPath);
    this.keychainFactory = deps.keychain;
  }

  get keychain(): Keychain {
    this.kc ??= this.keychainFactory();
    return this.kc;
  }

  close(): void {
    this.kc?.close();
  }

  /** Fails fast (KeychainError) when the keychain cannot be used; call before a login flow. */
  async probeKeychain(account: string): Promise<void> {
    await this.keychain.get(account);
  }

  /**
   * The stored credential for an account, or null. A token kept in the file (the user's earlier choice)
   * is found without touching the keychain; a keychain failure is reported only when the file does not
   * hold the token either.
   */
  async get(account: string): Promise<StoredCredential | null> {
    const meta = await this.accounts.get(account);
    if (meta?.storage === 'file') {
      const f = await this.file.get(account);
      if (f) return fromFile(account, f, meta);
    }
    let keychainError: KeychainError | undefined;
    try {
      const token = await this.keychain.get(account);
      if (token) {
        const secrets: Partial<Record<SecretName, string>> = {};
        for (const name of meta?.secrets ?? []) {
          const v = await this.keychain.get(secretAccount(account, name));
          if (v) secrets[name] = v;
        }
        return { token, secrets, meta: meta ? { ...meta, storage: 'keychain' } : synthesize(account, 'keychain') };
      }
    } catch (err) {
      if (!(err instanceof KeychainError)) throw err;
      keychainError = err;
    }
    const f = await this.file.get(account);
    if (f) return fromFile(account, f, meta);
    if (keychainError) throw keychainError;
    return null;
  }

  /** Store a credential; metadata is written last, so a failed secret write leaves no stale record. */
  async save(cred: StoredCredential, storage: Storage): Promise<void> {
    const { account } = cred.meta;
    const previous = await this.accounts.get(account);
    const secretNames = SECRET_NAMES.filter((n) => cred.secrets[n]);
    const meta: AccountMeta = { ...cred.meta, storage, secrets: secretNames };
    if (storage === 'file') {
      const entry: FileSecrets = { token: cred.token, ...cred.secrets };
      await this.file.put(account, entry);
    } else {
      const written: string[] = [];
      try {
        await this.keychain.set(account, cred.token);
        written.push(account);
        for (const name of secretNames) {
          await this.keychain.set(secretAccount(account, name), cred.secrets[name] as string);
          written.push(secretAccount(account, name));
        }
        for (const name of previous?.secrets ?? []) {
          if (!secretNames.includes(name)) await this.keychain.delete(secretAccount(account, name));
        }
      } catch (err) {
        for (const w of written) await this.keychain.delete(w).catch(() => {});
        throw err;
      }
      await this.file.remove(account);
    }
    await this.accounts.put(meta);
  }

  /**
   * Replace only the token (and secrets) of an existing login, keeping where it is stored, if that
   * login still holds `previous` (the token that was renewed). False, with nothing written, when it
   * was removed or replaced meanwhile (a logout or a new login while a command ran): a renewal must
   * not bring a removed login back.
   */
  async update(cred: StoredCredential, previous: string): Promise<boolean> {
    const current = await this.get(cred.meta.account);
    if (current?.token !== previous) return false;
    await this.save(cred, cred.meta.storage);
    return true;
  }

  async delete(account: string): Promise<DeleteResult> {
    const meta = await this.accounts.get(account);
    const from: Storage[] = [];
    if (await this.file.remove(account)) from.push('file');
    // A login the user kept in the file never touched the keychain; leave the keychain alone then.
    if (meta?.storage !== 'file') {
      try {
        let removed = await this.keychain.delete(account);
        for (const name of meta?.secrets ?? SECRET_NAMES) {
          removed = (await this.keychain.delete(secretAccount(account, name))) || removed;
        }
        if (removed) from.push('keychain');
      } catch (err) {
        // No keychain on this machine, and no record of a login kept in one: nothing is there to remove.
        if (!(noKeychain(err) && meta?.storage !== 'keychain')) throw err;
      }
    }
    const hadMeta = await this.accounts.remove(account);
    return { removed: from.length > 0 || hadMeta, from };
  }

  /**
   * Remove every login rdp holds: the plaintext file, the keychain items, the metadata. Returns the
   * accounts removed. When the keychain cannot be reached, the file logins are still removed and the
   * keychain error is thrown (the user must not think keychain items are gone when they are not).
   */
  async deleteAll(): Promise<string[]> {
    const metas = await this.accounts.all();
    const fromFile = await this.file.clear();
    const removed = new Set<string>(fromFile);
    try {
      for (const item of await this.keychain.list()) {
        if (item.startsWith(CONFIG_ACCOUNT_PREFIX)) continue;
        await this.keychain.delete(item);
        removed.add(item.split('#')[0] as string);
      }
    } catch (err) {
      for (const account of fromFile) await this.accounts.remove(account);
      // No keychain on this machine and no login recorded as kept in one: the file was all there was.
      if (noKeychain(err) && !Object.values(metas).some((m) => m.storage === 'keychain')) {
        await this.accounts.clear();
        return [...new Set([...removed, ...Object.keys(metas)])];
      }
      if (err instanceof KeychainError && fromFile.length > 0) {
        throw new KeychainError(err.code as 'KEYCHAIN_TIMEOUT', `Removed ${fromFile.length} login(s) from the plaintext file, but ${lowerFirst(err.message)}`, {
          hint: err.hint,
        });
      }
      throw err;
    }
    for (const account of Object.keys(metas)) removed.add(account);
    await this.accounts.clear();
    return [...removed];
  }
}

function noKeychain(err: unknown): boolean {
  return err instanceof KeychainError && err.code === 'KEYCHAIN_UNAVAILABLE';
}

function fromFile(account: string, f: FileSecrets, meta: AccountMeta | undefined): StoredCredential {
  const secrets: Partial<Record<SecretName, string>> = {};
  for (const name of SECRET_NAMES) if (f[name]) secrets[name] = f[name];
  return { token: f.token, secrets, meta: meta ? { ...meta, storage: 'file' } : synthesize(account, 'file') };
}

/** Metadata for a token found without any (accounts.json was deleted, or the item was made by hand). */
function synthesize(account: string, storage: Storage): AccountMeta {
  const at = account.indexOf('@');
  const provider = account.slice(0, at) as AccountMeta['provider'];
  const host = account.slice(at + 1);
  const now = new Date(0).toISOString();
  return { provider, account, host, api: '', storage, createdAt: now, updatedAt: now };
}
