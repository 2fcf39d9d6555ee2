// What a provider is: one descriptor per service (src/providers/<id>/index.ts), listed once in
// src/providers/index.ts. Everything rdp knows about a service lives behind it: its endpoints and
// environment names, how it authenticates (headers, refusals, error bodies, token check, login flows,
// client registration) and the optional capabilities that make it take part in a command: `deposit`
// (rdp upload --to <id>), `list` (rdp uploads list), `dmp` (rdp dmps, a deposit's DMP link), `works`
// (an ORCID identity as creator, a work on the record), `library` (a reference library entry).
// `publish` (rdp publish --on <id>, and the same steps after rdp upload --publish).
// Commands, workflows and auth/ see services only through this interface: none of them branches on
// a provider id.
import type { Redirect } from '../auth/redirect.js';
import type { OAuthClientCreds, RegistrationGuide } from '../auth/client.js';
import type { AuthPorts, BrowserLoginSettings, NewLogin } from '../auth/ports.js';
import type { HttpClient } from '../http/client.js';
import type { ErrorBodyReader, ParsedError } from '../http/errors.js';
import type { ResponseHeaders } from '../http/headers.js';
import type { Clock, Log } from '../ports.js';
import type { IO } from '../output/io.js';
import type { Step } from '../publish/steps.js';
import type { UploadState } from '../store/upload-state.js';
import type { AccountUser, Grant, TokenSource } from '../store/types.js';

export type { AccountUser } from '../store/types.js';

/** Where a service's endpoints live. `web` serves OAuth pages, `api` the REST API. */
export interface Bases {
  web: string;
  api: string;
  /** The host part of the keychain account `<provider>@<host>`. */
  accountHost: string;
}

/** A provider's endpoints as chosen for one run (production, sandbox, RDP_<ID>_URL or the config). */
export interface Endpoints {
  provider: string;
  name: string;
  web: string;
  api: string;
  /** Keychain account: `<provider>@<host>`. */
  account: string;
  host: string;
  /** What selected these endpoints, for `auth status` and hints. */
  origin: 'production' | 'sandbox' | 'env' | 'config';
  sandbox: boolean;
}

/**
 * How a service says "this credential does not work". `refused`: the service cannot say which
 * (Zenodo's 403: invalid, revoked or lacking a scope; it never answers 401).
 */
export type AuthFailure = {
  kind: 'invalid' | 'expired' | 'scope' | 'refused';
  detail: string;
  /** For `scope`: the scopes the server said the request needs, when it said so. */
  scopes?: string[] | undefined;
};
/** Looks at an error response: an auth failure, or undefined (not an authentication problem). */
export type AuthClassifier = (status: number, parsed: ParsedError, headers: ResponseHeaders) => AuthFailure | undefined;

/** What a service told rdp about a token. */
export interface Identity {
  user: AccountUser;
  scopes?: string[] | undefined;
  /** ISO time, null = never expires, undefined = unknown. */
  expiresAt?: string | null | undefined;
  grant: Grant;
  clientId?: string | undefined;
}

/** What a provider's code is handed: HTTP clients bound to its endpoints, a log, a clock. */
export interface ProviderPorts {
  log: Log;
  clock: Clock;
  signal: AbortSignal;
  /** A client that sends `token` and turns refusals into "the token was rejected; nothing was stored". */
  verifyHttp(token: string, base?: string): Promise<HttpClient>;
  /** A client without credentials (token endpoints, public pages), with an optional error mapping. */
  anonymousHttp(base: string, mapError?: (status: number, parsed: ParsedError) => Error | undefined): Promise<HttpClient>;
}

