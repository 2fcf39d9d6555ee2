// The plaintext token file, used only when the user asked for it with --insecure-storage:
// $XDG_CONFIG_HOME/rdp/tokens.json, mode 0600, replaced atomically on every write.
import { stat, unlink } from 'node:fs/promises';
import { withFileLock } from '../util/file-lock.js';
import { readJsonFile, writeJsonFile } from '../util/json-file.js';
import type { SecretName } from './types.js';

export type FileSecrets = { token: string } & Partial<Record<SecretName, string>>;

interface TokensFile {
  version: 1;
  credentials: Record<string, FileSecrets>;
}

export class PlaintextFileStore {
  constructor(readonly path: string) {}

  describe(): string {
    return `${this.path} (mode 0600)`;
  }

  async all(): Promise<Record<string, FileSecrets>> {
    const data = await readJsonFile<TokensFile>(this.path, { version: 1, credentials: {} });
    return data.credentials ?? {};
  }

  async get(account: string): Promise<FileSecrets | undefined> {
    return (await this.all())[account];
  }

  // Every change is a read-modify-write under the file's lock: concurrent logins keep every token.
  async put(account: string, secrets: FileSecrets): Promise<void> {
    await withFileLock(this.path, async () => {
      const credentials = await this.all();
      credentials[account] = secrets;
      await writeJsonFile(this.path, { version: 1, credentials } satisfies TokensFile);
    });
  }

  async remove(account: string): Promise<boolean> {
    return withFileLock(this.path, async () => {
      const credentials = await this.all();
      if (!(account in credentials)) return false;
      delete credentials[account];
      if (Object.keys(credentials).length === 0) {
        await unlink(this.path).catch(() => {});
      } else {
        await writeJsonFile(this.path, { version: 1, credentials } satisfies TokensFile);
      }
      return true;
    });
  }

  async clear(): Promise<string[]> {
    return withFileLock(this.path, async () => {
      const accounts = Object.keys(await this.all());
      await unlink(this.path).catch(() => {});
      return accounts;
    });
  }

  /** The file's mode when it exists and is readable by others than its owner. */
  async looseMode(): Promise<number | undefined> {
    try {
      const st = await stat(this.path);
      return (st.mode & 0o077) !== 0 ? st.mode & 0o777 : undefined;
    } catch {
      return undefined;
    }
  }
}
