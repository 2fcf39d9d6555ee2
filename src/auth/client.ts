// Which OAuth client rdp logs in with (SPEC.md section 2, "OAuth client registration"): `--client-id`
// / `--client-secret`, then RDP_<ID>_CLIENT_ID / RDP_<ID>_CLIENT_SECRET, then the config keys
// `<id>.client_id` and `<id>.client_secret` (the secret lives in the keychain). A secret given as a
// flag value is accepted with a warning; `--client-secret` without a value reads it from stdin (or a
// hidden prompt on a terminal), as `rdp config set` does. Without any client, a terminal user is
// offered to register one step by step (the service's registration form, field by field, from its
// descriptor); otherwise the error says the same in one paragraph. Tests and `rdp emulator` hand their
// clients in through RDP_<ID>_CLIENT_ID / _SECRET like anyone else.
import { CancelledError, KeychainError, UsageError } from '../errors/errors.js';
import { promptHidden, promptLine, readStdin } from '../output/prompt.js';
import type { Endpoints, Provider } from '../providers/types.js';
import type { Storage } from '../store/types.js';
import { lowerFirst } from '../util/text.js';
import type { AuthPorts } from './ports.js';
import type { Redirect } from './redirect.js';

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

export function clientEnv(provider: string, what: 'ID' | 'SECRET'): string {
  return `RDP_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_${what}`;
}

export interface RegistrationGuide {
  provider: string;
  /** Where to register. */
  page: string;
  /** What to enter, field by field: [label, value]. */
  fields: [string, string][];
  /** The redirect URI to register (also among the fields). */
  redirectUri: string;
  /** What the service calls the two values it then shows. */
  idLabel: string;
  secretLabel: string;
  /** Whether a secret is needed (Zenodo's public clients have none). */
  secret: 'required' | 'optional';
  /** A sentence about scopes. */
  scopes: string;
  /** What a token is called there ("a token", "an API key"), for the way around a browser login. */
  tokenWord?: string | undefined;
}

/** The registration for this login, from the service's descriptor. */
export function registrationGuide(p: Provider, ep: Endpoints, redirect: Redirect, opts: { clientCredentials?: boolean | undefined } = {}): RegistrationGuide {
  const oauth = p.auth.oauth;
  if (!oauth) throw new UsageError(`${p.name} has no browser login.`);
  return { provider: p.id, ...oauth.registration(ep, redirect, opts) };
}


function configureWays(provider: string): string {
  return (
    `set ${clientEnv(provider, 'ID')} and ${clientEnv(provider, 'SECRET')}, or run \`rdp config set ${provider}.client_id <id>\` and ` +
    `\`printf %s "$SECRET" | rdp config set ${provider}.client_secret\``
  );
}

/** The whole registration in one paragraph (the error without a terminal). */
export function guideParagraph(g: RegistrationGuide, command: string): string {
  const fields = g.fields.map(([k, v]) => `${k}: ${v.replace(/\s{3}\(/, ' (')}`).join('; ');
  return `Register one at ${g.page} with ${fields}. ${g.scopes} Then ${configureWays(g.provider)}, and run \`${command}\` again. Or log in with ${g.tokenWord ?? 'a token'}: \`rdp login ${g.provider} --with-token\`.`;
}

/**
 * No client configured. For a browser login: what to register (the exact redirect URI) and how to give
 * it to rdp, in one paragraph; for --client-credentials: the client only (no browser, no redirect).
 */