/** How a service authenticates. */
export interface ProviderAuth {
  /** The credential as request headers (Bearer, Zotero-API-Key …). */
  header(token: string): Record<string, string>;
  classify: AuthClassifier;
  /** The scopes rdp needs, for a refusal that does not say which is missing ("deposit:write and deposit:actions"). */
  needs?: string | undefined;
  /** Why `token` cannot be this service's (checked before it is sent anywhere), or undefined. */
  malformed?(token: string): string | undefined;
  /** Where a person gets a token by hand, for hints (`<web>` is replaced by the web base). */
  tokenHelp: string;
  /** Ask the service who a token belongs to; an exit-4 error when it refuses. */
  verify(ports: ProviderPorts, ep: Endpoints, token: string, hint: { owner?: string | undefined }): Promise<Identity>;
  /** The token alone does not say whose it is: `rdp login <id> --with-token --orcid <iD>`. */
  owner?: { describe: string; parse(value: string): string } | undefined;
  /** A login with username and password (NOMAD). */
  password?: PasswordLogin | undefined;
  /** Browser logins (OAuth 2 authorization code, or OAuth 1.0a). */
  oauth?: OAuthLogin | undefined;
}

export interface PasswordLogin {
  /** The longest token lifetime the service issues, seconds (NOMAD: 30 days). */
  maxLifetimeSeconds: number;
  /** Username and password for a token that lives `lifetimeSeconds`. The password is never stored. */
  login(ports: ProviderPorts, ep: Endpoints, username: string, password: string, lifetimeSeconds: number): Promise<{ token: string; identity: Identity }>;
}

/** A service's browser login: how it matches redirect URIs, what to register, and the flow itself. */
export interface OAuthLogin {
  protocol: 'oauth2' | 'oauth1';
  /** The redirect used when nothing is configured. */
  defaultRedirect: Redirect;
  /** The config keys `<id>.redirect_uri` / `<id>.port` exist for this service. */
  config: { redirectUri: boolean; port: boolean };
  /** How long its codes live ("about 100 seconds"), for the paste hints. */
  codeLifetime?: string | undefined;
  /** A client secret is needed (Zenodo's public clients have none). */
  clientSecret: 'required' | 'optional';
  /** The service lets an API client log in as itself (no browser): the scopes asked for. */
  clientCredentials?: { scopes: string[]; replaces: string } | undefined;
  /** Zotero's new-key form options (--key-name, --read-only). */
  keyOptions?: boolean | undefined;
  /** A sentence on how the service matches a redirect URI, for hints. */
  matchingNote(r: Redirect): string;
  /** The redirect URI to register for this choice. */
  redirectToRegister(r: Redirect): string;
  /** What to say when the browser never came back to the listener, when the generic hint is not enough. */
  mismatchHint?(r: Redirect, uri: string): string | undefined;
  /** What the registration form asks, field by field, and what to enter. */
  registration(ep: Endpoints, redirect: Redirect, opts: { clientCredentials?: boolean | undefined }): Omit<RegistrationGuide, 'provider'>;
  /** The token endpoint answers 404 for an unknown client (Zenodo). */
  notFoundIsInvalidClient?: boolean | undefined;
  /** A stored login can be renewed (refresh token, client credentials). */
  renewable: boolean;
  /**
   * `token`: the login needs a client the user registers on their own (an InvenioRDM site); while none
   * is configured (no --client-id, RDP_<ID>_CLIENT_ID or `<id>.client_id`), `rdp login <id>` without
   * browser flags asks for a personal token instead of starting a browser login.
   */
  withoutClient?: 'token' | undefined;
  /** Checks the login's settings (scopes and the like) before anything is looked up or opened. */
  checkSettings?(s: BrowserLoginSettings): void;
  /** Authorize parameters that come from the settings (Zotero's new-key form pre-fill). */
  authorizeParams?(s: BrowserLoginSettings): Record<string, string>;
  /** What to say when the service refuses the scopes asked for (invalid_scope), when the generic hint is not enough. */
  scopeRefusedHint?: string | undefined;
  /** --port refused where the service logs in out-of-band (DMPTool): what to say instead. */
  portRefused?: { message: string; hint: string } | undefined;
  /** The flow: from a known client to a new login (not yet stored). */
  login(ports: AuthPorts, p: Provider, ep: Endpoints, client: OAuthClientCreds, s: BrowserLoginSettings): Promise<NewLogin>;
}

// ---- capabilities -------------------------------------------------------------------------------

/**
 * An option of a command as data: commands/options.ts builds the commander option from it, and the
 * printed resume command is built from the same data.
 */
