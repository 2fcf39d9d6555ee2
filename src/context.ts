// What a command needs, built lazily (gh's Factory): `rdp --help` loads none of it, and a command that
// never needs the keychain never starts the keychain helper. The heavy pieces (HTTP layer, token store,
// config file) are imported on first use, so they stay out of the start-up path. The Context is the
// one object that implements the narrow ports (src/ports.ts, auth/ports.ts, the workflows' own):
// commands hand it to a workflow, which sees only the port interface it asked for.
import type { Dispatcher } from 'undici';
import type { OpenResult } from './auth/browser.js';
import type { ClientSettings, HttpFor } from './auth/ports.js';
import type { ConfigStore } from './config/config.js';
import type { HttpClient } from './http/client.js';
import type { IO } from './output/io.js';
import type { Clock } from './ports.js';
import { resolveEndpoints } from './providers/endpoints.js';
import type { Endpoints, Provider } from './providers/types.js';
import type { TokenStore } from './store/token-store.js';

export interface ContextInit {
  io: IO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  /** The directory of dist/cli.js (for the keychain helper). */
  runtimeDir: string;
  clock?: Clock | undefined;
}

export class Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly runtimeDir: string;
  readonly clock: Clock;
  private configStore: Promise<ConfigStore> | undefined;
  private tokenStore: Promise<TokenStore> | undefined;
  private httpModule: Promise<typeof import('./http/client.js')> | undefined;
  private agent: Dispatcher | undefined;
  private readonly disposers: (() => Promise<void> | void)[] = [];

  constructor(init: ContextInit) {
    this.io = init.io;
    this.env = init.env;
    this.cwd = init.cwd;
    this.signal = init.signal;
    this.runtimeDir = init.runtimeDir;
    // The system clock; its sleep is loaded on first use (`rdp --help` never waits).
    this.clock = init.clock ?? { now: () => Date.now(), sleep: async (ms, signal) => (await import('./util/sleep.js')).sleep(ms, signal) };
  }

  /** Log lines (stderr). */
  get log(): IO {
    return this.io;
  }

  /** The terminal: prompts, pasting, progress. */
  get terminal(): IO {
    return this.io;
  }

  async paths() {
    const { paths } = await import('./config/paths.js');
    return paths(this.env);
  }

  /** The config file (`rdp sites` keeps the sites in it). */
  async configPath(): Promise<string> {
    return (await this.paths()).config;
  }

  async uploadStatePath(): Promise<string> {
    return (await this.paths()).uploads;
  }

  config(): Promise<ConfigStore> {
    this.configStore ??= (async () => {
      const { ConfigStore } = await import('./config/config.js');
      return new ConfigStore((await this.paths()).config);
    })();
    return this.configStore;
  }

  store(): Promise<TokenStore> {
    this.tokenStore ??= (async () => {
      const [{ TokenStore }, { Keychain }, { join }, p] = await Promise.all([
        import('./store/token-store.js'),
        import('./store/keychain.js'),
        import('node:path'),
        this.paths(),
      ]);
      const store = new TokenStore({
        accountsPath: p.accounts,
        tokensPath: p.tokens,
        keychain: () =>
          new Keychain({
            childPath: join(this.runtimeDir, 'keychain-child.js'),
            env: this.env,
            debug: (line) => this.io.debug(line),
            clock: this.clock,
          }),
      });
      this.onDispose(() => store.close());
      return store;
    })();
    return this.tokenStore;
  }

  /** OAuth clients kept in the config (the secret in the keychain). */
  readonly clients: ClientSettings = {
    clientId: async (provider) => (await this.config()).value(`${provider}.client_id`),
    clientSecret: async (provider) => (await import('./workflows/config.js')).configSecret(this, `${provider}.client_secret`),
    save: async (provider, clientId, secret, insecure) => {
      const { configSet } = await import('./workflows/config.js');
      await configSet(this, `${provider}.client_id`, clientId, {});
      if (!secret) return undefined;
      return (await configSet(this, `${provider}.client_secret`, secret, { insecureStorage: insecure, quiet: true })).storage;
    },
  };

  /** Open a URL in a browser where a person can see it (never throws). */
  async openBrowser(url: string): Promise<OpenResult> {
    const { openBrowser } = await import('./auth/browser.js');
    return openBrowser(url, { env: this.env, interactive: this.io.stderrIsTTY });
  }

  /** An id on stdout at once (not with --json, where the one document carries it). */
  announce(id: string): void {
    if (!this.io.flags.json) this.io.out(id);
  }

  /** Endpoints of a provider: RDP_<ID>_URL, then `<id>.url` in the config, then sandbox/production. */
  async endpoints(p: Provider, sandbox?: boolean): Promise<Endpoints> {
    const [{ validateBaseUrl }, { UsageError }] = await Promise.all([import('./config/config.js'), import('./errors/errors.js')]);
    const envName = p.env.url;
    const envUrl = this.env[envName]?.trim() || undefined;
    let configUrl: string | undefined;
    try {
      if (envUrl) validateBaseUrl(envUrl, envName);
      configUrl = envUrl ? undefined : await (await this.config()).value(`${p.id}.url`);
      if (configUrl) validateBaseUrl(configUrl, `config key ${p.id}.url`);
      const ep = resolveEndpoints(p, { sandbox, envUrl, configUrl });
      if (sandbox && (envUrl || configUrl)) {
        this.io.warn(`--sandbox ignored: ${envUrl ? envName : `${p.id}.url in the config`} sets the ${ep.name} URL (${ep.api}).`);
      }
      return ep;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if ((err as { exitCode?: number }).exitCode !== undefined) throw err;
      throw new UsageError((err as Error).message, {
        hint: envUrl ? `Fix or unset ${envName}.` : configUrl || !p.site ? `Run \`rdp config set ${p.id}.url <url>\` or unset it.` : undefined,
      });
    }
  }

  async dispatcher(): Promise<Dispatcher> {
    if (!this.agent) {
      // (V8 flags for the process, --liftoff-only for undici's llhttp among them: bin/v8-flags.cjs.)
      const [{ Agent }, { httpLimits }] = await Promise.all([import('./http/undici-core.js'), (this.httpModule ??= import('./http/client.js'))]);
      // maxHeaderSize: Node's default (16 KiB), given here so that undici need not load node:http for it.
      this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 32, maxHeaderSize: 16 * 1024, connect: { timeout: httpLimits(this.env).connectTimeoutMs } });
    }
    return this.agent;
  }

  /** An HTTP client for a service (its descriptor names it, says what sets its base, and reads its error bodies). */
  readonly http: HttpFor = async (opts): Promise<HttpClient> => {
    this.httpModule ??= import('./http/client.js');
    const { HttpClient } = await this.httpModule;
    const { service, ...rest } = opts;
    return new HttpClient({
      ...rest,
      service: { id: service.id, name: service.name, urlEnv: service.env.url, baseSetting: baseSetting(service) },
      errorBody: service.errorBody,
      log: this.io,
      clock: this.clock,
      signal: this.signal,
      env: this.env,
      dispatcher: () => this.dispatcher(),
    });
  };

  onDispose(fn: () => Promise<void> | void): void {
    this.disposers.push(fn);
  }

  async dispose(): Promise<void> {
    for (const fn of this.disposers.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {});
    const agent = this.agent;
    this.agent = undefined;
    if (agent) await agent.destroy().catch(() => {});
  }
}

/** What chooses a service's base URL, for hints: the variable, the config key or the site's entry, --sandbox where there is one. */
function baseSetting(p: Provider): string {
  const sandbox = p.endpoints.sandbox !== undefined || p.site?.sandboxUrl !== undefined ? ', or --sandbox' : '';
  return p.site ? `${p.env.url} (or the address \`rdp sites list\` shows${sandbox})` : `${p.env.url} (or the config's ${p.id}.url${sandbox})`;
}
