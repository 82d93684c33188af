// TCP clients over real loopback sockets: open outcomes and their result codes (§2.3.2,
// chapter 5), hosts-map names with port remapping, DNS, local ports, the handshake timeout,
// peer closes (+QIURC: "closed" semantics), host close, counters, closeAll and linkLost.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { SocketState } from '../../src/net/types.ts';
import { Result } from '../../src/results/index.ts';
import { blackHole, freePort, mustOpen, next, openedLog, readAll, record, rig, sleep, tcp, tcpEcho, tcpServer, until } from './helpers.ts';

describe('TCP client: opening', () => {
  test('connects to an echo server by IP: OK, Connected, data round trip, counters', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    const opened = openedLog(svc);
    const pending = svc.open(tcp(3, echo.port));
    assert.equal(svc.info(3)?.state, SocketState.Opening, 'the id is held while connecting');
    assert.equal(await pending, Result.OK);
    assert.deepEqual(opened, [[3, 0]]);
    const info = svc.info(3)!;
    assert.equal(info.type, 'TCP');
    assert.equal(info.state, SocketState.Connected);
    assert.deepEqual(info.remote, { address: '127.0.0.1', port: echo.port });
    const server = await echo.connection();
    assert.equal(info.localPort, server.remotePort, 'the local port the socket really got');

    const data = next(svc, 'data', (id) => id === 3);
    assert.deepEqual(svc.send(3, Buffer.from('1234567890')), { ok: true, sent: 10 });
    await data;
    assert.equal((await readAll(svc, 3, 10)).toString(), '1234567890');
    await until(() => svc.sendCounters(3)!.acked === 10, 'the write to complete');
    assert.deepEqual(svc.sendCounters(3), { total: 10, acked: 10, unacked: 0 });
    assert.deepEqual(svc.recvCounters(3), { total: 10, read: 10, unread: 0 });
    assert.equal(svc.read(3, 100)!.data.length, 0, 'an empty buffer reads as no bytes');
  });

  test('a hosts-map name with port remapping: the module sees its port, the bytes reach the real one', async () => {
    const echo = await tcpEcho();
    const { svc } = rig({ hosts: { 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } } });
    await mustOpen(svc, { id: 0, type: 'TCP', host: 'ECHO.test', remotePort: 7, localPort: 0, mode: 1 });
    assert.deepEqual(svc.info(0)!.remote, { address: '127.0.0.1', port: 7 });
    assert.equal(svc.info(0)!.mode, 1);
    svc.send(0, Buffer.from('ping'));
    assert.equal((await readAll(svc, 0, 4)).toString(), 'ping');
  });

  test('a name outside the hosts map goes to DNS (localhost)', async () => {
    const echo = await tcpEcho();
    const { svc } = rig();
    await mustOpen(svc, { id: 1, type: 'TCP', host: 'localhost', remotePort: echo.port, localPort: 0, mode: 0 });
    assert.equal(svc.info(1)!.remote!.address, '127.0.0.1');
  });

  test('nothing listening: 551 with ECONNREFUSED in the detail, the id is freed', async () => {
    const { svc } = rig();
    const port = await freePort();
    const failures: string[] = [];
    svc.on('failure', (_id, _result, detail) => failures.push(detail));
    const opened = openedLog(svc);
    assert.equal(await svc.open(tcp(0, port)), Result.UNKNOWN_ERROR);
    assert.deepEqual(opened, [[0, 551]]);
    assert.equal(svc.info(0), undefined);
    assert.equal(svc.lastResult, 551);
    assert.match(svc.lastDetail, /ECONNREFUSED/);
    assert.match(failures[0]!, /ECONNREFUSED/);
    // The id can be used again.
    const echo = await tcpEcho();
    await mustOpen(svc, tcp(0, echo.port));
  });

  test('a name DNS does not know: 551', async () => {
    const { svc } = rig();
    assert.equal(await svc.open({ id: 2, type: 'TCP', host: 'no-such-host.invalid', remotePort: 80, localPort: 0, mode: 0 }), 551);
    assert.match(svc.lastDetail, /DNS lookup of no-such-host\.invalid failed/);
    assert.equal(svc.info(2), undefined);
  });

  test('the lookup seam is used after the hosts map', async () => {
    const echo = await tcpEcho();
    const asked: string[] = [];
    const { svc } = rig({
      hosts: { 'mapped.test': '127.0.0.1' },
      lookup: async (name) => {
        asked.push(name);
        return '127.0.0.1';
      },
    });
    await mustOpen(svc, { id: 0, type: 'TCP', host: 'mapped.test', remotePort: echo.port, localPort: 0, mode: 0 });
    await mustOpen(svc, { id: 1, type: 'TCP', host: 'elsewhere.example', remotePort: echo.port, localPort: 0, mode: 0 });
    assert.deepEqual(asked, ['elsewhere.example']);
  });

  test('parameter errors: bad host 550, bad ports 550, id out of range 550, id in use 553, no network 556', async () => {
    const { svc, network } = rig();
    const echo = await tcpEcho();
    const opened = openedLog(svc);
    for (const host of ['', 'bad host', '300.1.1.1', '1.2.3', '0.0.0.0', '::1', 'a..b', '-x.example', 'x'.repeat(64) + '.com'])
      assert.equal(await svc.open(tcp(0, echo.port, { host })), Result.INVALID_PARAMETER, `host "${host}"`);
    assert.equal(await svc.open(tcp(0, 0)), 550, 'remote port 0');
    assert.equal(await svc.open(tcp(0, 65536)), 550, 'remote port 65536');
    assert.equal(await svc.open(tcp(0, echo.port, { localPort: -1 })), 550, 'local port -1');
    assert.equal(await svc.open(tcp(12, echo.port)), 550, 'id 12');
    assert.equal(await svc.open(tcp(-1, echo.port)), 550, 'id -1');
    assert.equal(svc.list().length, 0);

    await mustOpen(svc, tcp(5, echo.port));
    assert.equal(await svc.open(tcp(5, echo.port)), Result.ID_IN_USE);
    assert.equal(svc.info(5)?.state, SocketState.Connected, 'a refused open leaves the socket on that id alone');

    network.up = false;
    assert.equal(await svc.open(tcp(6, echo.port)), Result.NOT_ALLOWED);
    assert.equal(svc.lastResult, 556);
    assert.equal(opened.length, 17, 'every outcome is reported');
    assert.deepEqual(opened.at(-1), [6, 556]);
  });

  test('the handshake timeout (a real SYN that is never answered) gives 551 and frees the id', async () => {
    const hole = await blackHole();
    const { svc } = rig({ handshakeTimeoutMs: 300 });
    const started = Date.now();
    assert.equal(await svc.open(tcp(4, hole.port)), Result.UNKNOWN_ERROR);
    assert.ok(Date.now() - started >= 290, 'waited for the timeout');
    assert.match(svc.lastDetail, /handshake timeout after 300 ms/);
    assert.equal(svc.info(4), undefined);
  });

  test('the handshake timeout path also works through the connect seam (a connect that never completes)', async () => {
    const made: net.Socket[] = [];
    const { svc } = rig({
      handshakeTimeoutMs: 50,
      connect: () => {
        const s = new net.Socket();
        made.push(s);
        return s; // never connects
      },
    });
    assert.equal(await svc.open(tcp(0, 9)), 551);
    assert.match(svc.lastDetail, /handshake timeout/);
    assert.ok(made[0]!.destroyed, 'the abandoned socket is destroyed');
  });

  test('a free local port is bound; a taken one falls back to an ephemeral port', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    const wanted = await freePort();
    await mustOpen(svc, tcp(0, echo.port, { localPort: wanted }));
    assert.equal(svc.info(0)!.localPort, wanted);
    assert.equal((await echo.connection()).remotePort, wanted);

    const occupier = await tcpServer();
    await mustOpen(svc, tcp(1, echo.port, { localPort: occupier.port }));
    const got = svc.info(1)!.localPort;
    assert.notEqual(got, occupier.port);
    assert.equal((await echo.connection()).remotePort, got);
  });
});

