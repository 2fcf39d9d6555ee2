// accounts.json: non-secret metadata about each login, keyed by `<provider>@<host>`.
import { readJsonFile, updateJsonFile } from '../util/json-file.js';
import type { AccountMeta } from './types.js';

interface AccountsFile {
  version: 1;
  accounts: Record<string, AccountMeta>;
}

export class AccountsFileStore {
  constructor(private readonly path: string) {}

  async all(): Promise<Record<string, AccountMeta>> {
    const data = await readJsonFile<AccountsFile>(this.path, { version: 1, accounts: {} });
    return data.accounts ?? {};
  }

  async get(account: string): Promise<AccountMeta | undefined> {
    return (await this.all())[account];
  }

  // Changes are made under the file's lock (another rdp may be logging in at the same time).
  private update(change: (accounts: Record<string, AccountMeta>) => boolean): Promise<AccountsFile> {
    return updateJsonFile<AccountsFile>(this.path, { version: 1, accounts: {} }, (data) => {
      const accounts = { ...(data.accounts ?? {}) };
      return change(accounts) ? { version: 1, accounts } : undefined;
    });
  }

  async put(meta: AccountMeta): Promise<void> {
    await this.update((accounts) => {
      accounts[meta.account] = meta;
      return true;
    });
  }

  async remove(account: string): Promise<boolean> {
    let had = false;
    await this.update((accounts) => {
      had = account in accounts;
      delete accounts[account];
      return had;
    });
    return had;
  }

  async clear(): Promise<void> {
    await this.update((accounts) => {
      for (const k of Object.keys(accounts)) delete accounts[k];
      return true;
    });
  }
}
