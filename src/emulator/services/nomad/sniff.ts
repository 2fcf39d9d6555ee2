// How the NOMAD emulator tells an archive from a plain file (providers.md 2.5: "zip/tar files are
// extracted"; a raw body that is neither needs a file name). Decided by content, never by name:
//   zip     a local-file header "PK\x03\x04" at offset 0, or the end record "PK\x05\x06" of an empty
//           archive;
//   gzip    the gzip magic 1f 8b (a compressed tar);
//   tar     a 512-byte header block whose checksum field matches: the byte sum of the block with the
//           8 checksum bytes counted as spaces, written in octal (POSIX ustar, GNU and v7 alike).
// The emulator's own reading of the formats; rdp's client has its own (see ../../ids.ts for why).

export const SNIFF_BYTES = 512;

const CHECKSUM_AT = 148;
const CHECKSUM_LEN = 8;

/** True when `block` is a tar header with a valid checksum. */
export function tarHeaderValid(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  const field = Buffer.from(block.subarray(CHECKSUM_AT, CHECKSUM_AT + CHECKSUM_LEN)).toString('latin1');
  const digits = field.replace(/\0.*$/s, '').trim();
  if (digits === '' || /[^0-7]/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) {
    const inField = i >= CHECKSUM_AT && i < CHECKSUM_AT + CHECKSUM_LEN;
    sum += inField ? 0x20 : (block[i] as number);
  }
  return parseInt(digits, 8) === sum;
}

export type Sniffed = 'zip' | 'gzip' | 'tar' | 'plain';

export function sniffBytes(head: Uint8Array): Sniffed {
  const sig = head.length >= 4 ? Buffer.from(head.subarray(0, 4)).toString('latin1') : '';
  if (sig === 'PK\x03\x04' || sig === 'PK\x05\x06') return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return tarHeaderValid(head) ? 'tar' : 'plain';
}