describe('TCP client: the peer ends the connection', () => {
  test('peer FIN after data: closed once, state Closing, the data stays readable until close() frees the id', async () => {
    const { svc } = rig();
    const peer = await tcpServer((s) => s.end('last words'));
    const log = record(svc);
    await mustOpen(svc, tcp(2, peer.port));
    const [, reason] = await next(svc, 'closed', (id) => id === 2);
    assert.equal(reason, 'peer closed');
    assert.equal(svc.info(2)!.state, SocketState.Closing);
    assert.deepEqual(svc.send(2, Buffer.from('x')), { ok: false, result: Result.NOT_ALLOWED });
    assert.equal(svc.read(2, 4)!.data.toString(), 'last');
    assert.equal(svc.read(2, 100)!.data.toString(), ' words');
    await sleep(30);
    assert.deepEqual(
      log.filter(([name]) => name !== 'data'),
      [
        ['opened', 2, 0, { kind: 'tcp', mode: 0 }],
        ['closed', 2, 'peer closed'],
      ],
      'one closed event',
    );
    assert.ok(log.findIndex(([n]) => n === 'data') < log.findIndex(([n]) => n === 'closed'), 'data is reported before closed');
    assert.equal(await svc.open(tcp(2, peer.port)), Result.ID_IN_USE, 'the id stays taken until the host closes it');
    assert.equal(await svc.close(2, 1000), Result.OK);
    assert.equal(svc.info(2), undefined);
    assert.equal(await svc.close(2, 1000), Result.ID_NOT_EXIST);
  });

  test('peer RST: closed with the error as reason', async () => {
    const { svc } = rig();
    const peer = await tcpServer((s) => setTimeout(() => s.resetAndDestroy(), 20));
    await mustOpen(svc, tcp(0, peer.port));
    const [, reason] = await next(svc, 'closed', (id) => id === 0);
    assert.match(reason!, /ECONNRESET/);
    assert.equal(svc.info(0)!.state, SocketState.Closing);
  });
});

