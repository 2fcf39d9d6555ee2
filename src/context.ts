// What a command needs, built lazily (gh's Factory): `rdp --help` loads none of it, and a command that
// never needs the keychain never starts the keychain helper. The heavy pieces (HTTP layer, token store,
// config file) are imported on first use, so they stay out of the start-up path.
import type { Dispatcher } from 'undici';
import type { ConfigStore } from './config/config.js';
import type { IO } from './output/io.js';
import type { HttpClient, HttpClientOptions } from './http/client.js';
import type { Endpoints, ProviderId } from './providers/registry.js';
import type { TokenStore } from './store/token-store.js';

export interface ContextInit {
  io: IO;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  /** The directory of dist/cli.js (for the keychain helper). */
  runtimeDir: string;
}

export type HttpOptions = Omit<HttpClientOptions, 'log' | 'signal' | 'dispatcher' | 'env' | 'service' | 'errorBody' | 'clock'> & { provider: ProviderId };

export class Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly runtimeDir: string;
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
  }

  async paths() {
    const { paths } = await import('./config/paths.js');
    return paths(this.env);
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
          }),
      });
      this.onDispose(() => store.close());
      return store;
    })();
    return this.tokenStore;
  }

  /** Endpoints of a provider: RDP_<ID>_URL, then `<id>.url` in the config, then sandbox/production. */
  async endpoints(provider: ProviderId, sandbox?: boolean): Promise<Endpoints> {
    const [{ resolveEndpoints, urlEnv, validateBaseUrl }, { UsageError }] = await Promise.all([
      import('./providers/registry.js'),
      import('./errors/errors.js'),
    ]);
    const envName = urlEnv(provider);
    const envUrl = this.env[envName]?.trim() || undefined;
    try {
      if (envUrl) validateBaseUrl(envUrl, envName);
      const configUrl = envUrl ? undefined : await (await this.config()).value(`${provider}.url`);
      if (configUrl) validateBaseUrl(configUrl, `config key ${provider}.url`);
      const ep = resolveEndpoints(provider, { sandbox, envUrl, configUrl });
      if (sandbox && (envUrl || configUrl)) {
        this.io.warn(`--sandbox ignored: ${envUrl ? envName : `${provider}.url in the config`} sets the ${ep.name} URL (${ep.api}).`);
      }
      return ep;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if ((err as { exitCode?: number }).exitCode !== undefined) throw err;
      throw new UsageError((err as Error).message, {
        hint: envUrl ? `Fix or unset ${envName}.` : `Run \`rdp config set ${provider}.url <url>\` or unset it.`,
      });
    }
  }

  async dispatcher(): Promise<Dispatcher> {
    if (!this.agent) {
      // undici parses HTTP with a WebAssembly build of llhttp. V8's optimising tier recompiles it in
      // the background at the first request, which costs ~35 MB of peak memory and gains nothing at
      // rdp's request rates; the baseline compiler is kept (SPEC.md section 6: a 1 GiB upload stays
      // under 120 MB of RSS). Set before the first request compiles the module.
      (await import('node:v8')).setFlagsFromString('--liftoff-only');
      const [{ Agent }, { httpLimits }] = await Promise.all([import('./http/undici-core.js'), (this.httpModule ??= import('./http/client.js'))]);
      this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 32, connect: { timeout: httpLimits(this.env).connectTimeoutMs } });
    }
    return this.agent;
  }

  async http(opts: HttpOptions): Promise<HttpClient> {
    this.httpModule ??= import('./http/client.js');
    const [{ HttpClient }, { PROVIDERS, urlEnv }, { errorBodyReader }] = await Promise.all([this.httpModule, import('./providers/registry.js'), import('./providers/error-bodies.js')]);
    const { provider, ...rest } = opts;
    return new HttpClient({
      ...rest,
      service: { id: provider, name: PROVIDERS[provider].name, urlEnv: urlEnv(provider) },
      errorBody: errorBodyReader(provider),
      log: this.io,
      signal: this.signal,
      env: this.env,
      dispatcher: () => this.dispatcher(),
    });
  }

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
