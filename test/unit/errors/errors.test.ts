// fromSystemError: a file-system failure that reached the top (rdp's folders not writable, a full disk)
// is told as what failed, where, and what to do: not as "a bug in rdp".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fromSystemError } from '../../../src/errors/errors.js';

function systemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path, errno: -13 });
}

describe('fromSystemError', () => {
  test('permission denied on mkdir: the folder, the reason, and where rdp keeps its files', () => {
    const e = fromSystemError(systemError('EACCES', 'mkdir', '/home/u/.local/state/rdp'));
    expect(e?.code).toBe('LOCAL_FILE_ERROR');
    expect(e?.exitCode).toBe(1);
    expect(e?.message).toBe('rdp cannot create the folder /home/u/.local/state/rdp: permission denied (EACCES).');
    expect(e?.hint).toContain('XDG_STATE_HOME');
  });

  test('a full disk says to free space', () => {
    const e = fromSystemError(systemError('ENOSPC', 'write', '/tmp/x'));
    expect(e?.message).toContain('the disk is full');
    expect(e?.hint).toMatch(/Free some space/);
  });

  test('a real failed call is recognised; errors without a path or of other kinds are left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdp-syserr-'));
    writeFileSync(join(dir, 'file'), '');
    let real: unknown;
    try {
      mkdirSync(join(dir, 'file', 'state'), { recursive: true }); // a file in the way: ENOTDIR, even for root
    } catch (err) {
      real = err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(fromSystemError(real)?.code).toBe('LOCAL_FILE_ERROR');
    expect(fromSystemError(new Error('boom'))).toBeUndefined();
    expect(fromSystemError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(fromSystemError(systemError('ENOENT', 'open', '/x'))).toBeUndefined();
  });
});
