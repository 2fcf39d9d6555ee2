// Where rdp keeps its files: the XDG base directory variables, as the XDG spec reads them.
import { describe, expect, test } from 'vitest';
import { configDir, paths, stateDir } from '../../../src/config/paths.js';
import { configPath } from '../../../src/config/sites.js';

describe('XDG base directories', () => {
  test('absolute XDG_CONFIG_HOME / XDG_STATE_HOME are used', () => {
    const env = { HOME: '/home/jane', XDG_CONFIG_HOME: '/cfg', XDG_STATE_HOME: '/st' };
    expect(configDir(env)).toBe('/cfg/rdp');
    expect(configPath(env)).toBe('/cfg/rdp/config.json');
    expect(stateDir(env)).toBe('/st/rdp');
    expect(paths(env).tokens).toBe('/cfg/rdp/tokens.json');
  });

  test('a relative one is ignored (the XDG spec: invalid), so the logins never land wherever a command runs', () => {
    if (process.platform === 'win32') return;
    const env = { HOME: '/home/jane', XDG_CONFIG_HOME: 'cfg', XDG_STATE_HOME: './state' };
    expect(configDir(env)).toBe('/home/jane/.config/rdp');
    expect(configPath(env)).toBe('/home/jane/.config/rdp/config.json');
    expect(paths(env).tokens).toBe('/home/jane/.config/rdp/tokens.json');
    expect(stateDir(env)).toBe('/home/jane/.local/state/rdp');
    expect(paths(env).uploads).toBe('/home/jane/.local/state/rdp/uploads.json');
  });
});
