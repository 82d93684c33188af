/**
 * Issue 8's crash, end to end through `fc41d serve --count 2`: with module 0's provisioning-page
 * port taken, AT+QWEBCFG=1 answers ERROR (said on stderr and in the trace), AT+QSOFTAP keeps
 * working, AT+QRST brings `ready`, and the process and the other module live on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { Cli, cleanUp, cleanups, host, WAIT_MS } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanUp);

test('serve: a taken webcfg port is an ERROR and a stderr line, not a crash; AT+QRST and the other module still work', { timeout: 90_000 }, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((r) => taken.close(r)));
  const port = (taken.address() as AddressInfo).port;
  const trace = join(dir, 'trace.jsonl');
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--count', '2', '--echo', 'off', '--webcfg-port', String(port), '--trace', trace]);
  const p0 = Number((await cli.waitFor(/^fc41d: module 0 listening on tcp 127\.0\.0\.1:(\d+)$/m))[1]);
  const p1 = Number((await cli.waitFor(/^fc41d: module 1 listening on tcp 127\.0\.0\.1:(\d+)$/m))[1]);

  const h = await host(p0);
  assert.deepEqual(await h.command('AT+QSOFTAP=Setup', WAIT_MS), { lines: [], final: 'OK' });
  assert.deepEqual(await h.command('AT+QWEBCFG=1', WAIT_MS), { lines: [], final: 'ERROR' });
  await cli.waitFor(new RegExp(`^fc41d: module 0 webcfg failed: .*${port}`, 'm'), 'stderr');
  assert.deepEqual(await h.command('AT+QSOFTAP=Setup2', WAIT_MS), { lines: [], final: 'OK' }, 'AT+QSOFTAP works after the failure');
  assert.deepEqual(await h.command('AT+QRST', WAIT_MS), { lines: [], final: 'OK' });
  await h.expect('\r\nready\r\n', WAIT_MS);
  assert.deepEqual(await h.command('AT', WAIT_MS), { lines: [], final: 'OK' });

  const other = await host(p1);
  assert.deepEqual(await other.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:4a'], final: 'OK' });
  assert.equal(cli.proc.exitCode, null, 'the process is still running');
  assert.doesNotMatch(cli.stderr, /internal error|fault:/);
  assert.deepEqual(await cli.stop(), { code: 0, signal: null });
  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.module === 'module 0' && typeof e.webcfgError === 'string' && e.webcfgError.includes(String(port))));
});
