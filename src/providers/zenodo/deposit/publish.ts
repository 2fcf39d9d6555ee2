// Publishing a draft. Zenodo may answer a slow publish with a gateway error (502/504) although it went
// through (peers.md 3.6); then the deposition is read again, and if it is published that is success.
// The same goes for a 404: Zenodo answers a publish of a deposition that is published already with
// 404 (providers.md 0.1), which is what a retry of a publish that went through gets.
import { ApiError, NetworkError, type RdpError } from '../../../errors/errors.js';
import type { Deposition, ZenodoClient } from '../client.js';

export async function publishDraft(client: ZenodoClient, dep: Deposition, resume: string): Promise<Deposition> {
  try {
    return await client.publish(dep);
  } catch (err) {
    if ((err instanceof ApiError && (err.status >= 500 || err.status === 404)) || err instanceof NetworkError) {
      const now = await client.get(dep.id).catch(() => undefined);
      if (now?.submitted && now.state === 'done') return now;
    }
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.code === 'API_ERROR') {
      throw new ApiError(err.provider, err.status, `Zenodo did not publish deposition ${dep.id}: ${err.message.replace(/^Zenodo answered \d+ to [A-Z]+ \S+: /, '')}`, {
        code: 'PUBLISH_FAILED',
        hint: `The draft and its files are kept. Fix the metadata, then publish with: ${resume}`,
        body: err.body,
        details: err.details,
      });
    }
    throw err as RdpError;
  }
}
