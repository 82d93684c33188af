import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, test } from 'node:test';
import { Fc41dModule } from '../../src/device/module.ts';
import { startTcpTransport, type TcpTransport } from '../../src/transport/tcp.ts';
import { AtHost } from '../helpers/at-host.ts';

const WAIT_MS = 10_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function start(): Promise<{ module: Fc41dModule; tcp: TcpTransport }> {
  const module = new Fc41dModule({ bootMs: 5, echo: false });
  const tcp = await startTcpTransport('127.0.0.1', 0, module);
  cleanups.push(() => module.powerOff(), () => tcp.close());
  return { module, tcp };
}

async function open(tcp: TcpTransport): Promise<{ socket: Socket; host: AtHost; closed: Promise<void> }> {
  const socket = connect(tcp.address.port, tcp.address.host);
  socket.setNoDelay(true);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, host: new AtHost(socket), closed };
}

/** Connects until the server has seen the previous host go and lets this one attach. */
async function openAttached(tcp: TcpTransport) {
  for (let attempt = 0; ; attempt++) {
    const c = await open(tcp);
    const answered = c.host.command('AT', WAIT_MS).then(() => true, () => false);
    if (await Promise.race([answered, c.closed.then(() => false)])) return c;
    assert.ok(attempt < 50, 'the port never took a new host');
  }
}

test('port 0 reports the real port, and AT is answered OK over TCP', async () => {
  const { tcp } = await start();
  assert.equal(tcp.address.host, '127.0.0.1');
  assert.ok(tcp.address.port > 0);
  const { host } = await open(tcp);
  await host.expect('\r\nready\r\n', WAIT_MS);
  assert.deepEqual(await host.command('AT', WAIT_MS), { lines: [], final: 'OK' });
});

test('a command written one byte at a time is answered', async () => {
  const { tcp } = await start();
  const { socket, host } = await open(tcp);
  await host.expect('\r\nready\r\n', WAIT_MS);
  for (const byte of Buffer.from('AT+QVERSION\r')) {
    socket.write(Buffer.from([byte]));
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await host.expect('\r\nOK\r\n', WAIT_MS), '\r\n+QVERSION:FC41DAAR03A09M02.bin_202406260343\r\n\r\nOK\r\n');
});

test('a second connection is closed without a byte while the first keeps working', async () => {
  const { tcp } = await start();
  const first = await open(tcp);
  await first.host.expect('\r\nready\r\n', WAIT_MS);

  const second = await open(tcp);
  await second.closed;
  assert.equal(second.host.received, '');

  assert.deepEqual(await first.host.command('AT+QWLMAC', WAIT_MS), { lines: ['+QWLMAC:c8:47:8c:42:00:48'], final: 'OK' });
});

test('after the host disconnects the next one attaches, with no new ready', async () => {
  const { module, tcp } = await start();
  const first = await open(tcp);
  await first.host.expect('\r\nready\r\n', WAIT_MS);
  first.socket.end();
  await first.closed;

  const next = await openAttached(tcp);
  assert.equal(next.host.received, '\r\nOK\r\n', 'the module stayed up: no ready');
  assert.equal(module.state, 'on');
  assert.deepEqual(await next.host.command('AT+QVERSION', WAIT_MS), { lines: ['+QVERSION:FC41DAAR03A09M02.bin_202406260343'], final: 'OK' });
});

test('close() drops the host and stops listening', async () => {
  const { tcp } = await start();
  const c = await open(tcp);
  await c.host.expect('\r\nready\r\n', WAIT_MS);
  await tcp.close();
  await c.closed;
  const refused = connect(tcp.address.port, tcp.address.host);
  const error = await new Promise<NodeJS.ErrnoException>((resolve) => refused.once('error', resolve));
  assert.equal(error.code, 'ECONNREFUSED');
});
