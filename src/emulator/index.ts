// Local emulators of the five services and of one generic InvenioRDM site (SPEC.md section 7). Used by
// `rdp emulator`, `npm run demo`, the tests and the benchmark, in-process or as a separate process.
import { dmptool } from './services/dmptool/index.js';
import { invenio } from './services/invenio/index.js';
import { nomad } from './services/nomad/index.js';
import { orcid } from './services/orcid/index.js';
import { zenodo } from './services/zenodo/index.js';
import { zotero } from './services/zotero/index.js';
import { type EmulatorOptions, EmulatorServer } from './server.js';

export type { FaultRule } from './faults.js';
export type { EmulatorOptions, EmulatorService, InvenioSiteOptions, ServiceContext } from './server.js';
export { EmulatorServer } from './server.js';
export { SEED } from './state.js';

export const SERVICES = [zenodo, nomad, dmptool, orcid, zotero, invenio];

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorServer> {
  const server = new EmulatorServer(SERVICES, options);
  await server.listen();
  return server;
}
