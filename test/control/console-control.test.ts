/** `fc41d console --control`: the same API beside a person's terminal; its line goes to stderr. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanUp, spawnConsole, WAIT_MS } from '../helpers/cli.ts';
import { client } from './control-client.ts';

afterEach(cleanUp);

test('console --control PORT: the API sees the console\'s module; a power cut silences it', { timeout: 60_000 }, async () => {
  const c = spawnConsole('--control', '0', '--echo', 'off');
  const base = (await c.waitFor(/^fc41d: control (http:\/\/127\.0\.0\.1:\d+)\/$/m))[1]!;
  const api = client(base);
  const deadline = Date.now() + WAIT_MS;
  while ((await api('GET', '/api/modules/0')).json.power !== 'on') {
    assert.ok(Date.now() < deadline, 'the console powers its module up');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await api('POST', '/api/modules/0/power-cut')).status, 204);
  assert.equal((await api('GET', '/api/modules')).json[0].power, 'off');
  c.proc.stdin.end();
  assert.equal(await c.exited, 0);
});
