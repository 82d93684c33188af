// UDP client and UDP SERVICE over real loopback sockets: datagram boundaries and senders in the
// receive buffer, per-send destinations (also through the hosts map), the listen-port rule,
// drops when the buffer is full, and the send rules.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { SocketState } from '../../src/net/types.ts';
import { Result } from '../../src/results/index.ts';
import { defer, freePort, mustOpen, next, openedLog, rig, sleep, udpPeer, until } from './helpers.ts';

describe('UDP client', () => {
  test('connected to the remote: datagrams keep their boundaries and sender; counters', async () => {
    const { svc } = rig();
    const echo = await udpPeer();
    const opened = openedLog(svc);
    await mustOpen(svc, { id: 2, type: 'UDP', host: '127.0.0.1', remotePort: echo.port, localPort: 0, mode: 0 });
    assert.deepEqual(opened, [[2, 0]]);
    const info = svc.info(2)!;
    assert.equal(info.state, SocketState.Connected);
    assert.deepEqual(info.remote, { address: '127.0.0.1', port: echo.port });
    assert.ok(info.localPort > 0);

    const data = next(svc, 'data', (id) => id === 2);
    assert.deepEqual(svc.send(2, Buffer.from('first')), { ok: true, sent: 5 });
    assert.deepEqual(svc.send(2, Buffer.from('second!')), { ok: true, sent: 7 });
    await data;
    await until(() => svc.unread(2) === 12, 'both echoes');
    assert.equal(echo.received[0]!.port, info.localPort, 'sent from the local port shown');
    const one = svc.read(2, 100)!;
    assert.equal(one.data.toString(), 'first', 'one datagram per read');
    assert.deepEqual(one.from, { address: '127.0.0.1', port: echo.port });
    assert.equal(svc.read(2, 3)!.data.toString(), 'sec', 'cut to max; the rest of that datagram is gone');
    assert.equal(svc.unread(2), 0);
    await until(() => svc.sendCounters(2)!.acked === 12, 'the sends to complete');
    assert.deepEqual(svc.sendCounters(2), { total: 12, acked: 12, unacked: 0 });
    assert.deepEqual(svc.recvCounters(2), { total: 12, read: 12, unread: 0, droppedDatagrams: 0, droppedBytes: 0 });
  });

  test('a hosts-map name with port remapping, and a requested local port', async () => {
    const echo = await udpPeer();
    const { svc } = rig({ hosts: { 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } } });
    const wanted = await freePort(); // free for TCP; almost surely for UDP too
    await mustOpen(svc, { id: 0, type: 'UDP', host: 'echo.test', remotePort: 7, localPort: wanted, mode: 1 });
    assert.deepEqual(svc.info(0)!.remote, { address: '127.0.0.1', port: 7 });
    assert.equal(svc.info(0)!.localPort, wanted);
    svc.send(0, Buffer.from('hi'));
    await until(() => svc.unread(0) === 2, 'the echo');
    assert.equal(echo.received[0]!.port, wanted);
  });

  test('a taken local port falls back to an ephemeral one', async () => {
    const echo = await udpPeer();
    const taken = await udpPeer(false);
    const { svc } = rig();
    await mustOpen(svc, { id: 0, type: 'UDP', host: '127.0.0.1', remotePort: echo.port, localPort: taken.port, mode: 0 });
    assert.notEqual(svc.info(0)!.localPort, taken.port);
  });

  test('a destination is refused on a UDP client (550); closing it frees the id silently', async () => {
    const { svc } = rig();
    const echo = await udpPeer();
    await mustOpen(svc, { id: 0, type: 'UDP', host: '127.0.0.1', remotePort: echo.port, localPort: 0, mode: 0 });
    assert.deepEqual(svc.send(0, Buffer.from('x'), { address: '127.0.0.1', port: echo.port }), { ok: false, result: 550 });
    let events = 0;
    svc.on('closed', () => events++);
    assert.equal(await svc.close(0, 1000), 0);
    assert.equal(svc.info(0), undefined);
    assert.equal(events, 0);
  });
});

