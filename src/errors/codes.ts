// Every error code rdp reports, with its exit code (SPEC.md section 4) and what it means: the one
// table. An RdpError takes its exit code from here (src/errors/errors.ts), so a code can never exit
// two ways; the README's table of codes is generated from this one (scripts/error-codes.mjs, checked
// by a test). Codes are stable: scripts read them from the --json error document.

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Auth: 4,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface CodeInfo {
  exit: ExitCode;
  /** When it happens, for the README (one line, no full stop). */
  means: string;
}

const usage = (means: string) => ({ exit: ExitCode.Usage, means }) as const;
const failure = (means: string) => ({ exit: ExitCode.Failure, means }) as const;
const auth = (means: string) => ({ exit: ExitCode.Auth, means }) as const;

export const ERROR_CODES = {
  // 2: usage and bad local input, found before anything remote changed
  USAGE: usage('bad flags or arguments, an unknown provider or key, a flag combination that does not go together, no terminal for a prompt'),
  MISSING_PATH: usage('a path to upload (or a --metadata file) does not exist'),
  FILE_UNREADABLE: usage('a file or folder to upload (or --metadata, .rdpignore) cannot be read'),
  NOT_A_FILE: usage('a path to upload is neither a regular file nor a folder'),
  BROKEN_LINK: usage('a symbolic link in a folder to upload points at nothing'),
  EMPTY_FOLDER: usage('a folder to upload holds nothing to send (empty, or everything left out)'),
  EMPTY_FILE: usage('an empty file where the service takes none (an archive to NOMAD, any file to Zenodo)'),
  NOT_AN_ARCHIVE: usage('a file named like an archive is not one (NOMAD decides by content)'),
  BAD_EXCLUDE: usage('an --exclude value is not a pattern'),
  BAD_FILE_NAME: usage('a file name the service cannot hold'),
  NAME_COLLISION: usage('two inputs would be uploaded under the same name'),
  NESTED_FOLDERS: usage('files in subfolders for a service whose records are flat (use --zip)'),
  FILE_TOO_LARGE: usage('a file over the service\'s limit per file'),
  RECORD_TOO_LARGE: usage('the record (or NOMAD upload) would be over the service\'s limit, counting files already in the draft'),
  TOO_MANY_FILES: usage('the record would hold more files than the service allows, counting files already in the draft'),
  BAD_METADATA: usage('a metadata file or flag is malformed (JSON, CITATION.cff, a field\'s type or vocabulary)'),
  METADATA_TOO_LARGE: usage('a metadata file larger than any metadata file (4 MiB)'),
  MISSING_METADATA: usage('--publish without the fields the service requires'),
  UNKNOWN_LICENSE: usage('a licence id the service does not know'),
  INVALID_ORCID: usage('an ORCID iD whose check character is wrong'),
  NO_ORCID_NAME: usage('--orcid-creator, and ORCID has no name for the iD'),
  OUTPUT_PATH: usage('-o names a folder that does not exist or cannot be written'),
  INSECURE_URL: usage('a plain http:// base URL of another machine (set RDP_ALLOW_HTTP=1 on a network you trust)'),
  // 4: authentication needed or refused
  AUTH_REQUIRED: auth('not logged in, the token expired or was revoked, or no keychain and no token in the environment'),
  AUTH_INVALID: auth('the service rejected the token, the OAuth client, the code or the id_token; nothing was stored'),
  AUTH_SCOPE: auth('the token lacks a scope the request needs'),
  AUTH_DENIED: auth('the login was denied in the browser'),
  // 1: failures
  API_ERROR: failure('the service answered with an error'),
  BAD_RESPONSE: failure('the service answered with something that is not what its API returns (HTML, garbage)'),
  RATE_LIMITED: failure('the service kept answering 429 after the retries'),
  RESPONSE_TOO_LARGE: failure('an answer larger than any API answer (32 MiB); rdp stopped reading'),
  NETWORK_ERROR: failure('the service could not be reached (refused, reset, name lookup) after the retries'),
  TIMEOUT: failure('the service accepted the connection but did not answer, or answered too slowly'),
  FOREIGN_LINK: failure('a link in an answer named another host; rdp sends no credentials there'),
  LENGTH_MISMATCH: failure('rdp sent a body of another length than it announced (a fault in rdp)'),
  NOT_FOUND: failure('something named does not exist on the service (a deposition, an upload, a plan)'),
  OAUTH_ERROR: failure('the service ended a login with an error other than a denial'),
  LOGIN_TIMEOUT: failure('the browser never came back, or nothing was pasted, within --timeout'),
  LOGIN_NO_CODE: failure('stdin ended before a pasted code or address arrived'),
  PORT_IN_USE: failure('the port of the loopback listener (or of `rdp emulator`) is taken'),
  LOOPBACK_FAILED: failure('the loopback listener could not start'),
  KEYCHAIN_UNAVAILABLE: failure('no OS keychain on this machine (a login needs --insecure-storage or RDP_<ID>_TOKEN)'),
  KEYCHAIN_LOCKED: failure('the keychain is locked'),
  KEYCHAIN_TIMEOUT: failure('the keychain did not answer within 3 s'),
  KEYCHAIN_ERROR: failure('the keychain refused to store or read'),
  STATE_UNREADABLE: failure('one of rdp\'s own files (config, logins, uploads) cannot be read'),
  STATE_CORRUPT: failure('one of rdp\'s own files is not valid JSON'),
  STATE_LOCKED: failure('another rdp holds the lock on one of rdp\'s own files'),
  STATE_LOCK_FAILED: failure('the lock on one of rdp\'s own files cannot be taken'),
  LOCAL_FILE_ERROR: failure('a file or folder on this machine cannot be written or read (permissions, a full disk, a read-only file system)'),
  FILE_CHANGED: failure('a local file changed while it was being sent'),
  READ_ERROR: failure('a local file could not be read while it was being sent'),
  UPLOAD_FAILED: failure('files failed to upload after the retries (what arrived is kept; the same command resumes)'),
  CHECKSUM_MISMATCH: failure('the service\'s checksum of a file is not that of what rdp sent'),
  SIZE_MISMATCH: failure('the service stored another size than rdp sent'),
  VERIFY_FAILED: failure('the draft\'s files after the upload are not the local ones'),
  NO_BUCKET: failure('Zenodo gave the deposition no file bucket'),
  NEW_VERSION_FAILED: failure('Zenodo made a new version, but its draft cannot be found'),
  METADATA_REJECTED: failure('Zenodo or a site refused the metadata (the fields are named); no file was sent'),
  PUBLISH_FAILED: failure('Zenodo or a site did not publish the draft; the draft and its files are kept'),
  UPLOAD_IN_PROGRESS: failure('another rdp is uploading the same paths to the same service at this moment; nothing was changed'),
  ALREADY_PUBLISHED: failure('the same command already published its record (use --new-version or --new-record; NOMAD: --new-upload)'),
  ZOTERO_FAILED: failure('Zotero did not add the record to the library'),
  ZOTERO_UNCONFIRMED: failure('Zotero says the item was written, but it cannot be found'),
  NOMAD_UPLOAD_LIMIT: failure('NOMAD\'s limit of unpublished uploads is reached'),
  NOMAD_UPLOAD_CHANGED: failure('the files changed since the NOMAD upload this command made took them (it is left as it is; the ways on are named)'),
  NOMAD_PUBLISHED: failure('the NOMAD upload is published and cannot change'),
  NOMAD_BUSY: failure('NOMAD is still processing the upload'),
  NOMAD_NO_ACCESS: failure('NOMAD refused access to the upload'),
  NOMAD_NO_ENTRIES: failure('NOMAD cannot publish an upload without entries'),
  NOMAD_PROCESSING_FAILED: failure('NOMAD\'s processing of the upload failed'),
  NOMAD_PUBLISH_FAILED: failure('NOMAD did not publish the upload'),
  NOMAD_TIMEOUT: failure('--timeout ended the wait for NOMAD\'s processing (the upload goes on)'),
  NOMAD_DATASET_UNCONFIRMED: failure('NOMAD says a dataset name is taken, but the dataset is not among the user\'s'),
  NOMAD_DATASET_FIXED: failure('the NOMAD dataset named already has a DOI and cannot take more uploads'),
  NOMAD_EDIT_REFUSED: failure('NOMAD refused to add the upload to the dataset'),
  NOMAD_EDIT_FAILED: failure('NOMAD\'s process adding the upload to the dataset failed'),
  NOMAD_DATASET_EMPTY: failure('NOMAD gives no DOI to a dataset without published entries'),
  NOMAD_DATASET_UNPUBLISHED: failure('NOMAD gives no DOI to a dataset with unpublished entries'),
  NOMAD_DATASET_REMOVED: failure('NOMAD removed the dataset after DataCite refused its DOI (the same command makes it anew)'),
  NOMAD_NOT_DATASET_OWNER: failure('the NOMAD dataset belongs to another user'),
  BAD_DOI: failure('a DOI to link is not a DOI'),
  DMPTOOL_LINK_UNCONFIRMED: failure('DMPTool accepted the dataset DOI but does not list it on the plan'),
  PUBLISH_INCOMPLETE: failure('several steps of a publish failed (the others are recorded; the same command does only what is missing)'),
  NOT_CONFIRMED: failure('a permanent change (a DOI) was not confirmed at the prompt; nothing was changed'),
  NOT_INVENIO: failure('a site\'s address does not answer like an InvenioRDM repository'),
  TRANSFER_FAILED: failure('an InvenioRDM site failed to store a file or a part it received (the same command sends it again)'),
  PART_REFUSED: failure('an InvenioRDM site refused a part of a multipart upload after accepting others'),
  NO_PLAN_ID: failure('DMPTool lists the plan without its number'),
  NOT_A_PDF: failure('DMPTool answered something that is not a PDF; nothing was saved'),
  DOWNLOAD_FAILED: failure('a download failed; nothing was saved'),
  WRITE_FAILED: failure('an output file cannot be written (a full disk); nothing was saved'),
  INTERNAL: failure('a bug in rdp (rerun with --debug and report it)'),
  // 130
  INTERRUPTED: { exit: ExitCode.Interrupted, means: 'Ctrl-C or SIGTERM, or an aborted prompt' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes whose exit code is E (for the error classes' signatures). */
export type CodeExiting<E extends ExitCode> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['exit'] extends E ? K : never }[ErrorCode];

export function exitCodeOf(code: ErrorCode): ExitCode {
  return ERROR_CODES[code].exit;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
