/**
 * `--pace` keeps flow control on: a peer pushing far more than the paced UART carries is
 * pushed back (TCP), not read into memory, and the host's first byte comes at once.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { Fc41dModule } from '../../src/device/module.ts';
import { startTcpTransport } from '../../src/transport/tcp.ts';
import { parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';

const WAIT_MS = 10_000;
const MiB = 1024 * 1024;

test('paced transparent mode: a peer pushing 64 MiB is pushed back; the host reads at the baud rate from the first ms', async () => {
  const peers: Socket[] = [];
  const server = createServer((s) => (s.on('error', () => {}), peers.push(s)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const world = new World(parseWorld({ timeScale: 0, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const module = new Fc41dModule({ bootMs: 1, echo: false, world, paceOutput: true });
  const tcp = await startTcpTransport('127.0.0.1', 0, module);
  const socket = connect(tcp.address.port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const host = new AtHost(socket);
    await host.expect('\r\nready\r\n', WAIT_MS);
    host.send('AT+QSTAAPINFO=Office');
    await host.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
    const port = (server.address() as AddressInfo).port;
    assert.equal((await host.command(`AT+QIOPEN=0,"TCP","127.0.0.1",${port},0,2`, WAIT_MS)).final, 'CONNECT');
    while (peers.length === 0) await new Promise((r) => setTimeout(r, 5));
    const peer = peers[0];

    let received = 0;
    let firstAt = 0;
    socket.on('data', (d: Buffer) => {
      if (received === 0) firstAt = performance.now();
      received += d.length;
    });
    // The peer pushes 64 MiB as fast as TCP lets it.
    const chunk = Buffer.alloc(64 * 1024, 0x55);
    let handed = 0;
    let stop = false;
    const started = performance.now();
    const pushing = (async () => {
      while (!stop && handed < 64 * MiB) {
        handed += chunk.length;
        if (!peer.write(chunk)) await new Promise((r) => peer.once('drain', r).once('close', r));
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    const elapsed = (performance.now() - started) / 1000;
    const accepted = handed - peer.writableLength; // taken by the kernel or beyond
    assert.ok(firstAt - started < 200, `first byte after ${(firstAt - started).toFixed(1)} ms`);
    // 115200 baud = 11520 bytes/s: the host cannot have more than the wire carried.
    assert.ok(received <= 11520 * elapsed + 64, `host got ${received} bytes in ${elapsed.toFixed(2)} s`);
    assert.ok(received >= 11520 * (elapsed - 0.3), `host got only ${received} bytes in ${elapsed.toFixed(2)} s`);
    // What the peer got rid of is bounded by socket buffers, not by the 64 MiB it tried.
    assert.ok(accepted < 16 * MiB, `the peer pushed ${(accepted / MiB).toFixed(1)} MiB into the module's side`);
    peer.destroy();
    await pushing.catch(() => {});
  } finally {
    socket.destroy();
    for (const p of peers) p.destroy();
    await tcp.close();
    module.dispose();
    await new Promise((r) => server.close(r));
  }
});
