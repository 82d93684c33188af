// latency (delay both ways, bandwidth cap, push-back) and tls-untrusted, through dial() and
// AT+QIOPEN/AT+QSSLOPEN over real sockets and real TLS.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import type { ModuleFailure } from '../../src/feature/feature.ts';
import { dial } from '../../src/net/dial.ts';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { connectedModule, T, tcpEcho } from '../tcpip/helpers.ts';
import { pki } from '../ssl/certs.ts';
import { tlsServer } from '../ssl/helpers.ts';

function networkOf(world: World) {
  return { world, hasIp: () => true, clock: realClock, faults: world.faults, module: 'module 0' };
}

test('latency: a round trip through AT+QIOPEN takes at least twice the one-way delay, and the connect one round trip', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({ 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } });
  try {
    const delayMs = 120;
    m.world.faults.add({ kind: 'latency', host: 'echo.test', delayMs });
    let t0 = performance.now();
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","echo.test",7,0,1')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    assert.ok(performance.now() - t0 >= 2 * delayMs - 5, `connect took ${performance.now() - t0} ms`);
    t0 = performance.now();
    assert.equal((await m.at('AT+QISEND=0,4,"ping"')).final, 'OK');
    await m.host.expect('\r\n+QIURC: "recv",0,4\r\nping\r\n', T);
    const rtt = performance.now() - t0;
    assert.ok(rtt >= 2 * delayMs - 5, `round trip ${rtt} ms`);
    assert.ok(rtt < 2 * delayMs + 1000, `round trip ${rtt} ms is about the delay, not more`);
    // Without the fault the same round trip is quick: the delay was the fault's.
    m.world.faults.clear();
    assert.equal((await m.at('AT+QIOPEN=1,"TCP","echo.test",7,0,1')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,0\r\n', T);
    t0 = performance.now();
    assert.equal((await m.at('AT+QISEND=1,4,"pong"')).final, 'OK');
    await m.host.expect('\r\n+QIURC: "recv",1,4\r\npong\r\n', T);
    // Below the fault's least round trip (a loaded machine may take tens of ms, never 2 delays).
    const quick = performance.now() - t0;
    assert.ok(quick < 2 * delayMs - 5, `no fault, no delay: ${quick} ms`);
  } finally {
    m.close();
    await echo.close();
  }
});

test('latency with a bandwidth cap: bytes arrive no faster than the cap, both ways, and a slow reader pushes back', async () => {
  const world = new World(parseWorld({ hosts: {} }));
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => accepted.push(s.on('error', () => {})));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const bandwidth = 40_000;
  world.faults.add({ kind: 'latency', delayMs: 10, bandwidth });
  const socket = await dial({ host: '127.0.0.1', port }, { network: networkOf(world) });
  try {
    assert.equal(socket.remoteAddress, '127.0.0.1');
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    const peer = accepted[0]!;
    const size = 20_000;
    // Server → module.
    let t0 = performance.now();
    peer.write(Buffer.alloc(size, 1));
    let got = 0;
    await new Promise<void>((resolve) => socket.on('data', (d: Buffer) => ((got += d.length), got >= size && resolve())));
    const down = performance.now() - t0;
    assert.ok(down >= (size / bandwidth) * 1000 - 20, `${size} B down in ${down} ms at ${bandwidth} B/s`);
    // Module → server.
    t0 = performance.now();
    socket.write(Buffer.alloc(size, 2));
    got = 0;
    await new Promise<void>((resolve) => peer.on('data', (d: Buffer) => ((got += d.length), got >= size && resolve())));
    const up = performance.now() - t0;
    assert.ok(up >= (size / bandwidth) * 1000 - 20, `${size} B up in ${up} ms`);
    // Push-back: a peer that does not read stops the relay from buffering without bound.
    socket.removeAllListeners('data');
    socket.pause();
    // Larger than every kernel buffer on the way can hold, so only push-back keeps it at the sender.
    const big = Buffer.alloc(32 * 1024 * 1024, 3);
    const wrote = peer.write(big);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(wrote, false);
    assert.ok(peer.writableLength > 8 * 1024 * 1024, `the server is held back (${peer.writableLength} B still queued at the sender)`);
  } finally {
    socket.destroy();
    for (const s of accepted) s.destroy();
    server.close();
    world.dispose();
  }
});

