// Logging in: one of the provider's ways (a pasted token, a password exchanged for a token, a browser
// login with its redirect mode and OAuth client, or the client's own credentials), the credential
// checked with the service, then stored. Plain options in (commands/login.ts parses and checks the
// flags), a LoginResult out. The keychain is checked last, once everything the user must fix is known
// good, but before anything is asked for or opened: nobody types a password or approves in a browser
// for a login that cannot be kept.
import { type ClientFlags, clientEnv, configuredClientId, registrationGuide, resolveClient } from '../auth/client.js';
import { verifyToken } from '../auth/credentials.js';
import type { AuthPorts, BrowserLoginSettings, NewLogin } from '../auth/ports.js';
import { chooseRedirect, type Redirect, redirectText } from '../auth/redirect.js';
import { AuthDeniedError, UsageError } from '../errors/errors.js';
import { promptHidden, promptLine, readStdin } from '../output/prompt.js';
import type { Endpoints, Identity, Provider } from '../providers/types.js';
import { keychainAdvice } from '../store/keychain.js';
import { upperFirst } from '../util/text.js';
import type { AccountMeta, AccountUser, SecretName, Storage } from '../store/types.js';

export interface LoginResult {
  provider: string;
  host: string;
  account: string;
  user: AccountUser;
  scopes?: string[] | undefined;
  expiresAt?: string | null | undefined;
  storage: Storage;
  location: string;
  /** rdp renews the token by itself before it expires (a refresh token, or stored client credentials). */
  renews?: boolean | undefined;
}

/** How to log in, as the command decided from the flags. */
export type LoginMethod =
  | { kind: 'token'; /** Whose the token is (`--orcid`), for a service whose tokens do not say. */ owner?: string | undefined }
  | { kind: 'password'; username?: string | undefined; passwordStdin: boolean; lifetimeSeconds: number }
  | {
      kind: 'browser';
      redirect?: Redirect | undefined;
      port?: number | undefined;
      timeoutMs: number;
      noBrowser: boolean;
      scopes: string[];
      clientCredentials: boolean;
      client: ClientFlags;
      keyName?: string | undefined;
      readOnly?: boolean | undefined;
      /** Without a configured OAuth client, ask for a token instead (the provider's `withoutClient`). */
      orToken?: boolean | undefined;
    };

export interface LoginRequest {
  provider: Provider;
  sandbox: boolean;
  storage: Storage;
  method: LoginMethod;
  /** The command that runs this login again, for hints (`rdp login zenodo --sandbox`). */
  command: string;
}

export async function runLogin(ports: AuthPorts, req: LoginRequest): Promise<LoginResult> {
  const p = req.provider;
  const ep = await ports.endpoints(p, req.sandbox);
  const ready = async () => {
    if (req.storage === 'keychain') {
      await (await ports.store()).probeKeychain(ep.account).catch((err: unknown) => {
        throw keychainAdvice(err, { env: p.env.token, what: `your ${p.name} login`, retry: 'add --insecure-storage to keep it in a 0600 file under your config directory' });
      });
    }
  };
  if (ports.env[p.env.token]?.trim()) ports.log.warn(`${p.env.token} is set: rdp uses it before any stored login until you unset it.`);

  const m = req.method;
  let login: NewLogin;
  if (m.kind === 'token') login = await tokenLogin(ports, p, ep, m.owner, ready);
  else if (m.kind === 'password') login = await passwordLogin(ports, p, ep, m, ready);
  else login = await browserLogin(ports, req, ep, m, ready);
  return saveLogin(ports, p, ep, login, req.storage);
}

/** Reject what cannot be a token before sending it anywhere. */
export function checkTokenShape(p: Provider, raw: string): string {
  const token = raw.trim();
  if (!token) {
    throw new UsageError(`No ${p.name} token was given on stdin.`, {
      hint:
        `Pipe it in: \`rdp login ${p.id} --with-token < token.txt\` (on a terminal, the same command asks for it, hidden)` +
        (p.auth.password ? `, or let rdp make an app token from your password: \`rdp login ${p.id} --username jdoe\`.` : '.'),
    });
  }
  const malformed = (why: string) =>
    new AuthDeniedError('AUTH_INVALID', `That is not a ${p.name} token: ${why}. Nothing was stored.`, {
      hint: 'Paste only the token itself, on one line.',
    });
  if (/[\s\u0000-\u001f\u007f]/.test(token)) throw malformed('it contains spaces, line breaks or control characters');
  if (token.length > 8192) throw malformed('it is longer than 8 KiB');
  const why = p.auth.malformed?.(token);
  if (why) throw malformed(why);
  return token;
}

async function tokenLogin(ports: AuthPorts, p: Provider, ep: Endpoints, owner: string | undefined, ready: () => Promise<void>, noClient?: string): Promise<NewLogin> {
  const io = ports.terminal;
  // On a terminal the keychain is checked before asking; a piped token is checked for shape first.
  if (io.stdinIsTTY) await ready();
  if (noClient && io.stdinIsTTY) io.notice(`No OAuth client for ${p.name} is configured, so rdp asks for a personal token (${p.auth.tokenHelp.replace('<web>', ep.web)}). For a browser login instead: ${noClient}`);
  const raw = io.stdinIsTTY ? await promptHidden(io, `Paste your ${p.name} token (input hidden):`, 'Pipe the token on stdin.') : await readStdin(io);
  ports.log.secret(raw);
  if (noClient && !raw.trim()) {
    throw new UsageError(`No OAuth client for ${p.name} is configured and ${io.stdinIsTTY ? 'no token was pasted' : 'no token came on stdin'}, so rdp cannot log in.`, {
      hint: `${upperFirst(p.auth.tokenHelp.replace('<web>', ep.web))}, then pipe it: \`rdp login ${p.id} --with-token < token.txt\`. For a browser login: ${noClient}`,
    });
  }
  const token = checkTokenShape(p, raw);
  ports.log.secret(token);
  if (!io.stdinIsTTY) await ready();
  return { token, identity: await verifyToken(ports, p, ep, token, { owner }) };
}

