// The AT client on a device path: the module behind a PTY (what `fc41d serve --pty` gives), opened
// as a serial port would be (stty raw, a tty stream), then closed and opened again.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanUp, client, joinOffice, module, overPty } from './helpers.ts';

afterEach(cleanUp);

test('over a PTY: AT+QVERSION with echo on, ERROR, a join with its URC; reopened by a second client', async () => {
  const m = module();
  const path = await overPty(m);
  const c = await client(path, { baud: 115200 });
  const r = await c.command('AT+QVERSION');
  assert.equal(r.final, 'OK');
  assert.match(r.lines[0], /^\+QVERSION:/);
  assert.equal((await c.command('AT+QNOSUCH')).final, 'ERROR');
  await joinOffice(c);
  await c.close();

  const again = await client(path);
  assert.match((await again.expectOk('AT+QWLMAC'))[0], /^\+QWLMAC:/);
  assert.deepEqual(await again.command('ATE0'), { lines: [], final: 'OK', ok: true });
  assert.match((await again.expectOk('AT+QVERSION'))[0], /^\+QVERSION:/);
});
