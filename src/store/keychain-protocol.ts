// Messages between the CLI and its keychain child process (one JSON object per line).

export type KeychainOp = 'ping' | 'get' | 'set' | 'delete' | 'list';
export type KeychainFailureKind = 'unavailable' | 'locked' | 'error';

export interface KeychainRequest {
  id: number;
  op: KeychainOp;
  service: string;
  account?: string;
  secret?: string;
}

export interface KeychainReply {
  id: number;
  ok: boolean;
  value?: string | null;
  accounts?: string[];
  error?: { kind: KeychainFailureKind; message: string };
}
