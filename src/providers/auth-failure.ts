// How each provider says "this credential does not work". A classifier looks at an error response
// and answers: invalid/expired token, missing scope, or not an authentication problem at all
// (NOMAD, for one, also uses 401 for "you may not write to this upload").
import type { ParsedError } from './error-bodies.js';
import type { ResponseHeaders } from '../http/client.js';

export type AuthFailure = {
  /**
   * `refused`: the service cannot say which (Zenodo's 403: the token is invalid, revoked, or lacks a
   * scope; it never answers 401).
   */
  kind: 'invalid' | 'expired' | 'scope' | 'refused';
  detail: string;
  /** For `scope`: the scopes the server said the request needs, when it said so. */
  scopes?: string[] | undefined;
};
export type AuthClassifier = (status: number, parsed: ParsedError, headers: ResponseHeaders) => AuthFailure | undefined;
