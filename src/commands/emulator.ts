import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors/errors.js';
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
    .description('Run local emulators of Zenodo, NOMAD, DMPTool, ORCID and Zotero on 127.0.0.1 until interrupted')
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
        const { runEmulator } = await import('../emulator/run.js');
        await runEmulator(ctx, { port, latencyMs, rateLimit: opts.rateLimit, log: Boolean(opts.log), discardUploads: Boolean(opts.discardUploads) });
      }),
    );
}
