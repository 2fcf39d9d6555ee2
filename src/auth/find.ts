// "Is there a login for this service?" for commands to which a login is optional (a dry run, the
// services `uploads list` covers, the --zotero and --orcid-creator checks). A machine without any
// keychain cannot hold a token in one, so there the answer is simply "no"; a keychain that is locked
// or does not answer is still an error, since a token may be waiting in it.
import type { Context } from '../context.js';
import { KeychainError } from '../errors/errors.js';
import type { ProviderId } from '../providers/registry.js';
import { type Credential, findCredential } from './credentials.js';

export async function findLogin(ctx: Context, provider: ProviderId, sandbox?: boolean): Promise<Credential | null> {
  const endpoints = await ctx.endpoints(provider, sandbox);
  try {
    return await findCredential(ctx, provider, endpoints);
  } catch (err) {
    if (err instanceof KeychainError && err.code === 'KEYCHAIN_UNAVAILABLE') {
      ctx.io.debug(`no keychain, so no stored ${provider} login: ${err.message}`);
      return null;
    }
    throw err;
  }
}
