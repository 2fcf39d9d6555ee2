// Which OAuth client rdp logs in with (SPEC.md section 2, "OAuth client registration"): `--client-id`
// / `--client-secret`, then RDP_<ID>_CLIENT_ID / RDP_<ID>_CLIENT_SECRET, then the config keys
// `<id>.client_id` and `<id>.client_secret` (the secret lives in the keychain). A secret given as a
// flag value is accepted with a warning; `--client-secret` without a value reads it from stdin (or a
// hidden prompt on a terminal), as `rdp config set` does.
import type { Context } from '../context.js';
import { KeychainError, UsageError } from '../errors/errors.js';
import { lowerFirst } from '../util/text.js';
import { promptHidden, readStdin } from '../output/prompt.js';
import type { Endpoints, ProviderId } from '../providers/registry.js';
import type { Storage } from '../store/types.js';
import type { Redirect } from './redirect.js';
import { guidedRegistration, guideParagraph, type RegistrationGuide, registrationGuide } from './register.js';

export type OAuthProviderId = Exclude<ProviderId, 'nomad'>;

export interface ClientFlags {
  clientId?: string | undefined;
  /** A value, or `true` for "read it from stdin". */
  clientSecret?: string | boolean | undefined;
}

export interface OAuthClientCreds {
  clientId: string;
  clientSecret?: string | undefined;
  /** Where the id came from, for messages (`--client-id`, `RDP_ZENODO_CLIENT_ID`, `config zenodo.client_id`). */
  idSource: string;
  secretSource?: string | undefined;
}

export function clientEnv(provider: ProviderId, what: 'ID' | 'SECRET'): string {
  return `RDP_${provider.toUpperCase()}_CLIENT_${what}`;
}

/**
 * No client configured. For a browser login: what to register (the exact redirect URI) and how to give
 * it to rdp, in one paragraph; for --client-credentials: the client only (no browser, no redirect).
 */
export function missingClientError(provider: OAuthProviderId, ep: Endpoints, what: 'id' | 'secret', guide: RegistrationGuide, command: string, clientCredentials: boolean): UsageError {
  const message =
    what === 'secret'
      ? `The OAuth client for ${ep.name} has no client secret configured${clientCredentials ? '; --client-credentials logs in as that client and needs it' : ''}.`
      : clientCredentials
        ? `No OAuth client for ${ep.name} is configured: --client-credentials logs in as your API client, so rdp needs its id and secret.`
        : `No OAuth client for ${ep.name} is configured, so rdp cannot start a browser login.`;
  if (what === 'secret') {
    return new UsageError(message, {
      hint: `Set ${clientEnv(provider, 'SECRET')}, or run \`printf %s "$SECRET" | rdp config set ${provider}.client_secret\` (it goes to the keychain), or pass --client-secret and pipe it.`,
    });
  }
  return new UsageError(message, { hint: guideParagraph(guide, command), details: { register: guide.page, redirectUri: clientCredentials ? undefined : guide.redirectUri } });
}

export interface ResolveClientOptions {
  secret: 'required' | 'optional';
  redirect: Redirect;
  clientCredentials: boolean;
  command: string;
  noBrowser: boolean;
  storage: Storage;
  /** Runs once the client is known, before anything is asked or opened (the keychain check). */
  ready: () => Promise<void>;
}

export async function resolveClient(
  ctx: Context,
  provider: OAuthProviderId,
  ep: Endpoints,
  flags: ClientFlags,
  opts: ResolveClientOptions,
): Promise<OAuthClientCreds> {
  const client = await findClient(ctx, provider, ep, flags, opts);
  await opts.ready();
  return client;
}