export function missingClientError(p: Provider, ep: Endpoints, what: 'id' | 'secret', guide: RegistrationGuide, command: string, clientCredentials: boolean): UsageError {
  const message =
    what === 'secret'
      ? `The OAuth client for ${ep.name} has no client secret configured${clientCredentials ? '; --client-credentials logs in as that client and needs it' : ''}.`
      : clientCredentials
        ? `No OAuth client for ${ep.name} is configured: --client-credentials logs in as your API client, so rdp needs its id and secret.`
        : `No OAuth client for ${ep.name} is configured, so rdp cannot start a browser login.`;
  if (what === 'secret') {
    return new UsageError(message, {
      hint: `Set ${clientEnv(p.id, 'SECRET')}, or run \`printf %s "$SECRET" | rdp config set ${p.id}.client_secret\` (it goes to the keychain), or pass --client-secret and pipe it.`,
    });
  }
  return new UsageError(message, { hint: guideParagraph(guide, command), details: { register: guide.page, redirectUri: clientCredentials ? undefined : guide.redirectUri } });
}

/** The client id configured for a provider (RDP_<ID>_CLIENT_ID, else `<id>.client_id`), if any. */
export async function configuredClientId(ports: Pick<AuthPorts, 'env' | 'clients'>, p: Provider): Promise<string | undefined> {
  return ports.env[clientEnv(p.id, 'ID')]?.trim() || (await ports.clients.clientId(p.id))?.trim() || undefined;
}

export interface ResolveClientOptions {
  redirect: Redirect;
  clientCredentials: boolean;
  command: string;
  noBrowser: boolean;
  storage: Storage;
  /** Runs once the client is known, before anything is asked or opened (the keychain check). */
  ready: () => Promise<void>;
}

/** The client of this login (found, or registered on the spot), then the last check (`ready`). */
export async function resolveClient(ports: AuthPorts, p: Provider, ep: Endpoints, flags: ClientFlags, opts: ResolveClientOptions): Promise<OAuthClientCreds> {
  const client = await findClient(ports, p, ep, flags, opts);
  await opts.ready();
  return client;
}

async function findClient(ports: AuthPorts, p: Provider, ep: Endpoints, flags: ClientFlags, opts: ResolveClientOptions): Promise<OAuthClientCreds> {
  const { terminal: io } = ports;
  const provider = p.id;
  const idEnv = clientEnv(provider, 'ID');
  const secretEnv = clientEnv(provider, 'SECRET');
  const secretNeeded = p.auth.oauth?.clientSecret ?? 'required';

  let clientId: string | undefined;
  let idSource = '';
  if (flags.clientId?.trim()) {
    clientId = flags.clientId.trim();
    idSource = '--client-id';
  } else if (ports.env[idEnv]?.trim()) {
    clientId = ports.env[idEnv]?.trim();
    idSource = idEnv;
  } else {
    clientId = (await ports.clients.clientId(provider))?.trim();
    idSource = `config ${provider}.client_id`;
  }
  if (!clientId) {
    const guide = registrationGuide(p, ep, opts.redirect, { clientCredentials: opts.clientCredentials });
    if (io.canPrompt) {
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
        const guided = await guidedRegistration(ports, guide, ep, { noBrowser: opts.noBrowser, storage: opts.storage, command: opts.command });
        if (guided) return guided;
      } else {
        const e = missingClientError(p, ep, 'id', guide, opts.command, opts.clientCredentials);
        throw new UsageError(e.message, {
          hint: `${e.hint} (rdp could walk you through registering one here, but ${lowerFirst(keychain.message)} Run it again with --insecure-storage, or set the variables.)`,
          details: e.details,
        });
      }
    }
    throw missingClientError(p, ep, 'id', guide, opts.command, opts.clientCredentials);
  }
  if (/[\s\u0000-\u001f]/.test(clientId)) throw new UsageError(`The ${ep.name} client id from ${idSource} contains spaces or control characters.`);

  let clientSecret: string | undefined;
  let secretSource: string | undefined;
  if (typeof flags.clientSecret === 'string') {
    ports.log.secret(flags.clientSecret);
    ports.log.warn(`A secret given as an argument may stay in your shell history and the process list; next time pipe it: printf %s "$SECRET" | rdp login ${provider} --client-secret`);
    clientSecret = flags.clientSecret.trim();
    secretSource = '--client-secret';
  } else if (flags.clientSecret === true) {
    const raw = io.stdinIsTTY
      ? await promptHidden(io, `${ep.name} client secret (input hidden):`, `Pipe it: printf %s "$SECRET" | rdp login ${provider} --client-secret`)
      : await readStdin(io);
    ports.log.secret(raw);
    clientSecret = raw.trim();
    secretSource = '--client-secret (stdin)';
    if (!clientSecret) throw new UsageError('--client-secret was given without a value and nothing came on stdin.', { hint: `printf %s "$SECRET" | rdp login ${provider} --client-secret` });
  } else if (ports.env[secretEnv]?.trim()) {
    clientSecret = ports.env[secretEnv]?.trim();
    secretSource = secretEnv;
  } else {
    clientSecret = (await ports.clients.clientSecret(provider))?.trim() || undefined;
    secretSource = clientSecret ? `config ${provider}.client_secret` : undefined;
  }
  ports.log.secret(clientSecret);
  // --client-credentials logs in as the client: its secret is needed even where a browser login goes without.
  if (!clientSecret && (secretNeeded === 'required' || opts.clientCredentials)) {
    throw missingClientError(p, ep, 'secret', registrationGuide(p, ep, opts.redirect, opts), opts.command, opts.clientCredentials);
  }
  return { clientId, clientSecret, idSource, secretSource };
}

