// `rdp emulator`: start the services, print how to use them, run until Ctrl-C.
import type { Context } from '../context.js';
import { FailureError } from '../errors.js';
import { PROVIDERS, type ProviderId } from '../providers/registry.js';
import { startEmulator } from './index.js';

export async function runEmulator(
  ctx: Context,
  opts: { port: number; latencyMs: number; rateLimit: boolean; log: boolean; discardUploads?: boolean },
): Promise<void> {
  const { io } = ctx;
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
    const services = emu.serviceInfo();
    const lines = [`# rdp emulator on ${emu.url} (Ctrl-C to stop)`];
    for (const id of Object.keys(services) as ProviderId[]) lines.push(`export RDP_${id.toUpperCase()}_URL=${services[id].url}`);
    lines.push('# Ready tokens (log in with: printf %s "$TOKEN" | rdp login <id> --with-token):');
    for (const id of Object.keys(services) as ProviderId[]) {
      // The InvenioRDM site is no provider of rdp's own: its token is that of a site named like `site`.
      const site = (services[id] as { site?: string }).site;
      if (PROVIDERS[id]) lines.push(`#   ${PROVIDERS[id].tokenEnv}=${services[id].token}`);
      else if (site) lines.push(`#   RDP_${site.toUpperCase()}_TOKEN=${services[id].token}   (the InvenioRDM site at RDP_${id.toUpperCase()}_URL, as a site named ${site})`);
    }
    const nomad = services.nomad as { username?: string; password?: string };
    lines.push(`# NOMAD user: ${nomad.username} / ${nomad.password}`);
    lines.push('# OAuth clients for browser logins (rdp login zenodo|dmptool|orcid|zotero), each registered as on the real service:');
    for (const id of Object.keys(services) as ProviderId[]) {
      const oauth = services[id].oauth as { clientId: string; clientSecret: string; redirectUri: string } | undefined;
      if (oauth) lines.push(`export RDP_${id.toUpperCase()}_CLIENT_ID=${oauth.clientId} RDP_${id.toUpperCase()}_CLIENT_SECRET=${oauth.clientSecret}   # redirect URI ${oauth.redirectUri}`);
    }
    lines.push('# More clients (any port, https, public): POST /_emulator/oauth/clients (see the README, "The emulator").');
    lines.push(`# ORCID iD: ${String((services.orcid as { orcid?: string }).orcid)}   Zotero userID: ${String((services.zotero as { userID?: number }).userID)}`);
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