export interface OptionSpec {
  /** As commander takes it: `--deposition <id>`, `--zotero`, `--no-wait`. */
  flags: string;
  description: string;
  /** A repeatable value (collected into a list). */
  repeatable?: boolean | undefined;
  choices?: readonly string[] | undefined;
  /** Checks and converts a value (throws UsageError). */
  parse?: ((value: string) => unknown) | undefined;
  /** Left out of the resume command (it chose the target, which the resume names instead). */
  notResumed?: boolean | undefined;
}

/** The local files of an upload as the workflow hands them to a deposit target. */
export interface DepositInput {
  paths: string[];
  cwd: string;
  publish: boolean;
  dryRun: boolean;
  sandbox: boolean;
  includeHidden: boolean;
  exclude: string[];
  /** The target's own options, keyed by their commander attribute names. */
  options: Record<string, unknown>;
  /** The same, as the target read them (its readOptions). */
  read: unknown;
  /** The command that resumes this upload into deposit `id` (printed after Ctrl-C or a failure). */
  resume(id: string | number): string;
}

/** The deposit provider's login for this run: an authenticated client and what it came from. */
export interface DepositLogin {
  http: HttpClient;
  endpoints: Endpoints;
  token: string;
  source: TokenSource;
  /** The variable the token came from, when source = env. */
  envVar?: string | undefined;
  /** `rdp login <id>` (with --sandbox where it applies), for hints. */
  loginCommand: string;
}

/** What a deposit target is given beside its input. */
export interface DepositPorts {
  log: Log;
  /** The terminal, for progress bars and spinners only (nothing is drawn with --json or --quiet). */
  terminal: IO;
  clock: Clock;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** The provider's login; with `optional`, null when there is none (a dry run). */
  login(opts?: { optional?: boolean }): Promise<DepositLogin | null>;
  /** Its endpoints for this run. */
  endpoints(): Promise<Endpoints>;
  /** Other providers' capabilities, composed by the workflow (an ORCID creator, a DMP link, a library entry). */
  links: DepositLinks;
  /** What upload commands remember between runs (re-run safety). */
  state: UploadState;
  /** stdout at once: an id a script needs even if the run ends badly (NOMAD's upload id); not with --json. */
  announce(id: string): void;
}

/**
 * Cross-provider steps a deposit may ask for; the workflow decides who answers them (the providers
 * with `works`, `dmp`, `library`). `flag` is the deposit's own option that asked, for messages.
 */
export interface DepositLinks {
  /** The logged-in researcher as a creator: "Family, Given" and the ORCID iD. `instead`: the way without a login. */
  creator(opts: { sandbox: boolean; flag: string; instead: string }): Promise<{ name: string; orcid: string }>;
  /** A DMP reference (a DOI, a plan number or URL) as the identifier to link: the DMP's DOI, or its URL. */
  dmp(value: string, flag: string): Promise<string>;
  /**
   * Whether steps that follow publishing (the links this command asks for) are not all done for
   * `record` (the publish journal's key): then the same command after a failed step goes on with them
   * instead of refusing to publish again.
   */
  unfinished(record: string): Promise<boolean>;
}

/** A published record, as a reference library takes it. */
export interface PublishedRecord {
  title: string;
  /** "Family, Given", or an organisation's name. */
  creators: string[];
  /** YYYY-MM-DD. */
  date: string;
  doi: string;
  url: string;
  /** The repository's name ("Zenodo"). */
  repository: string;
  keywords: string[];
  version?: string | undefined;
  /** May hold limited HTML. */
  description?: string | undefined;
  license?: string | undefined;
}

/**
 * One result shape for every upload (--json): what was deposited where, whatever the service. A target
 * adds its own fields beside these (Zenodo's metadata, NOMAD's processing status).
 */
export interface Deposit {
  provider: string;
  dryRun: boolean;
  /** The deposit's id on the service (a Zenodo deposition number, a NOMAD upload id); null in a dry run that would create one. */
  id: number | string | null;
  /** Its page. */
  url: string | null;
  /** Its DOI (final, or reserved), when the service gives one. */
  doi: string | null;
  published: boolean;
  files: DepositFile[];
  /** What the named folders left out, and why. */
  skipped: { path: string; why: string }[];
  bytesSent: number;
  notes: string[];
}

export interface DepositFile {
  name: string;
  size: number;
  action: 'upload' | 'replace' | 'skip' | 'delete' | 'keep';
  md5?: string | undefined;
}

