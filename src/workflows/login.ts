// `rdp login <provider>`: pick the flow, check the credential with the provider, store it.
import type { LoginOptions } from '../commands/login.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
import { keychainAdvice } from '../store/keychain.js';
import type { IO } from '../output/io.js';
import { promptHidden, promptLine, readStdin } from '../output/prompt.js';
import { type Endpoints, PROVIDERS, type ProviderId } from '../providers/registry.js';
import type { Storage } from '../store/types.js';
import {
  checkOrcidFlag,
  checkTokenShape,
  type LoginResult,
  nomadPasswordLogin,
  parseDuration,
  saveLogin,
  verifyToken,
} from './token-login.js';

const NOMAD_MAX_LIFETIME = 30 * 86400; // providers.md 2.2: app_token_max_expires_in

export async function runLogin(ctx: Context, provider: ProviderId, opts: LoginOptions): Promise<LoginResult> {
  const info = PROVIDERS[provider];
  checkFlagCombinations(provider, opts);
  const orcid = checkOrcidFlag(opts.orcid);
  const lifetime = provider === 'nomad' ? checkLifetime(opts.lifetime) : 0;
  const ep = await ctx.endpoints(provider, opts.sandbox);
  const storage: Storage = opts.insecureStorage ? 'file' : 'keychain';

  // The keychain comes last: flags, configuration and the OAuth client are checked first (their errors
  // say what to fix), and the keychain is checked before anything is asked for or opened, so that
  // nobody types a password or approves in a browser for a login that cannot be kept.
  const ready = async () => {
    if (storage === 'keychain') {
      await (await ctx.store()).probeKeychain(ep.account).catch((err: unknown) => {
        throw keychainAdvice(err, { env: info.tokenEnv, what: `your ${info.name} login`, retry: 'add --insecure-storage to keep it in a 0600 file under your config directory' });
      });
    }
  };

  const envToken = ctx.env[info.tokenEnv]?.trim();
  if (envToken) {
    ctx.io.warn(`${info.tokenEnv} is set: rdp uses it before any stored login until you unset it.`);
  }

  if (opts.withToken) {
    // On a terminal the keychain is checked before asking; a piped token is checked for shape first.
    if (ctx.io.stdinIsTTY) await ready();
    const raw = ctx.io.stdinIsTTY
      ? await promptHidden(ctx.io, `Paste your ${info.name} token (input hidden):`, 'Pipe the token on stdin.')
      : await readStdin(ctx.io);
    ctx.io.secret(raw);
    const token = checkTokenShape(provider, raw);
    ctx.io.secret(token);
    if (!ctx.io.stdinIsTTY) await ready();
    const identity = await verifyToken(ctx, provider, ep, token, { orcid });
    return saveLogin(ctx, ep, token, identity, storage);
  }

  if (provider === 'nomad') {
    await ready();
    return nomadLogin(ctx, ep, opts, lifetime, storage);
  }

  const { runBrowserLogin } = await import('./browser-login.js');
  return runBrowserLogin(ctx, provider, ep, opts, storage, ready);
}

/** Flags that only a browser login (or a client-credentials login) uses. */
function browserFlags(opts: LoginOptions): string[] {
  const used: string[] = [];
  if (opts.browser === false) used.push('--no-browser');
  if (opts.port !== undefined) used.push('--port');
  if (opts.timeout !== undefined) used.push('--timeout');
  if (opts.scope?.length) used.push('--scope');
  if (opts.redirectUri !== undefined) used.push('--redirect-uri');
  if (opts.clientCredentials) used.push('--client-credentials');
  if (opts.clientId !== undefined) used.push('--client-id');
  if (opts.clientSecret !== undefined) used.push('--client-secret');
  if (opts.keyName !== undefined) used.push('--key-name');
  if (opts.readOnly) used.push('--read-only');
  return used;
}

