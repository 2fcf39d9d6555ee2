// `rdp config get|set|unset|list`: every key a provider has (its base URL; for a browser login its OAuth
// client and redirect settings), secrets in the keychain (or, with --insecure-storage, the file).
import type { AuthPorts } from '../auth/ports.js';
import { UsageError } from '../errors/errors.js';
import type { IO } from '../output/io.js';
import { readStdin } from '../output/prompt.js';
import { keychainAdvice } from '../store/keychain.js';
import { configAccount, configKeys, keyDef } from '../config/config.js';

/** What the config workflows use: the config file, the keychain, and the terminal for a hidden prompt. */
export type ConfigPorts = Pick<AuthPorts, 'config' | 'store'> & { io: IO };


export interface ConfigEntry {
  key: string;
  value?: string | undefined;
  secret: boolean;
  set: boolean;
  storage?: 'file' | 'keychain' | undefined;
  description: string;
}

export async function configGet(ctx: ConfigPorts, key: string): Promise<ConfigEntry> {
  const def = keyDef(key);
  const raw = (await (await ctx.config()).all())[key];
  if (def.secret) {
    const inKeychain = await (await ctx.config()).isSecretSet(key);
    // A secret is never printed; say only whether and where it is set.
    return { key, secret: true, set: inKeychain || typeof raw === 'string', storage: inKeychain ? 'keychain' : raw ? 'file' : undefined, description: def.description };
  }
  return { key, value: typeof raw === 'string' ? raw : undefined, secret: false, set: typeof raw === 'string', description: def.description };
}

export async function configSet(
  ctx: ConfigPorts,
  key: string,
  value: string | undefined,
  opts: { insecureStorage?: boolean | undefined; /** The value was typed at a hidden prompt, not given as an argument. */ quiet?: boolean | undefined },
): Promise<ConfigEntry> {
  const def = keyDef(key);
  let v = value;
  if (v === undefined) {
    if (!def.secret) throw new UsageError(`Give a value: \`rdp config set ${key} <value>\`.`);
    if (ctx.io.stdinIsTTY) {
      const { promptHidden } = await import('../output/prompt.js');
      v = await promptHidden(ctx.io, `Value for ${key} (input hidden):`, `Pipe it: printf %s "$VALUE" | rdp config set ${key}`);
    } else {
      v = (await readStdin(ctx.io)).trim();
    }
  } else if (def.secret && !opts.quiet) {
    ctx.io.warn(`A secret given as an argument may stay in your shell history; next time pipe it: printf %s "$VALUE" | rdp config set ${key}`);
  }
  v = v.trim();
  if (!v) throw new UsageError(`Empty value for ${key}.`, { hint: `To remove it: rdp config unset ${key}` });
  if (def.validate) {
    try {
      v = def.validate(v);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (def.secret) {
    ctx.io.secret(v);
    if (opts.insecureStorage) {
      await (await ctx.config()).put(key, v);
      return { key, secret: true, set: true, storage: 'file', description: def.description };
    }
    await (await ctx.store()).keychain.set(configAccount(key), v).catch((err: unknown) => {
      const id = key.split('.')[0] ?? '';
      throw keychainAdvice(err, {
        env: `RDP_${id.toUpperCase()}_CLIENT_SECRET`,
        what: `the ${key}`,
        retry: `add --insecure-storage to keep it in the config file (mode 0600)`,
      });
    });
    await (await ctx.config()).put(key, { keychain: true });
    return { key, secret: true, set: true, storage: 'keychain', description: def.description };
  }
  await (await ctx.config()).put(key, v);
  return { key, value: v, secret: false, set: true, description: def.description };
}

export async function configUnset(ctx: ConfigPorts, key: string): Promise<{ key: string; removed: boolean }> {
  const def = keyDef(key);
  if (def.secret && (await (await ctx.config()).isSecretSet(key))) await (await ctx.store()).keychain.delete(configAccount(key));
  return { key, removed: await (await ctx.config()).remove(key) };
}

export async function configList(ctx: ConfigPorts): Promise<ConfigEntry[]> {
  const values = await (await ctx.config()).all();
  return configKeys().map((def) => {
    const raw = values[def.key];
    if (def.secret) {
      const inKeychain = typeof raw === 'object' && raw !== null;
      return { key: def.key, secret: true, set: raw !== undefined, storage: inKeychain ? 'keychain' : raw ? 'file' : undefined, description: def.description };
    }
    return { key: def.key, value: typeof raw === 'string' ? raw : undefined, secret: false, set: typeof raw === 'string', description: def.description };
  });
}

/** A secret config value (client secret): the environment, then the keychain or file. */
export async function configSecret(ctx: ConfigPorts, key: string): Promise<string | undefined> {
  const raw = (await (await ctx.config()).all())[key];
  if (typeof raw === 'string') return raw;
  if (raw && typeof raw === 'object') {
    const id = key.split('.')[0] ?? '';
    return (
      (await (await ctx.store()).keychain.get(configAccount(key)).catch((err: unknown) => {
        throw keychainAdvice(err, { env: `RDP_${id.toUpperCase()}_CLIENT_SECRET`, what: `the ${key}`, retry: `run \`rdp config set ${key} --insecure-storage\` to keep it in the config file (mode 0600)` });
      })) ?? undefined
    );
  }
  return undefined;
}
