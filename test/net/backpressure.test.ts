// The receive buffer is bounded and TCP pushes back: a peer sending far more than the buffer
// holds stalls (its writes stay queued) until the host reads, and every byte arrives, in order.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { mustOpen, readAll, rig, sleep, tcp, tcpServer, until } from './helpers.ts';

/** A recognisable pattern: byte i is (i * 7 + (i >> 13)) & 0xff, so a lost or reordered chunk shows. */
function pattern(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >> 13)) & 0xff;
  return b;
}

/**
 * More than the kernel can hold between the two sockets: the largest send and receive buffers
 * loopback may autotune to (tcp_wmem and tcp_rmem maxima; 4 + 32 MiB on CI machines), plus 4 MiB.
 * With less, the peer's writes could all complete (into kernel buffers) without ever meeting the
 * module's buffer limit — 4 MiB once did, on a loaded machine.
 */
function kernelBufferMax(): number {
  const max = (file: string) => {
    try {
      return Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]) || 0;
    } catch {
      return 0;
    }
  };
  return max('/proc/sys/net/ipv4/tcp_wmem') + max('/proc/sys/net/ipv4/tcp_rmem');
}
const SIZE = Math.max(4 * 1024 * 1024, kernelBufferMax() + 4 * 1024 * 1024);
const BUFFER = 64 * 1024;

test(`a peer sending more than the kernel buffers hold (${SIZE >> 20} MiB) into a 64 KiB buffer stalls until read() drains it; nothing is lost or reordered`, async () => {
  const { svc } = rig({ recvBufferBytes: BUFFER });
  const payload = pattern(SIZE);
  let writeDone = false;
  const peer = await tcpServer((s) => s.write(payload, () => void (writeDone = true)));
  await mustOpen(svc, tcp(0, peer.port));
  const server = await peer.connection();

  await until(() => svc.unread(0) === BUFFER, 'the buffer to fill');
  await sleep(200);
  assert.equal(svc.unread(0), BUFFER, 'never more than the buffer');
  assert.equal(svc.recvCounters(0)!.total, BUFFER);
  assert.equal(writeDone, false, "the peer's write has not completed");
  assert.ok(server.writableLength > 0, `the peer still holds ${server.writableLength} bytes it cannot send`);

  // Reading a little (buffer still above half) does not yet take more from the peer.
  assert.equal(svc.read(0, 1000)!.data.length, 1000);
  await sleep(20);
  assert.equal(svc.unread(0), BUFFER - 1000);

  const rest = await readAll(svc, 0, SIZE - 1000, 16 * 1024);
  const all = Buffer.concat([payload.subarray(0, 1000), rest]);
  assert.equal(all.length, SIZE);
  assert.ok(all.equals(payload), 'every byte, in order');
  await until(() => writeDone, "the peer's write to complete");
  assert.deepEqual(svc.recvCounters(0), { total: SIZE, read: SIZE, unread: 0 });
});

test('the peer closing with data still held back: closed comes only once the data fits, and all of it is readable', async () => {
  const { svc } = rig({ recvBufferBytes: BUFFER });
  const payload = pattern(512 * 1024);
  const peer = await tcpServer((s) => s.end(payload));
  let closed = false;
  svc.on('closed', () => void (closed = true));
  await mustOpen(svc, tcp(0, peer.port));
  await until(() => svc.unread(0) === BUFFER, 'the buffer to fill');
  await sleep(50);
  assert.equal(closed, false, 'the FIN is behind data the module has not taken yet');
  const all = await readAll(svc, 0, payload.length, 1500);
  assert.ok(all.equals(payload));
  await until(() => closed, 'closed');
  await svc.close(0, 1000);
  const server = await peer.connection();
  await until(() => server.destroyed, 'the peer socket to close');
});

test('send counters: bytes the kernel has not taken stay unacked until the peer reads', async () => {
  const { svc } = rig();
  const peer = await tcpServer(() => {}, { pauseOnConnect: true });
  await mustOpen(svc, tcp(0, peer.port));
  const server = await peer.connection();
  const size = 8 * 1024 * 1024;
  assert.deepEqual(svc.send(0, Buffer.alloc(size, 1)), { ok: true, sent: size });
  await sleep(100);
  const stalled = svc.sendCounters(0)!;
  assert.equal(stalled.total, size);
  assert.equal(stalled.acked, 0, 'the one write has not completed');
  assert.equal(stalled.unacked, size);
  let received = 0;
  server.on('data', (d: Buffer) => (received += d.length));
  server.resume();
  await until(() => svc.sendCounters(0)!.acked === size, 'the write to complete');
  assert.deepEqual(svc.sendCounters(0), { total: size, acked: size, unacked: 0 });
  await until(() => received === size, 'the peer to get everything');
});
