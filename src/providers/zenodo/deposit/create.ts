// Creating the draft without ever leaving a second one behind (SPEC.md, Upload to Zenodo). A 5xx or a
// lost answer to `POST /deposit/depositions` does not say whether Zenodo created the draft: a gateway
// may time out while the server goes on, or the answer may be cut. So before trying again, rdp looks
// at the user's newest depositions for the draft that attempt may have made, and adopts it: a fresh
// one (created after the attempt was sent, by the server's clock), empty, unsubmitted, with the title
// that was sent. Only when there is none is the POST sent again.
import type { DepositPorts } from '../../types.js';
import { ApiError, NetworkError } from '../../../errors/errors.js';
import type { Deposition, ZenodoClient } from '../client.js';

/** How many times the POST is sent at most. */
const ATTEMPTS = 4;
/** The newest depositions looked at for an adoptable draft. */
const LOOK_AT = 10;
/** Slack for the server's clock (its Date header has whole seconds) and for the request's own travel. */
const CLOCK_SLACK_MS = 2000;

/** A failure after which Zenodo may have created the draft all the same. */
function maybeCreated(err: unknown): boolean {
  return (err instanceof ApiError && err.status >= 500) || err instanceof NetworkError;
}

/**
 * The draft a failed attempt sent at `sentAt` (local clock) made, if Zenodo has one: unsubmitted, no
 * files, created no earlier than the attempt, same title. The server's `Date` header anchors the time,
 * so a skewed local clock does not matter.
 */
export async function findFreshDraft(client: ZenodoClient, metadata: Record<string, unknown>, sentAt: number, now: () => number = Date.now): Promise<Deposition | undefined> {
  const asked = now();
  const { depositions, serverNow } = await client.recent(LOOK_AT);
  const since = (serverNow ?? asked) - (now() - sentAt) - CLOCK_SLACK_MS;
  const title = typeof metadata.title === 'string' ? metadata.title : '';
  return depositions.find((d) => {
    const created = d.created ? Date.parse(d.created) : Number.NaN;
    return !d.submitted && d.state === 'unsubmitted' && (d.files?.length ?? 0) === 0 && created >= since && d.title === title;
  });
}

/** Create the draft; on a 5xx or a lost answer adopt what that attempt made, else try again. */
export async function createDraft(ctx: Pick<DepositPorts, 'log' | 'signal' | 'clock'>, client: ZenodoClient, metadata: Record<string, unknown>): Promise<Deposition> {
  const base = client.http.retry.backoffBaseMs;
  const now = () => ctx.clock.now();
  for (let attempt = 1; ; attempt++) {
    const sentAt = now();
    try {
      return await client.create(metadata);
    } catch (err) {
      if (!maybeCreated(err) || attempt >= ATTEMPTS || ctx.signal.aborted) throw err;
      const why = err instanceof ApiError ? `answered ${err.status}` : 'did not answer';
      // Give Zenodo's search index a moment to show a draft that was made (it refreshes about every second).
      const wait = Math.min(30_000, Math.max(base * 2 ** (attempt - 1), Math.min(1500, base * 3)));
      ctx.log.info(`Zenodo ${why} when asked to create the draft; checking whether it was created anyway before trying again.`);
      await ctx.clock.sleep(wait, ctx.signal);
      let made: Deposition | undefined;
      try {
        made = await findFreshDraft(client, metadata, sentAt, now);
      } catch {
        throw err; // cannot tell: better to stop than to risk a second draft
      }
      if (made) {
        ctx.log.info(`Zenodo had created draft ${made.id} before the error; using it.`);
        return made;
      }
      ctx.log.info(`No draft was made; asking again (attempt ${attempt + 1} of ${ATTEMPTS}).`);
    }
  }
}