describe('TCP client: host close', () => {
  test('close() ends gracefully (the peer sees FIN), emits nothing, frees the id', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    await mustOpen(svc, tcp(0, echo.port));
    const server = await echo.connection();
    const log = record(svc);
    const ended = once(server, 'end');
    assert.equal(await svc.close(0, 2000), Result.OK);
    await ended;
    assert.equal(svc.info(0), undefined);
    assert.deepEqual(log, []);
  });

  test('a peer that never closes its side: the socket is destroyed after the close timeout', async () => {
    const { svc } = rig();
    const peer = await tcpServer((s) => s.resume(), { allowHalfOpen: true });
    await mustOpen(svc, tcp(0, peer.port));
    const server = await peer.connection();
    const ended = once(server, 'end');
    const started = Date.now();
    assert.equal(await svc.close(0, 200), Result.OK);
    assert.ok(Date.now() - started >= 190, `waited ${Date.now() - started} ms`);
    await ended; // the FIN went out at once; the peer just never answered with its own
    assert.equal(svc.info(0), undefined);
  });

  test('pending writes are flushed before the FIN', async () => {
    const { svc } = rig();
    const chunks: Buffer[] = [];
    const peer = await tcpServer((s) => s.on('data', (d: Buffer) => chunks.push(d)));
    await mustOpen(svc, tcp(0, peer.port));
    const big = Buffer.alloc(256 * 1024, 7);
    svc.send(0, big);
    const server = await peer.connection();
    const ended = once(server, 'end');
    await svc.close(0, 5000);
    await ended;
    assert.equal(Buffer.concat(chunks).length, big.length);
  });

  test('close() while connecting abandons the open silently', async () => {
    const hole = await blackHole();
    const { svc } = rig({ handshakeTimeoutMs: 10_000 });
    const opened = openedLog(svc);
    const pending = svc.open(tcp(1, hole.port));
    await sleep(20);
    assert.equal(await svc.close(1, 1000), Result.OK);
    assert.equal(svc.info(1), undefined);
    assert.equal(await pending, Result.UNKNOWN_ERROR);
    assert.deepEqual(opened, []);
  });
});

