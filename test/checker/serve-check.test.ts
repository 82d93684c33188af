/**
 * `fc41d serve --check`: the real command, a real TCP host. Under strict, a host that sends a
 * command before the previous final result makes a `fc41d: check: …` line on stderr as it happens,
 * and the process exits 4 at shutdown; under warn the same line and exit 0; a good host, no line.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanUp, host, serveTcp, WAIT_MS } from '../helpers/cli.ts';

afterEach(cleanUp);

test('--check strict: a command before the previous OK is printed with its rule, and the exit status is 4', async () => {
  const { cli, port } = await serveTcp('--echo', 'off', '--no-broker', '--no-httpbin', '--check', 'strict');
  const h = await host(port);
  h.write('AT+QVERSION\r\nAT+QWLMAC\r\n');
  await h.expect('+QWLMAC:', WAIT_MS);
  const m = await cli.waitFor(/^fc41d: check: module 0 \+\d+ms command-before-final: AT\+QWLMAC \(sent before AT\+QVERSION had its final result.*\)$/m, 'stderr');
  assert.ok(m);
  h.write('AT+QSTAAPINFO=Office');
  await new Promise((r) => setTimeout(r, 100));
  const { code } = await cli.stop();
  assert.equal(code, 4);
  assert.match(cli.stderr, /^fc41d: check: module 0 \+\d+ms missing-terminator: AT\+QSTAAPINFO=Office /m, 'the end-of-run rules run at shutdown');
});

test('--check warn: the same line, exit 0; a good host gets no line', async () => {
  const { cli, port } = await serveTcp('--echo', 'off', '--no-broker', '--no-httpbin', '--check', 'warn');
  const h = await host(port);
  assert.deepEqual(await h.command('AT+QVERSION', WAIT_MS), { lines: ['+QVERSION:FC41DAAR03A09M02.bin_202406260343'], final: 'OK' });
  assert.deepEqual(await h.command('AT', WAIT_MS), { lines: [], final: 'OK' });
  assert.doesNotMatch(cli.stderr, /check:/, 'a good host: nothing');
  h.write('AT\rAT\r');
  await cli.waitFor(/^fc41d: check: module 0 \+\d+ms command-before-final: AT /m, 'stderr');
  const { code } = await cli.stop();
  assert.equal(code, 0);
});
