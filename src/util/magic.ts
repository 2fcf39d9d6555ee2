// What kind of archive a file is, from its first bytes (not its name), the way NOMAD decides whether
// to extract a received file. Used by rdp before it sends an archive as is, and by the emulator.

/** Bytes to read from the start of a file for archiveKind(). */
export const MAGIC_BYTES = 512;

/** True when the block is a tar header whose checksum adds up (ustar, GNU and old v7 tars alike). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  let text = '';
  for (let i = 148; i < 156 && block[i] !== 0; i++) text += String.fromCharCode(block[i] as number);
  text = text.trim();
  if (!/^[0-7]+$/.test(text)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum === Number.parseInt(text, 8);
}

export function archiveKind(head: Uint8Array): 'zip' | 'gzip' | 'tar' | undefined {
  const b = head;
  // local file header, or the end record of an empty archive
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6))) return 'zip';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (isTarHeader(b)) return 'tar';
  return undefined;
}
