// `rdp emulator`: the command around the emulator (src/emulator, which knows nothing of rdp's clients):
// start it, print how to point rdp at it (the providers' RDP_<ID>_URL, token and OAuth client
// variables, from the descriptors), run until interrupted.
import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { FailureError, UsageError } from '../errors/errors.js';
import { findProvider } from '../providers/index.js';
import { examples, run } from './shared.js';

export interface EmulatorCommandOptions {
  port?: string;
  latency?: string;
  rateLimit: boolean;
  log?: boolean;
  discardUploads?: boolean;
}

export function emulatorCommand(ctx: Context): Command {
  return new Command('emulator')
    .description('Run local emulators of Zenodo, NOMAD, DMPTool, ORCID, Zotero and an InvenioRDM site on 127.0.0.1 until interrupted')
    .option('--port <n>', 'port to listen on (default: a free port)')
    .option('--latency <ms>', 'add this much latency to every request')
    .addOption(new Option('--no-rate-limit', "switch the services' rate limits off"))
    .option('--log', 'print one line per request to stderr')
    .option('--discard-uploads', 'keep only the size and checksum of uploaded files, not their contents (benchmarks, big tests)')
    .addHelpText(
      'after',
      examples([
        'rdp emulator                      # prints export lines and ready tokens',
        'rdp emulator --port 5000 --json   # one JSON line with URLs and tokens',
      ]) +
        `
Point rdp at it with the printed export lines (RDP_<ID>_URL), then log in with the printed
tokens, or use the seeded accounts. Faults are switched at run time through the control API:
  curl -X POST <url>/_emulator/faults -d '{"service":"zenodo","action":"status","status":503,"times":3}'
  curl -X POST <url>/_emulator/faults -d '{"service":"zenodo","action":"cut","afterBytes":65536}'
  curl -X POST <url>/_emulator/faults -d '{"latencyMs":50}'
  curl -X POST <url>/_emulator/faults -d '{"service":"nomad","action":"processing-delay","latencyMs":5000}'
  curl <url>/_emulator/log            # what the services received
  curl -X POST <url>/_emulator/dmptool/plans -d '{"count":250}'   # more DMPTool plans
Browser logins: the printed RDP_<ID>_CLIENT_ID/SECRET are each service's ready-made OAuth client
(redirect http://127.0.0.1/callback, any port); the consent pages have Approve and Deny buttons.
  curl -X POST <url>/_emulator/oauth -d '{"service":"zenodo","accessTokenLifetime":600}'
  curl -X POST <url>/_emulator/oauth/clients -d '{"service":"orcid","redirectUris":["http://127.0.0.1:8765/callback"]}'
`,
    )
    .action(
      run(ctx, async (opts: EmulatorCommandOptions) => {
        const port = opts.port === undefined ? 0 : Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, not "${opts.port}".`);
        const latencyMs = opts.latency === undefined ? 0 : Number(opts.latency);
        if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new UsageError(`--latency must be a number of milliseconds.`);
        await runEmulator(ctx, { port, latencyMs, rateLimit: opts.rateLimit, log: Boolean(opts.log), discardUploads: Boolean(opts.discardUploads) });
      }),
    );
}

async function runEmulator(ctx: Context, opts: { port: number; latencyMs: number; rateLimit: boolean; log: boolean; discardUploads: boolean }): Promise<void> {
  const { io } = ctx;
  const { startEmulator } = await import('../emulator/index.js');
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emu = await startEmulator({
      port: opts.port,
      latencyMs: opts.latencyMs,
      rateLimit: opts.rateLimit,
      discardUploads: opts.discardUploads,
      onRequest: opts.log ? (e) => io.notice(`${e.status} ${e.method} ${e.service} ${e.path}${e.query} ${e.bytesIn}B ${e.ms}ms${e.fault ? ` [${e.fault}]` : ''}`) : undefined,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FailureError('PORT_IN_USE', `Port ${opts.port} on 127.0.0.1 is already in use.`, { hint: 'Choose another --port, or leave it out to take a free one.' });
    }
    throw err;
  }
  const info = emu.describe();
  if (io.flags.json) {
    // One line, so a script can read it with a line reader.
    io.streams.stdout.write(`${JSON.stringify(info)}\n`);
  } else {
    const services = emu.serviceInfo() as Record<string, { url: string; token: string; oauth?: { clientId: string; clientSecret: string; redirectUri: string } } & Record<string, unknown>>;
    // The emulator's services stand in for the providers of the same id.
    const env = (id: string) => findProvider(id)?.env ?? { url: `RDP_${id.toUpperCase()}_URL`, token: `RDP_${id.toUpperCase()}_TOKEN` };
    const ids = Object.keys(services);
    const lines = [`# rdp emulator on ${emu.url} (Ctrl-C to stop)`];
    // The InvenioRDM site is no provider of rdp's own: it becomes one when added as a site named like its `site`.
    const siteOf = (id: string) => (!findProvider(id) || findProvider(id)?.site) && typeof services[id]?.site === 'string' ? (services[id]?.site as string) : undefined;
    for (const id of ids) if (!siteOf(id)) lines.push(`export ${env(id).url}=${services[id]?.url}`);
    for (const id of ids) {
      const site = siteOf(id);
      if (site) lines.push(`# The InvenioRDM site (multipart on; refuse it: POST ${emu.url}/_emulator/invenio/settings {"multipart":false}):`, `rdp sites add ${site} ${services[id]?.url}`);
    }
    lines.push('# Ready tokens (log in with: printf %s "$TOKEN" | rdp login <id> --with-token):');
    for (const id of ids) {
      const site = siteOf(id);
      if (site) lines.push(`#   RDP_${site.toUpperCase()}_TOKEN=${services[id]?.token}   (the InvenioRDM site, once added as ${site})`);
      else lines.push(`#   ${env(id).token}=${services[id]?.token}`);
    }
    const nomad = services.nomad as { username?: string; password?: string } | undefined;
    if (nomad) lines.push(`# NOMAD user: ${nomad.username} / ${nomad.password}`);
    const withClients = ids.filter((id) => services[id]?.oauth);
    // The site's client goes by the site's name (RDP_DEMO_CLIENT_ID once added as demo).
    const loginName = (id: string) => siteOf(id) ?? id;
    lines.push(`# OAuth clients for browser logins (rdp login ${withClients.map(loginName).join('|')}), each registered as on the real service:`);
    for (const id of withClients) {
      const oauth = services[id]?.oauth as { clientId: string; clientSecret: string; redirectUri: string };
      const v = loginName(id).toUpperCase().replace(/[^A-Z0-9]/g, '_');
      lines.push(`export RDP_${v}_CLIENT_ID=${oauth.clientId} RDP_${v}_CLIENT_SECRET=${oauth.clientSecret}   # redirect URI ${oauth.redirectUri}`);
    }
    lines.push('# More clients (any port, https, public): POST /_emulator/oauth/clients (see the README, "The emulator").');
    lines.push(`# ORCID iD: ${String((services.orcid as { orcid?: string } | undefined)?.orcid)}   Zotero userID: ${String((services.zotero as { userID?: number } | undefined)?.userID)}`);
    lines.push(`# Control API: ${emu.url}/_emulator (faults, request log)`);
    io.streams.stdout.write(`${lines.join('\n')}\n`);
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emu.close();
  io.info('Emulator stopped.');
}
