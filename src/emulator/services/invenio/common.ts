// What the InvenioRDM site's handlers share: its error body and who a request acts for.
import { EmuHttpError, type EmuRequest } from '../../http.js';
import type { ServiceContext } from '../../server.js';

/** An error body as flask-resources writes it: `{"status", "message"}` (+ `errors` for validation). */
export function siteError(status: number, message: string, errors?: { field: string; messages: string[] }[]): EmuHttpError {
  return new EmuHttpError(status, errors ? { status, message, errors } : { status, message });
}

export function permissionDenied(): EmuHttpError {
  return siteError(403, 'Permission denied.');
}

/** The user a request acts for, or undefined (anonymous: no token, or one the server does not know). */
export function siteUser(ctx: ServiceContext, req: EmuRequest): string | undefined {
  const token = req.bearer() ?? req.query.get('access_token') ?? undefined;
  const rec = ctx.state.find('invenio', token);
  return ctx.state.usable(rec) ? rec.userId : undefined;
}

/** The user, or 403 (anonymous requests are refused with "Permission denied."). */
export function requireUser(ctx: ServiceContext, req: EmuRequest): string {
  const who = siteUser(ctx, req);
  if (!who) throw permissionDenied();
  return who;
}
