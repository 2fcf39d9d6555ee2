// What rdp keeps about a login. Secrets (the token, a refresh token, a client secret) live in the OS
// keychain or, only when the user chose --insecure-storage, in a 0600 file. Everything else (who, which
// host, scopes, expiry) is non-secret metadata in accounts.json beside the config.

export type Storage = 'keychain' | 'file';
export type TokenSource = 'env' | Storage;
export type SecretName = 'refresh_token' | 'client_secret';
export const SECRET_NAMES: readonly SecretName[] = ['refresh_token', 'client_secret'];

export interface AccountUser {
  id?: string | undefined;
  username?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  orcid?: string | undefined;
}

export type Grant = 'token' | 'authorization_code' | 'client_credentials' | 'password' | 'oauth1';

export interface AccountMeta {
  provider: string;
  /** `<provider>@<host>`, the keychain account. */
  account: string;
  host: string;
  /** The API base the token was issued for. */
  api: string;
  storage: Storage;
  user?: AccountUser | undefined;
  scopes?: string[] | undefined;
  /** ISO time; null = never expires; absent = unknown. */
  expiresAt?: string | null | undefined;
  grant?: Grant | undefined;
  clientId?: string | undefined;
  /** Which extra secrets are stored beside the token. */
  secrets?: SecretName[] | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface StoredCredential {
  token: string;
  secrets: Partial<Record<SecretName, string>>;
  meta: AccountMeta;
}