async function passwordLogin(ports: AuthPorts, p: Provider, ep: Endpoints, m: LoginMethod & { kind: 'password' }, ready: () => Promise<void>): Promise<NewLogin> {
  const password = p.auth.password;
  if (!password) throw new UsageError(`${p.name} has no password login.`);
  await ready();
  const io = ports.terminal;
  const noTty = 'Pass --username and pipe the password with --password-stdin, or use --with-token.';
  const username = m.username ?? (await promptLine(io, `${p.name} username: `, noTty));
  if (!username) throw new UsageError(`A ${p.name} username is needed.`, { hint: noTty });
  const pw = m.passwordStdin ? (await readStdin(io)).replace(/\r?\n$/, '') : await promptHidden(io, `${p.name} password for ${username} (input hidden):`, noTty);
  if (!pw) throw new UsageError('No password was given.', { hint: noTty });
  const { providerPorts } = await import('../auth/credentials.js');
  return password.login(providerPorts(ports, p, ep), ep, username, pw, m.lifetimeSeconds);
}

/** What to register when the browser never comes back to the listener (the timeout's hint). */
function mismatchHint(p: Provider, r: Redirect): string | undefined {
  const oauth = p.auth.oauth;
  const uri = oauth?.redirectToRegister(r) ?? redirectText(r);
  const own = oauth?.mismatchHint?.(r, uri);
  if (own) return own;
  if (r.kind === 'loopback') return `If the service said the redirect URI does not match, register ${uri} with your OAuth client (${oauth?.matchingNote(r)}), or use the port you registered with --port.`;
  return `Your OAuth client must be registered with the redirect URI ${uri}.`;
}

async function browserLogin(ports: AuthPorts, req: LoginRequest, ep: Endpoints, m: LoginMethod & { kind: 'browser' }, ready: () => Promise<void>): Promise<NewLogin> {
  const p = req.provider;
  const oauth = p.auth.oauth;
  if (!oauth) throw new UsageError(`${p.name} has no browser login.`);
  const choice = await chooseRedirect(ports, p, { redirect: m.redirect, port: m.port });
  const settings: BrowserLoginSettings = {
    flow: {
      redirect: choice.redirect,
      portHint: choice.portHint,
      mismatchHint: mismatchHint(p, choice.redirect),
      codeLifetime: oauth.codeLifetime,
      timeoutMs: m.timeoutMs,
      noBrowser: m.noBrowser,
      command: req.command,
    },
    scopes: m.scopes,
    clientCredentials: m.clientCredentials,
    keyName: m.keyName,
    readOnly: m.readOnly,
  };
  oauth.checkSettings?.(settings);
  if (m.orToken && !(await configuredClientId(ports, p))) {
    const guide = registrationGuide(p, ep, choice.redirect);
    const fields = guide.fields.map(([k, v]) => `${k}: ${v.replace(/\s{3}\(/, ' (')}`).join('; ');
    const how = `register an OAuth client at ${guide.page} (${fields}), then set ${clientEnv(p.id, 'ID')} and ${clientEnv(p.id, 'SECRET')} (or \`rdp config set ${p.id}.client_id <id>\`) and run \`${req.command}\` again.`;
    return tokenLogin(ports, p, ep, undefined, ready, how);
  }
  const client = await resolveClient(ports, p, ep, m.client, {
    redirect: choice.redirect,
    clientCredentials: m.clientCredentials,
    command: req.command,
    noBrowser: m.noBrowser,
    storage: req.storage,
    ready,
  });
  return oauth.login(ports, p, ep, client, settings);
}

/** Store a checked login and describe where it went. */
export async function saveLogin(ports: AuthPorts, p: Provider, ep: Endpoints, login: NewLogin, storage: Storage): Promise<LoginResult> {
  const { token, identity } = login;
  const secrets: Partial<Record<SecretName, string>> = login.secrets ?? {};
  const now = new Date(ports.clock.now()).toISOString();
  const store = await ports.store();
  const previous = await store.accounts.get(ep.account);
  const replaces = p.auth.oauth?.clientCredentials?.replaces;
  if (identity.grant === 'client_credentials' && previous && previous.grant !== 'client_credentials' && replaces) {
    // A client's own token is not a person's login: say what is being replaced.
    const who = [previous.user?.orcid, previous.user?.name ?? previous.user?.username].filter(Boolean).join(' ');
    ports.log.warn(
      `This replaces your personal ${ep.name} login${who ? ` (${who})` : ''} with your API client's own token: ${replaces} To get your own login back: \`rdp login ${ep.provider}\`.`,
    );
  }
  const meta: AccountMeta = {
    provider: ep.provider,
    account: ep.account,
    host: ep.host,
    api: ep.api,
    storage,
    user: identity.user,
    scopes: identity.scopes,
    expiresAt: identity.expiresAt,
    grant: identity.grant,
    clientId: identity.clientId,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await store.save({ token, secrets, meta }, storage);
  const { keychainName } = await import('../store/keychain.js');
  return {
    provider: ep.provider,
    host: ep.host,
    account: ep.account,
    user: identity.user,
    scopes: identity.scopes,
    expiresAt: identity.expiresAt,
    storage,
    renews: Boolean(secrets.refresh_token) || (identity.grant === 'client_credentials' && Boolean(secrets.client_secret)) || undefined,
    location: storage === 'file' ? store.file.describe() : `${keychainName()} (service rdp, account ${ep.account})`,
  };
}

export type { Identity };
