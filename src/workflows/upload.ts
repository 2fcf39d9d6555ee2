// `rdp upload <path>... --to <provider>`: hand the plain options to the deposit target of that provider,
// with the ports it needs: its login (from the environment or the store, renewed when it runs out
// soon), the state file of re-run safety, and the links to the other providers' capabilities that a
// deposit may ask for (an ORCID creator, a DMP reference, a library item). Which provider answers a
// link is decided here, by capability, never by name. Returns the Deposit the target made.
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { apiClient, findLogin, loginCommand, requireCredential } from '../auth/credentials.js';
import type { AuthPorts } from '../auth/ports.js';
import { AuthRequiredError, FailureError, UsageError } from '../errors/errors.js';
import { withCapability } from '../providers/index.js';
import type { Deposit, DepositInput, DepositLinks, DepositPorts, Provider, PublishInput, PublishLinks } from '../providers/types.js';
import { checkPublish, linksAsked, linksUnfinished, type PublishProvider, type PublishStep, publishPorts, runPlan } from './publish.js';
import { UploadState } from '../store/upload-state.js';
import { tryRunLock } from '../util/file-lock.js';

export interface UploadPorts extends AuthPorts {
  cwd: string;
  /** Where upload commands keep what they remember between runs. */
  uploadStatePath(): Promise<string>;
  /** Print an id on stdout at once (not with --json, where the one document carries it). */
  announce(id: string): void;
}

export interface UploadRequest extends Omit<DepositInput, 'cwd'> {
  target: Provider;
}

/** The links of a publish, from the deposit's options of the same names (--dmp, --orcid-work, --zotero). */
function linksOf(options: Record<string, unknown>): PublishLinks {
  return { dmp: typeof options.dmp === 'string' ? options.dmp : undefined, orcidWork: Boolean(options.orcidWork), library: Boolean(options.zotero) };
}

export async function runUpload(ports: UploadPorts, req: UploadRequest): Promise<{ deposit: Deposit & { steps?: PublishStep[] }; render: (io: import('../output/io.js').IO) => string; next: string | undefined }> {
  const p = req.target;
  if (!p.deposit) throw new UsageError(`${p.name} takes no uploads.`);
  const { target: _target, ...rest } = req;
  const input: DepositInput = { ...rest, cwd: ports.cwd };
  // With --publish, the steps of `rdp publish` follow (links, NOMAD's dataset and DOI): what they need
  // is checked before anything is sent (a permanent DOI confirmed, a library login present).
  const pub = req.publish && !req.dryRun && p.publish ? { target: p as PublishProvider, links: linksOf(req.options), read: p.publish.readOptions(req.options) } : undefined;
  const follow = pub && (linksAsked(pub.links).length > 0 || pub.target.publish.asks?.(pub.read) === true) ? pub : undefined;
  if (follow) await checkPublish(ports, follow.target, follow.read, follow.links, req.sandbox);
  const impl = await p.deposit.load();
  // Two runs sending the same files to the same service at once would each make a draft (neither has
  // recorded one yet): the second is refused until the first ends. A dry run changes nothing remote.
  const release = req.dryRun ? undefined : await lockRun(ports, p, input);
  try {
    return await uploadAndPublish(ports, req, p, impl, input, follow);
  } finally {
    await release?.();
  }
}

