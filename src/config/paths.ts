// Where rdp keeps its files: settings and logins in $XDG_CONFIG_HOME/rdp (default ~/.config/rdp), or
// %APPDATA%\rdp on Windows; what it remembers between runs (the drafts uploads made) in
// $XDG_STATE_HOME/rdp (default ~/.local/state/rdp), or %LOCALAPPDATA%\rdp\state on Windows.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export interface Paths {
  dir: string;
  config: string;
  accounts: string;
  tokens: string;
  /** What upload commands remember between runs (store/upload-state.ts). */
  uploads: string;
}

/**
 * An XDG base directory variable, if usable: the XDG spec makes a relative path invalid, to be ignored
 * (taken as it is, the logins' file would land wherever the command happens to run).
 */
function xdg(value: string | undefined): string | undefined {
  return value && isAbsolute(value) ? value : undefined;
}

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.RDP_CONFIG_DIR) return env.RDP_CONFIG_DIR;
  const xdgConfig = xdg(env.XDG_CONFIG_HOME);
  if (xdgConfig) return join(xdgConfig, 'rdp');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'rdp');
  return join(env.HOME || homedir(), '.config', 'rdp');
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  const xdgState = xdg(env.XDG_STATE_HOME);
  if (xdgState) return join(xdgState, 'rdp');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'rdp', 'state');
  return join(env.HOME || homedir(), '.local', 'state', 'rdp');
}

export function paths(env: NodeJS.ProcessEnv): Paths {
  const dir = configDir(env);
  return {
    dir,
    config: join(dir, 'config.json'),
    accounts: join(dir, 'accounts.json'),
    tokens: join(dir, 'tokens.json'),
    uploads: join(stateDir(env), 'uploads.json'),
  };
}