export interface DepositTarget {
  /** Its options as data (`rdp upload --to <id>` takes them; the others' are refused). */
  options: readonly OptionSpec[];
  /** The option that names an existing deposit, for the resume command (`deposition`). */
  resumeOption?: string | undefined;
  /**
   * Reads its options (and checks their combination: a UsageError naming the flags) before the workflow
   * runs; what it returns reaches `run` as `input.read`.
   */
  readOptions(input: Pick<DepositInput, 'options' | 'publish'>): unknown;
  /** Help after the option list, and examples. */
  help: string;
  examples: readonly string[];
  /** The code that uploads, loaded when a command uses it (the descriptor stays light for `--help`). */
  load(): Promise<{
    /** Upload; returns the Deposit (with the target's own fields). */
    run(ports: DepositPorts, input: DepositInput): Promise<Deposit>;
    /** The human rendering of its result (stdout: data only). */
    render(io: IO, result: Deposit): string;
    /** The next step for a person, printed on stderr after the result (none with --json or --quiet). */
    next?(result: Deposit): string | undefined;
  }>;
}

/** `rdp uploads list`: a service's uploads, newest first. */
export interface UploadLister {
  /** A help line on its columns (`rdp uploads list --help`). */
  columns: string;
  /** The code that lists, loaded when a command uses it. */
  load(): Promise<Lister>;
}

export interface Lister<Row = unknown> {
  list(http: HttpClient, q: ListQuery): Promise<Listed<Row>>;
  render(io: IO, rows: Row[]): string;
}

export interface ListQuery {
  status?: 'draft' | 'published' | undefined;
  /** undefined = every upload (--all). */
  limit?: number | undefined;
}

/** A service's rows, and what --limit left out. */
export interface Listed<Row> {
  rows: Row[];
  /** Uploads beyond `rows`: a count when the service states one, true when it only shows that more exist. */
  more: number | boolean;
}

/** Data management plans (DMPTool): `rdp dmps`, and a deposit's DMP link. */
export interface DmpSource {
  /** The code, loaded when a command uses it. */
  load(): Promise<typeof import('./dmptool/dmp.js')>;
}

/**
 * What a link to another service came to (`rdp publish` records it as a step): `done` now, `already`
 * there, or `refused` for a missing permission the user cannot fix on the spot (the step is skipped
 * with `message` and `hint`; the command still exits 0).
 */
export type LinkOutcome =
  | { outcome: 'done' | 'already'; detail?: Record<string, string | number> | undefined }
  | { outcome: 'refused'; code: string; message: string; hint: string };

/** A researcher's works (ORCID): the person behind a login, as a deposit's creator; a record as a work. */
export interface WorkRegistry {
  load(): Promise<{
    creator(http: HttpClient, ep: Endpoints, user: AccountUser, log: Log, flag: string): Promise<{ name: string; orcid: string }>;
    /** Where works are written, for the API base a login reads from (ORCID's Member API host). */
    worksApi(api: string): string;
    /** `--orcid-work`: the published record as a work of the logged-in researcher. */
    addWork(http: HttpClient, user: AccountUser, record: PublishedRecord): Promise<LinkOutcome>;
  }>;
}

/** A reference library (Zotero): a published record as an item. */
export interface ReferenceLibrary {
  load(): Promise<{ addItem(http: HttpClient, user: AccountUser, record: PublishedRecord): Promise<{ outcome: 'done' | 'already'; key: string; userId: string }> }>;
}

/** The cross-service links of a publish (`--dmp`, `--orcid-work`, `--zotero`), as plain options. */
export interface PublishLinks {
  /** A DMP reference (a DMP DOI, a plan number or URL): the plan gets the record's DOI. */
  dmp?: string | undefined;
  orcidWork: boolean;
  /** --zotero: the record in the reference library. */
  library: boolean;
}

export interface PublishInput {
  /** The deposit's id as the user gave it. */
  id: string;
  sandbox: boolean;
  cwd: string;
  /** The target's own options, as its readOptions returned them. */
  read: unknown;
  links: PublishLinks;
  /** Run right after `rdp upload … --publish` made the record (the upload did its own part). */
  afterUpload: boolean;
}

