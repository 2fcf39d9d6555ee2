// accounts.json: non-secret metadata about each login, keyed by `<provider>@<host>`.
import { readJsonFile, writeJsonFile } from '../util/json-file.js';
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

  async put(meta: AccountMeta): Promise<void> {
    const accounts = await this.all();
    accounts[meta.account] = meta;
    await writeJsonFile(this.path, { version: 1, accounts } satisfies AccountsFile);
  }

  async remove(account: string): Promise<boolean> {
    const accounts = await this.all();
    if (!(account in accounts)) return false;
    delete accounts[account];
    await writeJsonFile(this.path, { version: 1, accounts } satisfies AccountsFile);
    return true;
  }

  async clear(): Promise<void> {
    await writeJsonFile(this.path, { version: 1, accounts: {} } satisfies AccountsFile);
  }
}