describe('UDP SERVICE', () => {
  test('listens on the module port when free; per-send destinations; the sender of each datagram', async () => {
    const { svc } = rig();
    const modulePort = await freePort();
    await mustOpen(svc, { id: 1, type: 'UDP SERVICE', host: '127.0.0.1', remotePort: 0, localPort: modulePort, mode: 0 });
    const info = svc.info(1)!;
    assert.equal(info.state, SocketState.Connected, 'a UDP service can send at once');
    assert.equal(info.remote, null);
    assert.equal(info.localPort, modulePort);
    assert.deepEqual(info.hostEndpoint, { address: '127.0.0.1', port: modulePort });

    const a = await udpPeer(false);
    const b = await udpPeer(false);
    assert.deepEqual(svc.send(1, Buffer.from('to a'), { address: '127.0.0.1', port: a.port }), { ok: true, sent: 4 });
    assert.deepEqual(svc.send(1, Buffer.from('to b!'), { address: '127.0.0.1', port: b.port }), { ok: true, sent: 5 });
    await until(() => a.received.length === 1 && b.received.length === 1, 'both datagrams');
    assert.equal(a.received[0]!.data.toString(), 'to a');
    assert.equal(b.received[0]!.data.toString(), 'to b!');
    assert.equal(a.received[0]!.port, modulePort);

    b.socket.send('from b', modulePort, '127.0.0.1');
    await until(() => svc.unread(1) === 6, 'b');
    a.socket.send('from a', modulePort, '127.0.0.1');
    await until(() => svc.unread(1) === 12, 'a');
    assert.deepEqual(svc.read(1, 1500), { data: Buffer.from('from b'), from: { address: '127.0.0.1', port: b.port } });
    assert.deepEqual(svc.read(1, 1500), { data: Buffer.from('from a'), from: { address: '127.0.0.1', port: a.port } });
  });

  test('the module port taken on the host: any free port, shown in hostEndpoint; the module keeps its port', async () => {
    const { svc } = rig();
    const taken = await udpPeer(false);
    await mustOpen(svc, { id: 0, type: 'UDP SERVICE', localPort: taken.port, mode: 1 });
    const info = svc.info(0)!;
    assert.equal(info.localPort, taken.port);
    assert.notEqual(info.hostEndpoint!.port, taken.port);
    const client = dgram.createSocket('udp4');
    client.on('error', () => {});
    defer(() => new Promise<void>((resolve) => client.close(() => resolve())));
    client.send('knock', info.hostEndpoint!.port, '127.0.0.1');
    await until(() => svc.unread(0) === 5, 'the datagram');
  });

  test('send rules: a destination is required (550), it may be a hosts-map name, not an unknown name (550)', async () => {
    const peer = await udpPeer(false);
    const { svc } = rig({ hosts: { 'sink.test': { address: '127.0.0.1', ports: { '9': peer.port } } } });
    await mustOpen(svc, { id: 0, type: 'UDP SERVICE', localPort: await freePort(), mode: 0 });
    assert.deepEqual(svc.send(0, Buffer.from('x')), { ok: false, result: Result.INVALID_PARAMETER });
    assert.deepEqual(svc.send(0, Buffer.from('x'), { address: 'unknown.example', port: 9 }), { ok: false, result: 550 });
    assert.deepEqual(svc.send(0, Buffer.from('x'), { address: '127.0.0.1', port: 0 }), { ok: false, result: 550 });
    assert.deepEqual(svc.send(0, Buffer.from('mapped'), { address: 'sink.test', port: 9 }), { ok: true, sent: 6 });
    await until(() => peer.received.length === 1, 'the datagram');
    assert.equal(peer.received[0]!.data.toString(), 'mapped');
  });

  test('mode 2 is not supported (557); local port 0 is a parameter error (550)', async () => {
    const { svc } = rig();
    assert.equal(await svc.open({ id: 0, type: 'UDP SERVICE', localPort: 5000, mode: 2 }), Result.NOT_SUPPORTED);
    assert.equal(await svc.open({ id: 0, type: 'UDP SERVICE', localPort: 0, mode: 0 }), Result.INVALID_PARAMETER);
    assert.equal(svc.info(0), undefined);
  });

  test('a second UDP SERVICE on the same module port: 551', async () => {
    const { svc } = rig();
    const port = await freePort();
    await mustOpen(svc, { id: 0, type: 'UDP SERVICE', localPort: port, mode: 0 });
    assert.equal(await svc.open({ id: 1, type: 'UDP SERVICE', localPort: port, mode: 0 }), Result.UNKNOWN_ERROR);
    assert.match(svc.lastDetail, /already used by socket 0/);
  });

  test('a full buffer drops whole datagrams and counts them; nothing is cut', async () => {
    const { svc } = rig({ recvBufferBytes: 1000 });
    const port = await freePort();
    await mustOpen(svc, { id: 0, type: 'UDP SERVICE', localPort: port, mode: 0 });
    const sender = await udpPeer(false);
    for (let i = 0; i < 5; i++) sender.socket.send(Buffer.alloc(300, 0x30 + i), port, '127.0.0.1');
    await until(() => (svc.recvCounters(0)!.droppedDatagrams ?? 0) === 2, 'two drops');
    assert.deepEqual(svc.recvCounters(0), { total: 900, read: 0, unread: 900, droppedDatagrams: 2, droppedBytes: 600 });
    for (let i = 0; i < 3; i++) assert.ok(svc.read(0, 1500)!.data.equals(Buffer.alloc(300, 0x30 + i)));
    sender.socket.send(Buffer.alloc(10, 1), port, '127.0.0.1');
    await until(() => svc.unread(0) === 10, 'room again');
  });

  test('linkLost closes it (closed once); the host then closes it', async () => {
    const { svc } = rig();
    await mustOpen(svc, { id: 3, type: 'UDP SERVICE', localPort: await freePort(), mode: 0 });
    const closed = next(svc, 'closed');
    svc.linkLost();
    assert.deepEqual(await closed, [3, 'Wi-Fi link lost']);
    assert.equal(svc.info(3)!.state, SocketState.Closing);
    assert.deepEqual(svc.send(3, Buffer.from('x'), { address: '127.0.0.1', port: 9 }), { ok: false, result: Result.NOT_ALLOWED });
    assert.equal(await svc.close(3, 100), 0);
    await sleep(5);
    assert.equal(svc.info(3), undefined);
  });

  test('the host port is really released on close', async () => {
    const { svc } = rig();
    const port = await freePort();
    await mustOpen(svc, { id: 0, type: 'UDP SERVICE', localPort: port, mode: 0 });
    await svc.close(0, 100);
    const again = dgram.createSocket('udp4');
    again.bind(port, '127.0.0.1');
    await once(again, 'listening');
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });
});
