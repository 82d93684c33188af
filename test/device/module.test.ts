import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createModule, type ModuleOptions } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-module-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function start(opts: ModuleOptions = {}) {
  const m = createModule({ bootMs: 5, echo: false, ...opts });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  return { ...m, host };
}

test('the first host to attach powers the module up and sees ready', async () => {
  const m = await start();
  assert.equal(m.module.state, 'on');
  assert.deepEqual(await m.host.command('AT'), { lines: [], final: 'OK' });
  m.close();
});

test('AT+QECHO=1 survives AT+QRST and a new process with the same flash', async () => {
  const flashPath = join(dir, 'echo.json');
  const a = await start({ flashPath });
  assert.equal((await a.host.command('AT+QECHO=1')).final, 'OK');
  a.host.send('AT+QRST');
  await a.host.expect('AT+QRST\r\r\nOK\r\n');
  await a.host.expect('\r\nready\r\n');
  a.host.send('AT');
  assert.equal(await a.host.expect('\r\nOK\r\n'), 'AT\r\r\nOK\r\n');
  a.close();

  const b = await start({ flashPath });
  b.host.send('AT');
  assert.equal(await b.host.expect('\r\nOK\r\n'), 'AT\r\r\nOK\r\n');
  b.close();
});

test('AT+QRST forgets unsaved settings and keeps saved ones', async () => {
  const m = await start();
  assert.equal((await m.host.command('AT+QSETBAND=921600,0')).final, 'OK');
  assert.equal(m.module.system.baud, 921600);
  assert.equal((await m.host.command('AT+QLOWPOWER')).final, 'OK');
  assert.equal(m.module.system.lowPower, true);
  m.host.send('AT+QRST');
  await m.host.expect('\r\nready\r\n');
  assert.equal(m.module.system.baud, 115200, 'unsaved baud rate is lost');
  assert.equal(m.module.system.lowPower, false);

  assert.equal((await m.host.command('AT+QSETBAND=460800')).final, 'OK', '<save> omitted means save');
  m.host.send('AT+QRST');
  await m.host.expect('\r\nready\r\n');
  assert.equal(m.module.system.baud, 460800);
  assert.equal(m.module.flash.read().system.baud, 460800);
  m.close();
});

test('AT+QRST runs the reset hooks that drop connections', async () => {
  const m = await start();
  let dropped = 0;
  m.module.onReset(() => dropped++);
  m.host.send('AT+QRST');
  await m.host.expect('\r\nOK\r\n');
  await m.host.expect('\r\nready\r\n');
  assert.equal(dropped, 1);
  m.close();
});

test('AT+QURCCFG=0 silences URCs and is saved', async () => {
  const flashPath = join(dir, 'urc.json');
  const m = await start({ flashPath });
  m.module.urc('+QSTASTAT:WLAN_CONNECTED');
  await m.host.expect('\r\n+QSTASTAT:WLAN_CONNECTED\r\n');
  assert.equal((await m.host.command('AT+QURCCFG=0')).final, 'OK');
  m.module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  assert.equal(await m.host.collect(50), '');
  m.close();
  const again = await start({ flashPath });
  again.module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  assert.equal(await again.host.collect(50), '');
  assert.equal((await again.host.command('AT+QURCCFG=1')).final, 'OK');
  again.module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  await again.host.expect('\r\n+QSTASTAT:WLAN_DISCONNECTED\r\n');
  again.close();
});

test('AT+QDEEPSLEEP: OK, then silent until woken, then ready', async () => {
  const m = await start();
  assert.equal((await m.host.command('AT+QDEEPSLEEP')).final, 'OK');
  assert.equal(m.module.state, 'sleeping');
  m.host.send('AT');
  assert.equal(await m.host.collect(60), '', 'a sleeping module says nothing');
  assert.equal(m.module.wake(), true);
  await m.host.expect('\r\nready\r\n');
  assert.deepEqual(await m.host.command('AT'), { lines: [], final: 'OK' });
  assert.equal(m.module.wake(), false, 'an awake module cannot be woken');
  m.close();
});

test('a module built with another MAC reports it', async () => {
  const m = await start({ mac: 'c8:47:8c:42:00:4a' });
  assert.deepEqual(await m.host.command('AT+QWLMAC'), { lines: ['+QWLMAC:c8:47:8c:42:00:4a'], final: 'OK' });
  m.close();
});

test('output paced at 9600 baud takes at least the wire time', async () => {
  const m = await start({ paceOutput: true });
  assert.equal((await m.host.command('AT+QSETBAND=9600,0')).final, 'OK');
  const started = performance.now();
  const { lines } = await m.host.command('AT+QVERSION');
  const elapsed = performance.now() - started;
  // "\r\n+QVERSION:FC41DAAR03A09M02.bin_202406260343\r\n" + "\r\nOK\r\n" = 53 bytes = 530 bit times at 9600 baud.
  assert.deepEqual(lines, ['+QVERSION:FC41DAAR03A09M02.bin_202406260343']);
  assert.ok(elapsed >= (53 * 10 * 1000) / 9600 - 1, `took ${elapsed.toFixed(1)} ms`);
  m.close();
});