function checkFlagCombinations(provider: ProviderId, opts: LoginOptions): void {
  if (provider !== 'nomad' && (opts.username !== undefined || opts.passwordStdin)) {
    throw new UsageError('--username and --password-stdin are for NOMAD only.');
  }
  if (provider !== 'orcid' && opts.orcid !== undefined) throw new UsageError('--orcid is for ORCID only.');
  if (opts.withToken && (opts.username !== undefined || opts.passwordStdin)) {
    throw new UsageError('Use either --with-token or --username/--password-stdin, not both.');
  }
  const browser = browserFlags(opts);
  if (browser.length && provider === 'nomad') {
    throw new UsageError(`NOMAD has no browser login, so ${browser.join(', ')} ${browser.length === 1 ? 'does' : 'do'} not apply.`, {
      hint: opts.withToken
        ? 'rdp login nomad --with-token < app-token.txt'
        : 'rdp login nomad --username jdoe   (asks for the password; or pipe it with --password-stdin), or --with-token',
    });
  }
  if (browser.length && opts.withToken) {
    throw new UsageError(`${browser.join(', ')} ${browser.length === 1 ? 'is' : 'are'} for browser logins; --with-token reads a token from stdin instead.`);
  }
  if (opts.passwordStdin && opts.username === undefined) {
    throw new UsageError('--password-stdin needs --username.', { hint: 'rdp login nomad --username jdoe --password-stdin' });
  }
}

function checkLifetime(value: string): number {
  const seconds = parseDuration(value);
  if (seconds <= 0 || seconds > NOMAD_MAX_LIFETIME) {
    throw new UsageError(`--lifetime must be more than 0 and at most 30 days (NOMAD's limit), not "${value}".`);
  }
  return seconds;
}

async function nomadLogin(ctx: Context, ep: Endpoints, opts: LoginOptions, lifetime: number, storage: Storage): Promise<LoginResult> {
  const noTty = 'Pass --username and pipe the password with --password-stdin, or use --with-token.';
  const username = opts.username ?? (await promptLine(ctx.io, 'NOMAD username: ', noTty));
  if (!username) throw new UsageError('A NOMAD username is needed.', { hint: noTty });
  const password = opts.passwordStdin
    ? (await readStdin(ctx.io)).replace(/\r?\n$/, '')
    : await promptHidden(ctx.io, `NOMAD password for ${username} (input hidden):`, noTty);
  if (!password) throw new UsageError('No password was given.', { hint: noTty });
  const { token, identity } = await nomadPasswordLogin(ctx, ep, username, password, lifetime);
  return saveLogin(ctx, ep, token, identity, storage);
}

export function describeUser(user: LoginResult['user']): string {
  const parts: string[] = [];
  if (user.orcid) parts.push(user.orcid);
  if (user.username) parts.push(user.username);
  if (user.name && user.name !== user.username) parts.push(user.name);
  if (user.email) parts.push(`<${user.email}>`);
  if (parts.length === 0 && user.id) parts.push(`user ${user.id}`);
  return parts.join(' ');
}

export function renderLogin(io: IO, r: LoginResult): string {
  const name = PROVIDERS[r.provider].name;
  const who = describeUser(r.user);
  io.success(`Logged in to ${name} (${r.host})${who ? ` as ${who}` : ''}.`);
  if (r.storage === 'file') {
    io.warn(`The token is stored in a plaintext file: ${r.location}. Anyone who can read that file can use it.`);
  } else {
    io.info(`Token stored in the ${r.location}.`);
  }
  if (r.expiresAt) {
    const ms = Date.parse(r.expiresAt) - Date.now();
    const hours = Math.round(ms / 3600_000);
    const days = Math.round(ms / 86400_000);
    const left = hours < 48 ? `${hours < 1 ? 'in under an hour' : `in ${hours} hour${hours === 1 ? '' : 's'}`}` : `in ${days} days`;
    const when = hours < 48 ? r.expiresAt.slice(0, 16).replace('T', ' ') + ' UTC' : r.expiresAt.slice(0, 10);
    if (r.renews) {
      io.info(`The token expires on ${when} (${left}); rdp renews it by itself before then.`);
    } else {
      io.info(`It expires on ${when} (${left}); run \`rdp login ${r.provider}\` again before then.`);
    }
  }
  return '';
}
