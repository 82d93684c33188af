// The AT client over TCP: a module behind startTcpTransport (the same wire `fc41d serve --tcp`
// gives), and a spawned `fc41d serve`. Sockets through the module with the prompt form of
// AT+QISEND and the direct-push URC `+QIURC: "recv",<id>,<len>` with its bytes; transparent mode.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanUp as cleanUpCli, serveTcp } from '../helpers/cli.ts';
import { cleanUp, client, echoServer, joinOffice, module, overTcp, T, world } from './helpers.ts';

afterEach(async () => {
  await cleanUp();
  await cleanUpCli();
});

test('over TCP: join Office, open a socket in direct push, AT+QISEND with sendData, the echo as +QIURC "recv"', async () => {
  const echo = await echoServer();
  const m = module({ world: world({ 'echo.test': '127.0.0.1' }) });
  const c = await client(await overTcp(m));
  assert.match((await c.expectOk('AT+QVERSION'))[0], /^\+QVERSION:/);
  await joinOffice(c);
  await c.expectOk(`AT+QIOPEN=0,"TCP","echo.test",${echo.port},0,1`);
  assert.deepEqual((await c.waitUrc('+QIOPEN: 0')).params, ['0', '0']);

  const sent = await c.sendData('AT+QISEND=0,5', 'hello');
  assert.deepEqual(sent, { lines: [], final: 'SEND OK', ok: true });
  const recv = await c.waitUrc('+QIURC: "recv",0');
  assert.deepEqual(recv.params, ['recv', '0', '5']);
  assert.equal(recv.data?.toString(), 'hello');

  // Counted bytes are bytes: CR/LF, quotes and a `> ` inside the payload go through untouched.
  const awkward = Buffer.from('a\r\n"b",> \r\nOK\r\n', 'latin1');
  assert.equal((await c.sendData(`AT+QISEND=0,${awkward.length}`, awkward)).final, 'SEND OK');
  let back = Buffer.alloc(0); // the peer may echo in more than one segment
  while (back.length < awkward.length) back = Buffer.concat([back, (await c.waitUrc('+QIURC: "recv",0')).data!]);
  assert.deepEqual(back, awkward);
  assert.equal((await c.command('AT+QVERSION')).final, 'OK', 'the framing held');
});

test('transparent mode: CONNECT → a stream; end() leaves with +++ and OK; NO CARRIER ends it too', async () => {
  const echo = await echoServer();
  const m = module({ world: world({ 'echo.test': '127.0.0.1' }), guardMs: 100 });
  const c = await client(await overTcp(m), { guardMs: 100 });
  await joinOffice(c);
  const stream = await c.transparent(`AT+QIOPEN=1,"TCP","echo.test",${echo.port},0,2`);
  const queued = c.command('AT+QVERSION'); // waits for the session to end
  stream.write('ping\r\nOK\r\n');
  let got = Buffer.alloc(0);
  for await (const chunk of stream) {
    got = Buffer.concat([got, chunk]);
    if (got.length >= 10) break; // for-await's break destroys the stream: +++ follows
  }
  assert.equal(got.toString(), 'ping\r\nOK\r\n');
  assert.equal((await queued).final, 'OK', 'back in command mode after +++');

  // ATO resumes it; the server hanging up ends it with NO CARRIER.
  const again = await c.transparent('ATO');
  const ended = new Promise<void>((resolve) => again.on('end', resolve).resume());
  for (const s of echo.sockets) s.end();
  await ended;
  assert.equal((await c.command('AT+QVERSION')).final, 'OK');
});

test('against `fc41d serve --tcp`: the target string alone, echo on, URCs as events', async () => {
  const { port } = await serveTcp();
  const c = await client(`127.0.0.1:${port}`);
  const r = await c.command('AT+QVERSION');
  assert.equal(r.final, 'OK');
  assert.match(r.lines[0], /^\+QVERSION:/);
  await c.expectOk('AT+QSTAAPINFO=Office,correct-horse');
  const got = await c.waitUrc('+QSTASTAT:GOT_IP', { timeoutMs: T });
  assert.deepEqual(got.params, ['GOT_IP']);
});
