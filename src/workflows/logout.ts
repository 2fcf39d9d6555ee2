// Logging out: one provider's stored login (keychain item, plaintext file entry, metadata), or every
// login rdp has stored, on every host. Variables that still hold tokens are named.
import type { AuthPorts } from '../auth/ports.js';
import { providers } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import type { Storage } from '../store/types.js';

export interface LogoutResult {
  removed: { account: string; from?: Storage[] }[];
  /** Environment variables that still hold tokens rdp will use. */
  envStillSet: string[];
  notLoggedIn?: string | undefined;
}

export async function runLogout(ports: AuthPorts, target: { provider: Provider; sandbox: boolean } | 'all'): Promise<LogoutResult> {
  if (target === 'all') {
    const accounts = await (await ports.store()).deleteAll();
    const envStillSet = providers()
      .map((p) => p.env.token)
      .filter((v) => ports.env[v]);
    return { removed: accounts.map((account) => ({ account })), envStillSet };
  }
  const ep = await ports.endpoints(target.provider, target.sandbox);
  const { removed, from } = await (await ports.store()).delete(ep.account);
  const env = target.provider.env.token;
  return {
    removed: removed ? [{ account: ep.account, from }] : [],
    envStillSet: ports.env[env] ? [env] : [],
    notLoggedIn: removed ? undefined : ep.account,
  };
}