/**
 * On a terminal: offer to register a client now, show the values, read them back and store them.
 * Returns the client, or undefined when the user declines (the caller then reports the error).
 */
export async function guidedRegistration(
  ports: AuthPorts,
  g: RegistrationGuide,
  ep: Endpoints,
  opts: { noBrowser: boolean; storage: Storage; command: string },
): Promise<OAuthClientCreds | undefined> {
  const io = ports.terminal;
  io.notice(`No OAuth client for ${ep.name} is configured yet. rdp can walk you through registering one (about a minute).`);
  const answer = (await promptLine(io, 'Register one now? [Y/n] ', '')).toLowerCase();
  if (answer && !/^y(es)?$/.test(answer)) return undefined;

  io.notice('');
  io.notice(`1. Open ${g.page} (log in to ${ep.name} if asked).`);
  io.notice('2. Fill in:');
  for (const [label, value] of g.fields) io.notice(`     ${label}: ${value}`);
  io.notice(`   ${g.scopes}`);
  io.notice(`3. Save it; ${ep.name} then shows the ${g.idLabel} and the ${g.secretLabel}. Copy them here.`);
  if (!opts.noBrowser) {
    const opened = await ports.openBrowser(g.page);
    if (opened.opened) io.info(`Opened the registration page ${opened.how}.`);
  }
  io.notice('');
  const clientId = (await promptLine(io, `${g.idLabel}: `, '')).trim();
  if (!clientId) throw new CancelledError('No client id was given; nothing was stored.');
  if (/[\s\u0000-\u001f]/.test(clientId)) throw new UsageError(`That ${g.idLabel} contains spaces or control characters.`, { hint: `Run \`${opts.command}\` again and paste only the id.` });
  const secret = (
    await promptHidden(io, `${g.secretLabel} (input hidden${g.secret === 'optional' ? '; press Enter if you chose a public client' : ''}):`, '')
  ).trim();
  ports.log.secret(secret);
  if (!secret && g.secret === 'required') throw new CancelledError(`No ${g.secretLabel} was given; nothing was stored.`);

  const storage = await ports.clients.save(g.provider, clientId, secret || undefined, opts.storage === 'file');
  const secretWhere = !secret ? '' : storage === 'keychain' ? ' (the secret in the keychain)' : ' (the secret in the config file: --insecure-storage)';
  io.success(`Saved the ${ep.name} OAuth client as ${g.provider}.client_id${secretWhere}. Going on with the login.`);
  return {
    clientId,
    clientSecret: secret || undefined,
    idSource: `config ${g.provider}.client_id`,
    secretSource: secret ? `config ${g.provider}.client_secret` : undefined,
  };
}
