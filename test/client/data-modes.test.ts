// The AT client's other data modes against the emulator: an HTTP POST whose body goes after
// CONNECT (sendData), AT+QHTTPREAD's body between CONNECT and OK (command()), and BLE data that
// comes out raw, with no prefix or CRLF (the `data` event).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { cleanUp, client, joinOffice, later, module, T, world } from './helpers.ts';

afterEach(cleanUp);

test('HTTP: the POST body after CONNECT with sendData; AT+QHTTPREAD\'s body in the answer', async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      res.end(req.method === 'POST' ? 'stored' : 'hello world');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  later(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  const c = await client({ module: module({ world: world({ 'web.test': { address: '127.0.0.1', ports: { '80': port } } }) }) });
  await joinOffice(c);

  await c.expectOk('AT+QHTTPCFG="url","http://web.test/readings"');
  const body = '{"t":21.5,\r\n"h":40}';
  assert.deepEqual(await c.sendData(`AT+QHTTPPOST=${body.length},60,60`, body), { lines: [], final: 'OK', ok: true });
  assert.deepEqual((await c.waitUrc('+QHTTPPOST:')).params, ['0', '200', '6']);
  assert.deepEqual(bodies, [body]);
  // CONNECT, the body (no count given: it runs to the module's `\r\nOK\r\n`), OK, then +QHTTPREAD.
  await c.expectOk('AT+QHTTPGET=60');
  assert.deepEqual((await c.waitUrc('+QHTTPGET:')).params, ['0', '200', '11']);
  const read = await c.command('AT+QHTTPREAD=60');
  assert.deepEqual(read, { lines: ['hello world'], final: 'OK', ok: true, data: Buffer.from('hello world') });
  assert.deepEqual((await c.waitUrc('+QHTTPREAD:')).params, ['0']);
});

test('BLE: what a central writes comes out on the peripheral raw — a data event, not a line', async () => {
  const w = world();
  const a = await client({ module: module({ world: w, mac: 'c8:47:8c:42:00:4a' }) });
  const b = await client({ module: module({ world: w, mac: 'c8:47:8c:42:00:48' }) });
  for (const line of ['AT+QBLEINIT=2', 'AT+QBLENAME=QuecFC41D', 'AT+QBLEGATTSSRV=fff1', 'AT+QBLEGATTSCHAR=fff2', 'AT+QBLEGATTSCHAR=fff3', 'AT+QBLEADVSTART']) {
    await a.expectOk(line);
  }
  await b.expectOk('AT+QBLEINIT=1');
  await b.expectOk('AT+QBLECONN=0,c8478c42004b');
  await b.waitUrc('+QBLEINFO: 17 fff3', { timeoutMs: T });
  await a.waitUrc('+QBLESTAT:CONNECTED');
  const received: Buffer[] = [];
  const got = new Promise<void>((resolve) => a.on('data', (bytes) => (received.push(bytes), Buffer.concat(received).length >= 5 && resolve())));
  await b.expectOk('AT+QBLEGATTCWR=fff2,hello');
  await got;
  assert.equal(Buffer.concat(received).toString(), 'hello');
  // The notification the other way, while B runs commands.
  const notified = new Promise<Buffer>((resolve) => b.once('data', resolve));
  await a.expectOk('AT+QBLEGATTSNTFY=fff3,from fc41d');
  assert.equal((await notified).toString(), 'from fc41d');
  assert.equal((await b.command('AT+QBLESTAT')).lines[0], '+QBLESTAT:CONNECTED');
});