async function sslModule() {
  const world = new World(parseWorld({ timeScale: 0.01, hosts: { 'secure.test': '127.0.0.1' }, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n', T);
  host.send('AT+QSTAAPINFO=Office');
  await host.expect('+QSTASTAT:GOT_IP\r\n', T);
  const seen: ModuleFailure[] = [];
  m.module.on('failure', (f) => seen.push(f));
  const at = (line: string) => host.command(line, T);
  const uploadCa = async (bytes: Buffer) => {
    host.send(`AT+QSSLCERT="CA",2,${bytes.length}`);
    await host.expect('\r\nCONNECT\r\n', T);
    host.write(bytes);
    assert.equal((await host.expect(/\r\n(OK|ERROR)\r\n/, T)).trim(), 'OK');
  };
  return { ...m, world, host, at, seen, uploadCa };
}

test('tls-untrusted: verification on fails as with an untrusted server (551, self-signed); off connects and data flows', async () => {
  const server = await tlsServer();
  const m = await sslModule();
  try {
    assert.equal((await m.at('AT+QSSLCFG="verify",1,1')).final, 'OK');
    await m.uploadCa(pki().ca.cert);
    // The CA trusts the real server: verified, it connects.
    assert.equal((await m.at(`AT+QSSLOPEN=1,0,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 0,0\r\n', T);
    assert.equal((await m.at('AT+QSSLCLOSE=0')).final, 'OK');

    m.world.faults.add({ kind: 'tls-untrusted', host: 'secure.test' });
    assert.equal((await m.at(`AT+QSSLOPEN=1,0,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 0,551\r\n', T);
    assert.equal(m.seen.length, 1);
    assert.equal(m.seen[0]!.feature, 'ssl');
    assert.equal(m.seen[0]!.cause, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(m.seen[0]!.detail, /not signed by the uploaded CA/);

    // Verification off: the middle is accepted and relays to the real server.
    assert.equal((await m.at('AT+QSSLCFG="verify",2,0')).final, 'OK');
    assert.equal((await m.at(`AT+QSSLOPEN=2,1,"secure.test",${server.port}`)).final, 'OK');
    await m.host.expect('\r\n+QSSLOPEN: 1,0\r\n', T);
    assert.deepEqual(await m.at('AT+QSSLSEND=1,5,"hello"'), { lines: ['+QSSLSEND: 5'], final: 'OK' });
    await m.host.expect('\r\n+QSSLURC: "recv",1\r\n', T);
    m.host.send('AT+QSSLRECV=1,100');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QSSLRECV: 5\r\n\r\nhello\r\n\r\nOK\r\n');
    assert.equal(m.world.faults.list()[0]!.hits, 2);
  } finally {
    m.close();
  }
});

test('tls-untrusted leaves plain TCP alone', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({ 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } });
  try {
    m.world.faults.add({ kind: 'tls-untrusted', host: 'echo.test' });
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","echo.test",7,0,1')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    assert.equal((await m.at('AT+QISEND=0,2,"hi"')).final, 'OK');
    await m.host.expect('\r\n+QIURC: "recv",0,2\r\nhi\r\n', T);
    assert.equal(m.world.faults.list()[0]!.hits, 0);
  } finally {
    m.close();
    await echo.close();
  }
});

test('latency: a server that answers and closes at once — the answer arrives (delayed), then the close', async () => {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.end('bye');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const m = await connectedModule({ 'bye.test': { address: '127.0.0.1', ports: { '7': port } } });
  try {
    m.world.faults.add({ kind: 'latency', host: 'bye.test', delayMs: 100 });
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","bye.test",7,0,1')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    await m.host.expect('\r\n+QIURC: "recv",0,3\r\nbye\r\n', T);
    await m.host.expect('\r\n+QIURC: "closed",0\r\n', T);
  } finally {
    m.close();
    server.close();
  }
});
