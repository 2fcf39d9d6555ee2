// The error family. Every failure rdp reports is an RdpError carrying a stable `code` (src/errors/
// codes.ts, which also gives its exit code), a message that says what happened and a hint that says
// what to do next. src/cli.ts is the only place that turns these into an exit status and printed output.

import { type CodeExiting, type ErrorCode, ExitCode, exitCodeOf } from './codes.js';

export { type ErrorCode, ExitCode } from './codes.js';

export interface RdpErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** Extra machine-readable detail for --json (never secrets). */
  details?: Record<string, unknown> | undefined;
}

export class RdpError extends Error {
  readonly code: ErrorCode;
  /** From the code (src/errors/codes.ts): one code, one exit code. */
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: RdpErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCodeOf(code);
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** Bad flags, arguments or flag combinations; a prompt that cannot be shown. Exit 2. */
export class UsageError extends RdpError {
  constructor(message: string, opts: RdpErrorOptions = {}) {
    super('USAGE', message, opts);
  }
}

/** Bad local input found before anything remote changed (a missing path, a malformed file). */
export class InputError extends RdpError {
  constructor(code: Exclude<CodeExiting<typeof ExitCode.Usage>, 'USAGE'>, message: string, opts: RdpErrorOptions = {}) {
    super(code, message, opts);
  }
}

/** No usable credential: not logged in, token expired or revoked. Exit 4. */
export class AuthRequiredError extends RdpError {
  constructor(message: string, opts: RdpErrorOptions = {}) {
    super('AUTH_REQUIRED', message, opts);
  }
}

/** The provider refused: a rejected token, a denied consent, a missing scope. Exit 4. */
export class AuthDeniedError extends RdpError {
  constructor(code: 'AUTH_DENIED' | 'AUTH_INVALID' | 'AUTH_SCOPE', message: string, opts: RdpErrorOptions = {}) {
    super(code, message, opts);
  }
}

/** The OS keychain is missing, locked or does not answer. Exit 1. */
export class KeychainError extends RdpError {
  constructor(
    code: 'KEYCHAIN_UNAVAILABLE' | 'KEYCHAIN_LOCKED' | 'KEYCHAIN_TIMEOUT' | 'KEYCHAIN_ERROR',
    message: string,
    opts: RdpErrorOptions = {},
  ) {
    super(code, message, opts);
  }
}

/** A provider answered with an error status or with something that is not what its API returns. */
export class ApiError extends RdpError {
  readonly provider: string;
  readonly status: number;
  readonly body: unknown;

  constructor(
    provider: string,
    status: number,
    message: string,
    opts: RdpErrorOptions & { code?: CodeExiting<typeof ExitCode.Failure>; body?: unknown } = {},
  ) {
    super(opts.code ?? 'API_ERROR', message, opts);
    this.provider = provider;
    this.status = status;
    this.body = opts.body;
  }
}

/**
 * The network failed (refused, reset, timed out) and retries did not help. `TIMEOUT`: the server
 * accepted the connection but did not answer (or finish answering) in time.
 */
export class NetworkError extends RdpError {
  constructor(message: string, opts: RdpErrorOptions & { code?: 'NETWORK_ERROR' | 'TIMEOUT' } = {}) {
    super(opts.code ?? 'NETWORK_ERROR', message, opts);
  }
}

/** Something the user named does not exist remotely. */
export class NotFoundError extends RdpError {
  constructor(message: string, opts: RdpErrorOptions = {}) {
    super('NOT_FOUND', message, opts);
  }
}

/** Ctrl-C or an aborted prompt. Exit 130. */
export class CancelledError extends RdpError {
  constructor(message = 'Interrupted.', opts: RdpErrorOptions = {}) {
    super('INTERRUPTED', message, opts);
  }
}

/** A generic failure with a stable code (exit 1). */
export class FailureError extends RdpError {
  constructor(code: CodeExiting<typeof ExitCode.Failure>, message: string, opts: RdpErrorOptions = {}) {
    super(code, message, opts);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof CancelledError ||
    (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR'))
  );
}

const SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EMFILE: 'too many files are open',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
};

/**
 * A failed file-system call that reached the top without a message of rdp's own (rdp's config or state
 * folder not writable, a full disk): what failed, where, and what to do, instead of "a bug in rdp".
 */
export function fromSystemError(err: unknown): RdpError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!(err instanceof Error) || typeof e?.code !== 'string' || typeof e.path !== 'string') return undefined;
  const reason = SYSTEM_REASONS[e.code];
  if (!reason) return undefined;
  const what = e.syscall === 'mkdir' ? 'create the folder' : e.syscall === 'open' || e.syscall === 'rename' || e.syscall === 'write' ? 'write' : e.syscall ? `${e.syscall}` : 'use';
  const full = e.code === 'ENOSPC' || e.code === 'EDQUOT';
  return new FailureError('LOCAL_FILE_ERROR', `rdp cannot ${what} ${e.path}: ${reason} (${e.code}).`, {
    hint: full
      ? 'Free some space, then run the command again.'
      : "Check the permissions of that folder. rdp keeps its settings under $XDG_CONFIG_HOME/rdp and what it remembers under $XDG_STATE_HOME/rdp (~/.config/rdp and ~/.local/state/rdp by default): point those variables at a writable folder if these cannot be.",
    cause: err,
  });
}
