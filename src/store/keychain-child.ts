// The keychain worker process. It is the only code that loads @napi-rs/keyring. The CLI talks to it
// over stdin/stdout, one JSON object a line, so secrets never appear in argv; the CLI kills it with
// SIGKILL when a call does not answer in time (a blocked keychain call cannot be cancelled in-process,
// and process.exit() hangs behind it: keychain.md).
import { createInterface } from 'node:readline';
import type { KeychainReply, KeychainRequest, KeychainFailureKind } from './keychain-protocol.js';

type Keyring = typeof import('@napi-rs/keyring');

let keyring: Keyring | undefined;
let loadError: Error | undefined;

async function lib(): Promise<Keyring> {
  if (keyring) return keyring;
  if (loadError) throw loadError;
  try {
    keyring = await import('@napi-rs/keyring');
    return keyring;
  } catch (err) {
    loadError = err as Error;
    throw err;
  }
}

// Pin the Secret Service on Linux: the library's default silently falls back to the kernel keyring,
// which loses tokens on reboot and splits them across two stores (keychain.md, "Pin the store").
const entryOptions =
  process.platform === 'linux' ? ({ linux: { store: 'secret-service' } } as const) : undefined;

function classify(err: unknown): KeychainFailureKind {
  const msg = String((err as Error)?.message ?? err);
  if (/unlock prompt|IsLocked|is locked|locked collection/i.test(msg)) return 'locked';
  if (
    /Platform failure|DBus error|D-Bus|zbus|Failed to connect|ServiceUnknown|not provided by any|autolaunch|No such file|no result found|Object does not exist|NoStorageAccess|Cannot find native binding/i.test(
      msg,
    )
  ) {
    return 'unavailable';
  }
  return 'error';
}

async function handle(req: KeychainRequest): Promise<KeychainReply> {
  try {
    const k = await lib();
    switch (req.op) {
      case 'ping':
        // Constructing a pinned entry fails fast when there is no bus or no Secret Service.
        new k.AsyncEntry(req.service, req.account ?? 'probe', entryOptions);
        return { id: req.id, ok: true };
      case 'get': {
        const entry = new k.AsyncEntry(req.service, req.account ?? '', entryOptions);
        const value = await entry.getPassword();
        return { id: req.id, ok: true, value: value ?? null };
      }
      case 'set': {
        const entry = new k.AsyncEntry(req.service, req.account ?? '', entryOptions);
        await entry.setPassword(req.secret ?? '');
        return { id: req.id, ok: true };
      }
      case 'delete': {
        const entry = new k.AsyncEntry(req.service, req.account ?? '', entryOptions);
        const removed = await entry.deletePassword();
        return { id: req.id, ok: true, value: removed ? 'removed' : null };
      }
      case 'list': {
        const found = await k.findCredentialsAsync(req.service);
        // Only the account names leave this process; the passwords stay here.
        return { id: req.id, ok: true, accounts: found.map((c) => c.account) };
      }
    }
  } catch (err) {
    return {
      id: req.id,
      ok: false,
      error: { kind: classify(err), message: String((err as Error)?.message ?? err) },
    };
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let req: KeychainRequest;
  try {
    req = JSON.parse(line) as KeychainRequest;
  } catch {
    return;
  }
  void handle(req).then((reply) => {
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  });
});
rl.on('close', () => {
  // The CLI closed our stdin: finish what is in flight, then leave.
  process.exitCode = 0;
});