/** What a publish target is given. */
export interface PublishPorts {
  log: Log;
  terminal: IO;
  clock: Clock;
  signal: AbortSignal;
  /** The provider's login (an exit-4 error when there is none). */
  login(): Promise<DepositLogin>;
  /** A DMP reference as the identifier a deposit links (the DMP's DOI, or its URL), from the `dmp` capability. */
  dmpIdentifier(value: string, flag: string): Promise<string>;
}

/** What a publish target will do for one record: its own steps, and the record they publish. */
export interface PublishPlan {
  /** The journal's key for the record: `<provider>:<host>:<id>` (no secrets). */
  record: string;
  id: string | number;
  /** Its own steps in order (publish the draft; NOMAD's dataset and DOI), run by src/publish/steps.ts. */
  steps: Step[];
  /** The step after which the record has the DOI the links carry (their `needs`). */
  doiStep?: string | undefined;
  /** The record as the links describe it, once it has a DOI (else undefined: the links are skipped). */
  published(): PublishedRecord | undefined;
  /** Its page and DOI as known now, and whether it is published. */
  summary(): { url: string | null; doi: string | null; published: boolean };
}

/** `rdp publish <id> --on <provider>`, and the same steps after `rdp upload --to <provider> --publish`. */
export interface PublishTarget {
  /** The id argument, for help and errors ("a deposition id or its URL"). */
  idHelp: string;
  /**
   * The exact shape of its ids when one may begin with `-` (NOMAD's base64url upload ids): the command
   * line then takes such an argument for the id, not for an option (src/commands/operands.ts).
   */
  idShape?: RegExp | undefined;
  /** Its own options as data (NOMAD's --dataset, --doi, --yes); `rdp publish` and `rdp upload` take them. */
  options: readonly OptionSpec[];
  /** Its records carry a DOI that --dmp, --orcid-work and --zotero can link. */
  links: boolean;
  /** Checks the id argument and gives it in its plain form (a deposition number from its URL); a UsageError. */
  checkId?(id: string): string;
  /** Checks and reads its options (UsageErrors naming the flags). */
  readOptions(options: Record<string, unknown>): unknown;
  /** Its own options ask for steps beyond publishing (after `rdp upload --publish`, the steps run then). */
  asks?(read: unknown): boolean;
  /**
   * A question to be answered yes before anything changes (a permanent DOI); `yes`: answered by a flag.
   * `step`: the plan's step that does what is asked about; when an earlier run recorded it done, or the
   * step finds its result on the service (Step.exists), nobody is asked (a re-run in a script).
   */
  confirm?(read: unknown): { question: string; yes: boolean; flag: string; step?: string | undefined } | undefined;
  help: string;
  examples: readonly string[];
  load(): Promise<{ plan(ports: PublishPorts, input: PublishInput): Promise<PublishPlan> }>;
}

export interface Provider {
  id: string;
  name: string;
  endpoints: {
    production: Bases;
    /** Zenodo's and ORCID's sandboxes, NOMAD's test instance. */
    sandbox?: Bases | undefined;
    /** How an override base (RDP_<ID>_URL, `<id>.url`) maps to web and API bases. */
    fromOverride(base: string): { web: string; api: string };
  };
  env: {
    /** The variable holding a token for CI use (RDP_ZENODO_TOKEN, RDP_ZOTERO_KEY). */
    token: string;
    /** The variable that replaces the base URL. */
    url: string;
    /** A variable that says whose the token is (RDP_ORCID_ID, RDP_ZOTERO_USER_ID). */
    user?: { name: string; read(value: string): AccountUser } | undefined;
  };
  /** Its error bodies, read into one line. */
  errorBody: ErrorBodyReader;
  auth: ProviderAuth;
  /** An InvenioRDM site the user added (`rdp sites add`): its addresses. Absent for the built-in services. */
  site?: { url: string; sandboxUrl?: string | undefined } | undefined;
  deposit?: DepositTarget | undefined;
  list?: UploadLister | undefined;
  dmp?: DmpSource | undefined;
  works?: WorkRegistry | undefined;
  library?: ReferenceLibrary | undefined;
  publish?: PublishTarget | undefined;
}
