// ORCID as the registry of a researcher's works: who is logged in, as a deposit's creator
// (`--orcid-creator`). The iD comes from the login (or RDP_ORCID_ID) and is checked; the name is read
// from the public record when ORCID answers ("Family, Given", as Zenodo asks), else the name stored at
// login is used.
import { AuthRequiredError, InputError, RdpError } from '../../errors/errors.js';
import type { HttpClient } from '../../http/client.js';
import type { Log } from '../../ports.js';
import type { AccountUser, Endpoints } from '../types.js';
import { OrcidClient } from './client.js';
import { parseOrcid } from '../../util/orcid-id.js';

export async function creator(http: HttpClient, ep: Endpoints, user: AccountUser, log: Log, flag: string): Promise<{ name: string; orcid: string }> {
  const raw = user.orcid;
  if (!raw) {
    throw new AuthRequiredError('Your ORCID login does not say which iD it belongs to.', {
      hint: 'Set RDP_ORCID_ID, or run `rdp login orcid` again.',
    });
  }
  const id = parseOrcid(raw);
  if (!id.ok) throw new InputError('INVALID_ORCID', `The stored ORCID iD "${raw}" is not valid: ${id.reason}.`, { hint: 'Run `rdp login orcid` again.' });
  let name: string | undefined;
  try {
    const person = await new OrcidClient(http, ep.web).person(id.id);
    const given = person.name?.['given-names']?.value ?? undefined;
    const family = person.name?.['family-name']?.value ?? undefined;
    if (family) name = given ? `${family}, ${given}` : family;
    else name = person.name?.['credit-name']?.value ?? given ?? undefined;
  } catch (err) {
    if (err instanceof RdpError && err.exitCode === 4) throw err;
    log.warn(`Could not read your name from ORCID (${(err as Error).message}); using the name stored at login.`);
  }
  name ??= user.name;
  if (!name) {
    throw new InputError('NO_ORCID_NAME', `ORCID gave no name for ${id.id}.`, {
      hint: `Name yourself instead: ${flag === '--orcid-creator' ? '--creator' : 'a creator'} "Family, Given;;${id.id}"`,
    });
  }
  return { name, orcid: id.id };
}