async function findClient(ctx: Context, provider: OAuthProviderId, ep: Endpoints, flags: ClientFlags, opts: ResolveClientOptions): Promise<OAuthClientCreds> {
  const config = await ctx.config();
  const idEnv = clientEnv(provider, 'ID');
  const secretEnv = clientEnv(provider, 'SECRET');

  let clientId: string | undefined;
  let idSource = '';
  if (flags.clientId?.trim()) {
    clientId = flags.clientId.trim();
    idSource = '--client-id';
  } else if (ctx.env[idEnv]?.trim()) {
    clientId = ctx.env[idEnv]?.trim();
    idSource = idEnv;
  } else {
    clientId = (await config.value(`${provider}.client_id`))?.trim();
    idSource = `config ${provider}.client_id`;
  }
  if (!clientId) {
    const emu = await emulatorClient(ctx, provider, ep);
    if (emu) {
      ctx.io.secret(emu.clientSecret);
      ctx.io.info(`Using the ready-made OAuth client of the rdp emulator at ${new URL(ep.web).host}.`);
      return emu;
    }
    const guide = registrationGuide(provider, ep, opts.redirect, { clientCredentials: opts.clientCredentials });
    if (ctx.io.canPrompt) {
      // The secret will go to the keychain: check it before asking anyone to register anything. Without
      // one, the missing client is still the first thing said (the keychain is the last).
      const keychain = await opts.ready().then(
        () => undefined,
        (err: unknown) => {
          if (err instanceof KeychainError) return err;
          throw err;
        },
      );
      if (!keychain) {
        const guided = await guidedRegistration(ctx, guide, ep, { noBrowser: opts.noBrowser, storage: opts.storage, command: opts.command });
        if (guided) return guided;
      } else {
        const e = missingClientError(provider, ep, 'id', guide, opts.command, opts.clientCredentials);
        throw new UsageError(e.message, {
          hint: `${e.hint} (rdp could walk you through registering one here, but ${lowerFirst(keychain.message)} Run it again with --insecure-storage, or set the variables.)`,
          details: e.details,
        });
      }
    }
    throw missingClientError(provider, ep, 'id', guide, opts.command, opts.clientCredentials);
  }
  if (/[\s\u0000-\u001f]/.test(clientId)) throw new UsageError(`The ${ep.name} client id from ${idSource} contains spaces or control characters.`);

  let clientSecret: string | undefined;
  let secretSource: string | undefined;
  if (typeof flags.clientSecret === 'string') {
    ctx.io.secret(flags.clientSecret);
    ctx.io.warn(`A secret given as an argument may stay in your shell history and the process list; next time pipe it: printf %s "$SECRET" | rdp login ${provider} --client-secret`);
    clientSecret = flags.clientSecret.trim();
    secretSource = '--client-secret';
  } else if (flags.clientSecret === true) {
    const raw = ctx.io.stdinIsTTY
      ? await promptHidden(ctx.io, `${ep.name} client secret (input hidden):`, `Pipe it: printf %s "$SECRET" | rdp login ${provider} --client-secret`)
      : await readStdin(ctx.io);
    ctx.io.secret(raw);
    clientSecret = raw.trim();
    secretSource = '--client-secret (stdin)';
    if (!clientSecret) throw new UsageError('--client-secret was given without a value and nothing came on stdin.', { hint: `printf %s "$SECRET" | rdp login ${provider} --client-secret` });
  } else if (ctx.env[secretEnv]?.trim()) {
    clientSecret = ctx.env[secretEnv]?.trim();
    secretSource = secretEnv;
  } else {
    const { configSecret } = await import('../workflows/config.js');
    clientSecret = (await configSecret(ctx, `${provider}.client_secret`))?.trim() || undefined;
    secretSource = clientSecret ? `config ${provider}.client_secret` : undefined;
  }
  ctx.io.secret(clientSecret);
  if (!clientSecret && opts.secret === 'required') {
    throw missingClientError(provider, ep, 'secret', registrationGuide(provider, ep, opts.redirect, opts), opts.command, opts.clientCredentials);
  }
  return { clientId, clientSecret, idSource, secretSource };
}

/**
 * The rdp emulator's ready-made client, when the service's base points at an emulator on this machine
 * and no client is configured: `rdp login <id>` then works against `rdp emulator` with only the
 * RDP_<ID>_URL lines exported. Asked only of loopback hosts the user chose (RDP_<ID>_URL or config).
 */
async function emulatorClient(ctx: Context, provider: OAuthProviderId, ep: Endpoints): Promise<OAuthClientCreds | undefined> {
  if (ep.origin !== 'env' && ep.origin !== 'config') return undefined;
  const origin = new URL(ep.web);
  if (origin.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(origin.hostname)) return undefined;
  try {
    const http = await ctx.http({ provider, base: origin.origin });
    const { data } = await http.json<{ services?: Record<string, { url?: string; oauth?: { clientId?: unknown; clientSecret?: unknown } }> }>({
      method: 'GET',
      path: `${origin.origin}/_emulator`,
      anonymous: true,
      retry: 'never',
      timeoutMs: 2000,
    });
    const svc = data?.services?.[provider];
    const o = svc?.oauth;
    // Only the emulator serving this very base.
    if (!svc || svc.url?.replace(/\/+$/, '') !== ep.web.replace(/\/+$/, '') || typeof o?.clientId !== 'string' || typeof o.clientSecret !== 'string') return undefined;
    return { clientId: o.clientId, clientSecret: o.clientSecret, idSource: 'the rdp emulator', secretSource: 'the rdp emulator' };
  } catch {
    return undefined;
  }
}
