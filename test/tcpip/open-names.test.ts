// Socket events say which request they answer: an SSL open and a TCP open of the same id each
// report under their own name (+QSSLOPEN / +QIOPEN) and their own result, whatever the order.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { connectedModule, T, tcpEcho, type Echo } from './helpers.ts';
import { tcpip } from '../../src/tcpip/feature.ts';

/** Accepts TCP connections and never says a word: a TLS handshake through it stays pending. */
let mute: Server;
const muted = new Set<Socket>();
let echo: Echo;
before(async () => {
  mute = createServer((s) => {
    muted.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  echo = await tcpEcho();
});
after(async () => {
  for (const s of muted) s.destroy();
  await new Promise<void>((resolve) => mute.close(() => resolve()));
  await echo.close();
});
const mutePort = () => (mute.address() as AddressInfo).port;

/** Ends every pending handshake: the peer hangs up. */
function hangUpMuted(): void {
  for (const s of muted) s.destroy();
  muted.clear();
}

test('SSL open pending on id 3, then AT+QIOPEN of id 3: +QIOPEN: 3,553, and the SSL open later reports +QSSLOPEN', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QSSLOPEN=0,3,"127.0.0.1",${mutePort()}`)).final, 'OK');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the TCP connect is made, the handshake hangs
    assert.equal((await m.at(`AT+QIOPEN=3,"TCP","127.0.0.1",${echo.port},0,0`)).final, 'OK');
    assert.equal(await m.host.expect(/\r\n\+Q\w+OPEN: 3,\d+\r\n/, T), '\r\n+QIOPEN: 3,553\r\n');
    hangUpMuted();
    assert.equal(await m.host.expect(/\r\n\+Q\w+OPEN: 3,\d+\r\n/, T), '\r\n+QSSLOPEN: 3,551\r\n');
    assert.equal(await m.host.collect(100), '', 'nothing else');
  } finally {
    m.close();
  }
});

test('SSL open pending on id 3, then a transparent AT+QIOPEN of id 3: ERROR at once, the SSL open still reports +QSSLOPEN', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QSSLOPEN=0,3,"127.0.0.1",${mutePort()}`)).final, 'OK');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await m.at(`AT+QIOPEN=3,"TCP","127.0.0.1",${echo.port},0,2`), { lines: [], final: 'ERROR' });
    assert.deepEqual(await m.at('AT+QIGETERROR'), { lines: ['+QIGETERROR: 553,Socket ID has been used'], final: 'OK' });
    hangUpMuted();
    assert.equal(await m.host.expect(/\r\n\+Q\w+OPEN: 3,\d+\r\n/, T), '\r\n+QSSLOPEN: 3,551\r\n');
    assert.equal(await m.host.collect(100), '', 'nothing else');
  } finally {
    m.close();
  }
});

test('TCP open of id 3 done, then AT+QSSLOPEN of id 3: +QSSLOPEN: 3,553; the TCP socket is untouched', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=3,"TCP","127.0.0.1",${echo.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 3,0\r\n', T);
    assert.equal((await m.at(`AT+QSSLOPEN=0,3,"127.0.0.1",${mutePort()}`)).final, 'OK');
    assert.equal(await m.host.expect(/\r\n\+Q\w+OPEN: 3,\d+\r\n/, T), '\r\n+QSSLOPEN: 3,553\r\n');
    assert.equal(m.module.service(tcpip).net.info(3)?.type, 'TCP');
    assert.equal(await m.host.collect(100), '', 'nothing else');
  } finally {
    m.close();
  }
});
