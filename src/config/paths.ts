// Where rdp keeps its files: $XDG_CONFIG_HOME/rdp (default ~/.config/rdp), or %APPDATA%\rdp on Windows.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Paths {
  dir: string;
  config: string;
  accounts: string;
  tokens: string;
}

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.RDP_CONFIG_DIR) return env.RDP_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'rdp');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'rdp');
  return join(env.HOME || homedir(), '.config', 'rdp');
}

export function paths(env: NodeJS.ProcessEnv): Paths {
  const dir = configDir(env);
  return {
    dir,
    config: join(dir, 'config.json'),
    accounts: join(dir, 'accounts.json'),
    tokens: join(dir, 'tokens.json'),
  };
}
