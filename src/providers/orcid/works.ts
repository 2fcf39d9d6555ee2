// --orcid-creator: the logged-in ORCID identity (iD and name) as a Zenodo creator. The iD comes from
// the login (or RDP_ORCID_ID) and is checked; the name is read from the public record when ORCID
// answers ("Family, Given", as Zenodo asks), else the name stored at login is used.
import { findLogin } from '../../auth/find.js';
import { apiClient } from '../../auth/credentials.js';
import type { Context } from '../../context.js';
import { AuthRequiredError, InputError, RdpError } from '../../errors/errors.js';
import { OrcidClient } from './client.js';
import { parseOrcid } from './orcid-id.js';
import type { Metadata } from '../zenodo/deposit/metadata.js';

export async function orcidCreator(ctx: Context, sandbox: boolean | undefined): Promise<Metadata> {
  const endpoints = await ctx.endpoints('orcid', sandbox);
  const cred = await findLogin(ctx, 'orcid', sandbox);
  if (!cred) {
    throw new AuthRequiredError('--orcid-creator needs your ORCID identity, and you are not logged in to ORCID.', {
      hint: 'Run `rdp login orcid` (or set RDP_ORCID_TOKEN and RDP_ORCID_ID), or name yourself with --creator "Family, Given;Affiliation;ORCID".',
    });
  }
  const raw = cred.user.orcid;
  if (!raw) {
    throw new AuthRequiredError('Your ORCID login does not say which iD it belongs to.', {
      hint: 'Set RDP_ORCID_ID, or run `rdp login orcid` again.',
    });
  }
  const id = parseOrcid(raw);
  if (!id.ok) throw new InputError('INVALID_ORCID', `The stored ORCID iD "${raw}" is not valid: ${id.reason}.`, { hint: 'Run `rdp login orcid` again.' });
  let name: string | undefined;
  try {
    const person = await new OrcidClient(await apiClient(ctx, cred), endpoints.web).person(id.id);
    const given = person.name?.['given-names']?.value ?? undefined;
    const family = person.name?.['family-name']?.value ?? undefined;
    if (family) name = given ? `${family}, ${given}` : family;
    else name = person.name?.['credit-name']?.value ?? given ?? undefined;
  } catch (err) {
    if (err instanceof RdpError && err.exitCode === 4) throw err;
    ctx.io.warn(`Could not read your name from ORCID (${(err as Error).message}); using the name stored at login.`);
  }
  name ??= cred.user.name;
  if (!name) {
    throw new InputError('NO_ORCID_NAME', `ORCID gave no name for ${id.id}.`, {
      hint: `Name yourself instead: --creator "Family, Given;;${id.id}"`,
    });
  }
  return { name, orcid: id.id };
}
