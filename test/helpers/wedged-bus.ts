// A D-Bus stand-in that accepts connections and never answers: what a stuck session bus looks like
// to a keychain client (keychain.md: such calls block forever and cannot be cancelled in-process).
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

export async function wedgedBus(dir: string): Promise<{ address: string; close(): Promise<void> }> {
  const path = join(dir, 'wedged-bus.sock');
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    // read and ignore everything; never write
    s.resume();
  });
  await new Promise<void>((res) => server.listen(path, res));
  return {
    address: `unix:path=${path}`,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}