describe('TCP client: reset and link loss', () => {
  test('closeAll() closes everything silently', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    await mustOpen(svc, tcp(0, echo.port));
    await mustOpen(svc, tcp(7, echo.port));
    const servers = [await echo.connection(), await echo.connection()];
    const log = record(svc);
    svc.closeAll();
    assert.deepEqual(svc.list(), []);
    await Promise.all(servers.map((s) => once(s, 'close')));
    await sleep(20);
    assert.deepEqual(log, []);
  });

  test('linkLost(): closed for every socket, each keeps its id (state Closing) and its unread data', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    await mustOpen(svc, tcp(0, echo.port));
    await mustOpen(svc, tcp(4, echo.port));
    svc.send(4, Buffer.from('kept'));
    await until(() => svc.unread(4) === 4, 'the echo');
    const closed: [number, string | undefined][] = [];
    svc.on('closed', (id, reason) => closed.push([id, reason]));
    svc.linkLost();
    assert.deepEqual(closed, [
      [0, 'Wi-Fi link lost'],
      [4, 'Wi-Fi link lost'],
    ]);
    assert.deepEqual(
      svc.list().map((i) => [i.id, i.state]),
      [
        [0, 4],
        [4, 4],
      ],
    );
    assert.equal(svc.read(4, 10)!.data.toString(), 'kept');
    svc.linkLost();
    await sleep(20);
    assert.equal(closed.length, 2, 'never twice');
    assert.equal(await svc.close(0, 1000), 0);
    assert.equal(await svc.close(4, 1000), 0);
    assert.deepEqual(svc.list(), []);
  });

  test('linkLost() while connecting: the open fails with 551 and frees its id', async () => {
    const hole = await blackHole();
    const { svc } = rig({ handshakeTimeoutMs: 10_000 });
    const opened = openedLog(svc);
    const pending = svc.open(tcp(3, hole.port));
    await sleep(20);
    svc.linkLost();
    assert.equal(await pending, 551);
    assert.deepEqual(opened, [[3, 551]]);
    assert.match(svc.lastDetail, /link was lost/);
    assert.equal(svc.info(3), undefined);
  });

  test('setMode: 554 for an unknown id, 2 needs a connected socket, the mode shows in info', async () => {
    const { svc } = rig();
    const echo = await tcpEcho();
    assert.equal(svc.setMode(0, 1), Result.ID_NOT_EXIST);
    await mustOpen(svc, tcp(0, echo.port));
    assert.equal(svc.setMode(0, 2), 0);
    assert.equal(svc.info(0)!.mode, 2);
    assert.equal(svc.setMode(0, 1), 0);
    assert.equal(svc.info(0)!.mode, 1);
  });

  test('unknown ids: send 554, read null, counters undefined, unread 0', () => {
    const { svc } = rig();
    assert.deepEqual(svc.send(9, Buffer.from('x')), { ok: false, result: Result.ID_NOT_EXIST });
    assert.equal(svc.read(9, 10), null);
    assert.equal(svc.sendCounters(9), undefined);
    assert.equal(svc.recvCounters(9), undefined);
    assert.equal(svc.unread(9), 0);
    assert.equal(svc.lastResult, 554);
  });

});
