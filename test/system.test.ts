/**
 * System commands as real modules answer them (FIDELITY.md, hardware logs of firmware A09M02):
 * factory echo on and ATE0/ATE1, the `+QVERSION:`/`+QWLMAC:` formats without a space, and
 * AT+QSETBAND taking any rate the UART can run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MAX_BAUD, MIN_BAUD } from '../src/system/commands.ts';
import { createModule, type ModuleOptions } from '../src/index.ts';
import { AtHost } from './helpers/at-host.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-system-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function start(opts: ModuleOptions = {}) {
  const m = createModule({ bootMs: 5, ...opts });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  /** Sends a line and returns every byte up to the final result. */
  const exchange = (line: string) => {
    host.send(line);
    return host.expect(/\r\n(OK|ERROR)\r\n/);
  };
  return { ...m, host, exchange };
}

test('a factory-fresh module echoes: AT → "AT\\r" then the answer', async () => {
  const m = await start();
  assert.equal(await m.exchange('AT'), 'AT\r\r\nOK\r\n');
  assert.equal(m.module.flash.read().system.echo, true);
  m.close();
});

test('a module whose flash has echo off (echo: false) answers without the echo', async () => {
  const m = await start({ echo: false });
  assert.equal(await m.exchange('AT'), '\r\nOK\r\n');
  m.close();
});

test('ATE0 / ATE1 switch echo like AT+QECHO=0/1; ATE is ATE0 (V.250); other values are ERROR', async () => {
  const m = await start();
  // The echo of ATE0 itself still goes out: each byte is echoed as it is read.
  assert.equal(await m.exchange('ATE0'), 'ATE0\r\r\nOK\r\n');
  assert.equal(await m.exchange('AT'), '\r\nOK\r\n');
  assert.equal(await m.exchange('ATE1'), '\r\nOK\r\n');
  assert.equal(await m.exchange('AT'), 'AT\r\r\nOK\r\n');
  assert.equal(await m.exchange('ATE'), 'ATE\r\r\nOK\r\n');
  assert.equal(await m.exchange('AT'), '\r\nOK\r\n');
  assert.equal(await m.exchange('ate1'), '\r\nOK\r\n', 'lower case');
  for (const bad of ['ATE2', 'ATE01x', 'ATE?', 'ATE=1', 'ATE=?']) {
    assert.equal(await m.exchange(bad), `${bad}\r\r\nERROR\r\n`, bad);
  }
  assert.equal(await m.exchange('AT'), 'AT\r\r\nOK\r\n', 'echo still on after the errors');
  m.close();
});

test('ATE0 is saved like AT+QECHO=0: it survives AT+QRST and a new module on the same flash', async () => {
  const flashPath = join(dir, 'ate.json');
  const a = await start({ flashPath });
  assert.equal(await a.exchange('ATE0'), 'ATE0\r\r\nOK\r\n');
  assert.equal(a.module.flash.read().system.echo, false);
  a.host.send('AT+QRST');
  await a.host.expect('\r\nready\r\n');
  assert.equal(await a.exchange('AT'), '\r\nOK\r\n');
  a.close();

  const b = await start({ flashPath });
  assert.equal(await b.exchange('AT'), '\r\nOK\r\n', 'the saved setting wins over the factory default');
  assert.equal(await b.exchange('ATE1'), '\r\nOK\r\n');
  b.close();
  const c = await start({ flashPath, echo: false });
  assert.equal(await c.exchange('AT'), 'AT\r\r\nOK\r\n', 'an existing flash keeps its own echo setting');
  c.close();
});

test('+QVERSION: and +QWLMAC: without a space, exact bytes (drivers copy from right after the colon)', async () => {
  const m = await start({ echo: false });
  assert.equal(await m.exchange('AT+QVERSION'), '\r\n+QVERSION:FC41DAAR03A09M02.bin_202406260343\r\n\r\nOK\r\n');
  assert.equal(await m.exchange('AT+QWLMAC'), '\r\n+QWLMAC:c8:47:8c:42:00:48\r\n\r\nOK\r\n');
  m.close();
});

test('AT+QSETBAND takes any integer rate the UART can run, e.g. 1842000 from Quectel\'s sample', async () => {
  const m = await start({ echo: false });
  assert.equal(await m.exchange('AT+QSETBAND=1842000'), '\r\nOK\r\n');
  assert.equal(m.module.system.baud, 1842000);
  assert.equal(m.module.flash.read().system.baud, 1842000, '<save> omitted saves');
  for (const rate of [MIN_BAUD, 74880, 250000, 3000000, MAX_BAUD]) {
    assert.equal(await m.exchange(`AT+QSETBAND=${rate},0`), '\r\nOK\r\n', String(rate));
    assert.equal(m.module.system.baud, rate);
  }
  for (const bad of [`${MIN_BAUD - 1}`, `${MAX_BAUD + 1}`, '0', '-9600', '115200.5', '0x1C200', 'fast', '115200,2']) {
    assert.equal(await m.exchange(`AT+QSETBAND=${bad}`), '\r\nERROR\r\n', bad);
  }
  assert.equal(await m.exchange('AT+QSETBAND=?'), `\r\n+QSETBAND: (${MIN_BAUD}-${MAX_BAUD}),(0,1)\r\n\r\nOK\r\n`);
  m.close();
});