async function uploadAndPublish(
  ports: UploadPorts,
  req: UploadRequest,
  p: Provider,
  impl: Awaited<ReturnType<NonNullable<Provider['deposit']>['load']>>,
  input: DepositInput,
  follow: { target: PublishProvider; links: PublishLinks; read: unknown } | undefined,
): Promise<{ deposit: Deposit; render: (io: import('../output/io.js').IO) => string; next: string | undefined }> {
  const deposit: Deposit & { steps?: PublishStep[]; zotero?: unknown } = await impl.run(depositPorts(ports, p, req.sandbox, follow?.links), input);
  if (follow && deposit.published && deposit.id !== null) {
    const input: PublishInput = { id: String(deposit.id), sandbox: req.sandbox, cwd: ports.cwd, read: follow.read, links: follow.links, afterUpload: true };
    const plan = await (await follow.target.publish.load()).plan(publishPorts(ports, p, req.sandbox), input);
    const done = await runPlan(ports, follow.target, plan, follow.links, req.sandbox, { afterUpload: true });
    deposit.steps = done.steps;
    if (done.doi && deposit.doi === null) deposit.doi = done.doi;
    const item = done.steps.find((s) => s.id === 'zotero.item' && (s.status === 'done' || s.status === 'already'));
    if (item?.detail) deposit.zotero = { key: item.detail.key, userId: item.detail.userId };
  }
  return { deposit, render: (io) => impl.render(io, deposit), next: impl.next?.(deposit) };
}

async function lockRun(ports: UploadPorts, p: Provider, input: DepositInput): Promise<() => Promise<void>> {
  const paths = [...new Set(input.paths.map((x) => resolve(input.cwd, x)))].sort();
  const key = createHash('sha256').update(JSON.stringify([p.id, input.sandbox, paths])).digest('hex').slice(0, 32);
  const path = join(dirname(await ports.uploadStatePath()), 'runs', key);
  const release = await tryRunLock(path);
  if (release) return release;
  throw new FailureError('UPLOAD_IN_PROGRESS', `Another rdp is uploading the same ${paths.length === 1 ? 'path' : 'paths'} to ${p.name} right now; this run changed nothing.`, {
    hint: `Wait for that run to end, then run this command again: it continues the same draft (or says it is published). If no rdp is running, remove ${path}.lock.`,
  });
}

function depositPorts(ports: UploadPorts, p: Provider, sandbox: boolean, follow: PublishLinks | undefined): DepositPorts {
  return {
    log: ports.log,
    terminal: ports.terminal,
    clock: ports.clock,
    signal: ports.signal,
    env: ports.env,
    endpoints: () => ports.endpoints(p, sandbox),
    async login(opts = {}) {
      const cred = opts.optional ? await findLogin(ports, p, sandbox) : await requireCredential(ports, p, sandbox);
      if (!cred) return null;
      return {
        http: await apiClient(ports, cred),
        endpoints: cred.endpoints,
        token: cred.token,
        source: cred.source,
        envVar: cred.envVar,
        loginCommand: loginCommand(p, cred.endpoints),
      };
    },
    links: links(ports, follow),
    state: new UploadState(() => ports.uploadStatePath(), ports.log, ports.clock),
    announce: (id) => ports.announce(id),
  };
}

/** The one provider with a capability (the first, should a site add another). */
function one<K extends 'works' | 'dmp' | 'library'>(cap: K): Provider & Required<Pick<Provider, K>> {
  const p = withCapability(cap)[0];
  if (!p) throw new UsageError(`No provider of this build offers ${cap}.`);
  return p;
}

/** The variables that give a CI job this provider's login: `RDP_ORCID_TOKEN and RDP_ORCID_ID`. */
function envNames(p: Provider): string {
  return p.env.user ? `${p.env.token} and ${p.env.user.name}` : p.env.token;
}

function links(ports: UploadPorts, follow: PublishLinks | undefined): DepositLinks {
  return {
    unfinished: async (record) => (follow ? linksUnfinished(ports.env, record, follow) : false),
    async creator({ sandbox, flag, instead }) {
      const p = one('works');
      const cred = await findLogin(ports, p, sandbox);
      if (!cred) {
        throw new AuthRequiredError(`${flag} needs your ${p.name} identity, and you are not logged in to ${p.name}.`, {
          hint: `Run \`rdp login ${p.id}\` (or set ${envNames(p)}), or ${instead}.`,
        });
      }
      return (await p.works.load()).creator(await apiClient(ports, cred), cred.endpoints, cred.user, ports.log, flag);
    },
    async dmp(value, flag) {
      const p = one('dmp');
      return (await p.dmp.load()).dmpReference(value, async () => apiClient(ports, await requireCredential(ports, p)), ports.log, flag);
    },
  };
}
