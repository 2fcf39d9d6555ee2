// A browser login's wait, on an injected clock: with nobody at the browser it ends at the timeout with
// LOGIN_TIMEOUT (exit 1) and frees the listener's port; the wait is the flow's clock, not the test's.
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { runBrowserFlow } from '../../../src/auth/browser-flow.js';
import { FailureError } from '../../../src/errors/errors.js';
import { IO } from '../../../src/output/io.js';
import { FakeClock } from '../../helpers/clock.js';

function ports(clock = new FakeClock()) {
  const stderr = new PassThrough();
  let err = '';
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const terminal = new IO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr }, {});
  return { p: { terminal, signal: new AbortController().signal, clock, openBrowser: async () => ({ opened: false as const, why: 'test' }) }, stderr: () => err, clock };
}

describe('runBrowserFlow timeout', () => {
  test('loopback: nobody comes back; LOGIN_TIMEOUT after --timeout on the clock, and the port is free again', async () => {
    const { p, stderr, clock } = ports();
    let redirect = '';
    const err = await runBrowserFlow(p, {
      name: 'Zenodo',
      command: 'rdp login zenodo',
      redirect: { kind: 'loopback', port: 0, path: '/callback' },
      portHint: 'choose another with --port N',
      timeoutMs: 1000,
      noBrowser: true,
      stateParam: 'state',
      begin: async (uri) => {
        redirect = uri;
        return { url: 'https://zenodo.invalid/oauth/authorize?state=s', expect: 's' };
      },
      finish: async () => 'never',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailureError);
    expect(err).toMatchObject({ code: 'LOGIN_TIMEOUT', exitCode: 1 });
    expect((err as Error).message).toMatch(/No answer from the browser within 1\.0 s/);
    expect(clock.waits).toContain(1000);
    expect(stderr()).toMatch(/gives up after 1\.0 s/);
    await expect(fetch(redirect)).rejects.toThrow(); // the listener is closed
  });

  test('out-of-band: nothing pasted within the timeout', async () => {
    const { p } = ports();
    const err = await runBrowserFlow(p, {
      name: 'DMPTool',
      command: 'rdp login dmptool',
      redirect: { kind: 'oob', uri: 'urn:ietf:wg:oauth:2.0:oob' },
      portHint: '',
      timeoutMs: 600_000,
      noBrowser: true,
      stateParam: 'state',
      begin: async () => ({ url: 'https://dmptool.invalid/oauth/authorize?state=s', expect: 's' }),
      finish: async () => 'never',
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOGIN_TIMEOUT', message: expect.stringMatching(/No authorization code was pasted within 10 min/) });
  });
});
