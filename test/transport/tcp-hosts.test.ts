/**
 * Hosts coming and going on the TCP transport: a port probe must not eat `ready`, output made
 * while no host is attached reaches the next one, reset-on-connect gives each host a fresh
 * boot, and the module reports connects, disconnects and refusals.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, test } from 'node:test';
import { Fc41dModule, type ModuleOptions } from '../../src/device/module.ts';
import type { HostChange } from '../../src/transport/host-port.ts';
import { startTcpTransport, type TcpTransport, type TcpTransportOptions } from '../../src/transport/tcp.ts';
import { parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';

const WAIT_MS = 10_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function start(opts: ModuleOptions = {}, tcpOpts: TcpTransportOptions = {}) {
  const module = new Fc41dModule({ bootMs: 30, echo: false, ...opts });
  const tcp = await startTcpTransport('127.0.0.1', 0, module, tcpOpts);
  const changes: HostChange[] = [];
  module.on('host', (c) => changes.push(c));
  cleanups.push(() => module.dispose(), () => tcp.close());
  return { module, tcp, changes };
}

async function open(tcp: TcpTransport): Promise<{ socket: Socket; host: AtHost; closed: Promise<void> }> {
  const socket = connect(tcp.address.port, tcp.address.host);
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  cleanups.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, host: new AtHost(socket), closed };
}

/** A port probe (`nc -z`, wait-on): connect, close at once, read nothing. */
async function probe(tcp: TcpTransport): Promise<void> {
  const { socket, closed } = await open(tcp);
  socket.destroy();
  await closed;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a port probe does not eat ready: the host that connects next reads it', async () => {
  const { module, tcp } = await start();
  await probe(tcp);
  await until(() => module.state === 'on', 'the probe-powered module to boot');
  await new Promise((r) => setTimeout(r, 20)); // the probe's close has surely been seen
  const { host } = await open(tcp);
  assert.equal(await host.expect('\r\nready\r\n', WAIT_MS), '\r\nready\r\n');
  assert.deepEqual(await host.command('AT', WAIT_MS), { lines: [], final: 'OK' });
});

test('a probe that lands after ready was said: the next host still reads it, once', async () => {
  const { module, tcp } = await start({ bootMs: 1 });
  const first = await open(tcp);
  await first.host.expect('\r\nready\r\n', WAIT_MS);
  first.socket.destroy();
  await first.closed;
  // No host now: what the module says waits for the next one.
  await new Promise((r) => setTimeout(r, 20));
  module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  const next = await open(tcp);
  assert.equal(await next.host.expect('\r\n+QSTASTAT:WLAN_DISCONNECTED\r\n', WAIT_MS), '\r\n+QSTASTAT:WLAN_DISCONNECTED\r\n');
  assert.deepEqual(await next.host.command('AT', WAIT_MS), { lines: [], final: 'OK' });
  assert.doesNotMatch(next.host.received, /ready/, 'ready went to the first host, not again');
});

test('reset-on-connect: every host power-cycles the module and reads a fresh ready', async () => {
  const { module, tcp } = await start({}, { resetOnConnect: true });
  const states: string[] = [];
  module.on('power', (s) => states.push(s));
  for (let round = 0; round < 3; round++) {
    const c = await open(tcp);
    assert.equal(await c.host.expect('\r\nready\r\n', WAIT_MS), '\r\nready\r\n', `host ${round}`);
    // An unsaved setting does not outlive the host: a reset forgets it (§2.1.7).
    assert.equal((await c.host.command('AT+QSETBAND=9600,0', WAIT_MS)).final, 'OK');
    assert.equal(module.system.baud, 9600);
    module.urc('+QSTASTAT:WLAN_DISCONNECTED'); // said to this host; the next one must not read it
    await c.host.expect('WLAN_DISCONNECTED\r\n', WAIT_MS);
    c.socket.destroy();
    await c.closed;
    await new Promise((r) => setTimeout(r, 20)); // the close has surely been seen
  }
  const c = await open(tcp);
  assert.equal(await c.host.expect('\r\nready\r\n', WAIT_MS), '\r\nready\r\n');
  assert.equal(module.system.baud, 115200);
  assert.deepEqual(states.slice(0, 5), ['booting', 'on', 'off', 'booting', 'on']);
});

test('the module reports hosts connecting, leaving and being refused, with their addresses', async () => {
  const { tcp, changes } = await start();
  const first = await open(tcp);
  await first.host.expect('\r\nready\r\n', WAIT_MS);
  const firstPeer = `127.0.0.1:${first.socket.localPort}`;
  const second = await open(tcp);
  const secondPeer = `127.0.0.1:${second.socket.localPort}`;
  await second.closed;
  first.socket.end();
  await first.closed;
  await until(() => changes.length >= 3, 'three host reports');
  assert.deepEqual(changes, [
    { event: 'connected', peer: firstPeer },
    { event: 'refused', peer: secondPeer },
    { event: 'disconnected', peer: firstPeer },
  ]);
});

test('a host that leaves mid-transparent loses nothing: the peer data waits for the next host', async () => {
  const peers: Socket[] = [];
  const server = createServer((s) => (s.on('error', () => {}), peers.push(s)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((r) => (peers.forEach((p) => p.destroy()), server.close(r))));
  const world = new World(parseWorld({ timeScale: 0, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const { tcp } = await start({ world, bootMs: 1 });
  const a = await open(tcp);
  await a.host.expect('\r\nready\r\n', WAIT_MS);
  a.host.send('AT+QSTAAPINFO=Office');
  await a.host.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  const port = (server.address() as AddressInfo).port;
  assert.equal((await a.host.command(`AT+QIOPEN=0,"TCP","127.0.0.1",${port},0,2`, WAIT_MS)).final, 'CONNECT');
  await until(() => peers.length === 1, 'the peer connection');
  a.socket.destroy();
  await a.closed;
  await new Promise((r) => setTimeout(r, 20));

  // Peer data while no host is attached: 200 KiB, far more than the held output takes.
  const payload = Buffer.alloc(200 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  peers[0].write(payload);
  await new Promise((r) => setTimeout(r, 100));

  const b = await open(tcp);
  const got: Buffer[] = [];
  let n = 0;
  b.socket.on('data', (d: Buffer) => (got.push(d), (n += d.length)));
  await until(() => n >= payload.length, `the next host to read ${payload.length} bytes (has ${n})`);
  assert.ok(Buffer.concat(got).equals(payload), 'the same bytes, in order');
});
