// TCP LISTENER over a real server on 127.0.0.1: where it listens, automatic accept (§3.3.5),
// manual accept with AT+QIACCEPT (§2.3.6, §3.3.3), rejection, "incoming full" (§3.3.6) with all
// 12 ids taken, and what closing a listener does to its connections.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { SocketState } from '../../src/net/types.ts';
import { Result } from '../../src/results/index.ts';
import type { NetSockets } from '../../src/net/socket-service.ts';
import { defer, freePort, mustOpen, next, readAll, record, rig, sleep, tcpServer, until } from './helpers.ts';

/** A peer connecting to the listener's real endpoint; destroyed after the test. */
async function dial(svc: NetSockets, listenerId: number): Promise<net.Socket> {
  const { port } = svc.info(listenerId)!.hostEndpoint!;
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  defer(() => void socket.destroy());
  await once(socket, 'connect');
  return socket;
}

async function listen(svc: NetSockets, id: number, mode: 0 | 1 = 0): Promise<number> {
  const localPort = await freePort();
  await mustOpen(svc, { id, type: 'TCP LISTENER', localPort, mode });
  return localPort;
}


/** Manual accept mode, a listener on id 0, and one connection waiting for AT+QIACCEPT. */
async function waitingConnection(svc: NetSockets): Promise<net.Socket> {
  svc.setAcceptMode(true);
  await listen(svc, 0);
  const waiting = next(svc, 'accept');
  const peer = await dial(svc, 0);
  await waiting;
  return peer;
}

describe('TCP LISTENER: opening', () => {
  test('listens on the module port when the host has it free', async () => {
    const { svc } = rig();
    const opened = next(svc, 'opened');
    const port = await listen(svc, 0);
    assert.deepEqual(await opened, [0, 0, { kind: 'tcp', mode: 0 }]);
    const info = svc.info(0)!;
    assert.equal(info.type, 'TCP LISTENER');
    assert.equal(info.state, SocketState.Listening);
    assert.equal(info.remote, null);
    assert.equal(info.localPort, port);
    assert.deepEqual(info.hostEndpoint, { address: '127.0.0.1', port });
    assert.deepEqual(svc.send(0, Buffer.from('x')), { ok: false, result: Result.NOT_ALLOWED }, 'a listener does not send');
  });

  test('the module port taken on the host: any free port (hostEndpoint), the module keeps its port', async () => {
    const { svc } = rig();
    const busy = await tcpServer();
    await mustOpen(svc, { id: 0, type: 'TCP LISTENER', localPort: busy.port, mode: 0 });
    const info = svc.info(0)!;
    assert.equal(info.localPort, busy.port);
    assert.notEqual(info.hostEndpoint!.port, busy.port);
    const incoming = next(svc, 'incoming');
    await dial(svc, 0);
    await incoming;
  });

  test('errors: mode 2 557, local port 0 550, no network 556, a second listener on the same port 551', async () => {
    const { svc, network } = rig();
    assert.equal(await svc.open({ id: 0, type: 'TCP LISTENER', localPort: 2020, mode: 2 }), Result.NOT_SUPPORTED);
    assert.equal(await svc.open({ id: 0, type: 'TCP LISTENER', localPort: 0, mode: 0 }), Result.INVALID_PARAMETER);
    const port = await listen(svc, 0);
    assert.equal(await svc.open({ id: 1, type: 'TCP LISTENER', localPort: port, mode: 0 }), Result.UNKNOWN_ERROR);
    network.up = false;
    assert.equal(await svc.open({ id: 1, type: 'TCP LISTENER', localPort: 3000, mode: 0 }), Result.NOT_ALLOWED);
    assert.equal(svc.setMode(0, 2), Result.NOT_SUPPORTED);
  });
});

describe('TCP LISTENER: automatic accept', () => {
  test('a connection takes the lowest free id as TCP INCOMING, Connected, with the listener mode; data both ways', async () => {
    const { svc } = rig();
    const port = await listen(svc, 1, 1);
    const incoming = next(svc, 'incoming');
    const peer = await dial(svc, 1);
    const [id, listenerId, remote] = await incoming;
    assert.equal(id, 0);
    assert.equal(listenerId, 1);
    assert.deepEqual(remote, { address: '127.0.0.1', port: peer.localPort });
    assert.deepEqual(svc.info(0), {
      id: 0,
      type: 'TCP INCOMING',
      remote: { address: '127.0.0.1', port: peer.localPort! },
      localPort: port,
      state: SocketState.Connected,
      mode: 1,
      listenerId: 1,
    });
    peer.write('hello module');
    assert.equal((await readAll(svc, 0, 12)).toString(), 'hello module');
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    assert.deepEqual(svc.send(0, Buffer.from('hello peer')), { ok: true, sent: 10 });
    await until(() => Buffer.concat(got).toString() === 'hello peer', 'the reply');
  });

  test('incoming comes before any data of that socket; the peer closing gives closed', async () => {
    const { svc } = rig();
    await listen(svc, 0);
    const log = record(svc);
    const { port } = svc.info(0)!.hostEndpoint!;
    const peer = net.connect(port, '127.0.0.1', () => peer.end('bye'));
    peer.on('error', () => {});
    await next(svc, 'closed', (id) => id === 1);
    assert.deepEqual(
      log.map(([name, id]) => [name, id]),
      [
        ['incoming', 1],
        ['data', 1],
        ['closed', 1],
      ],
    );
    assert.equal(svc.read(1, 10)!.data.toString(), 'bye');
  });

  test('closing the listener stops listening and leaves its incoming sockets open', async () => {
    const { svc } = rig();
    await listen(svc, 0);
    const { port } = svc.info(0)!.hostEndpoint!;
    const incoming = next(svc, 'incoming');
    const peer = await dial(svc, 0);
    await incoming;
    assert.equal(await svc.close(0, 1000), Result.OK);
    assert.equal(svc.info(0), undefined);
    assert.equal(svc.info(1)!.state, SocketState.Connected);
    peer.write('still here');
    assert.equal((await readAll(svc, 1, 10)).toString(), 'still here');
    const refused = net.connect(port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ECONNREFUSED');
  });

  test('incoming full: with all 12 ids taken the 12th connection is refused and reported', async () => {
    const { svc } = rig();
    await listen(svc, 0);
    const peers: net.Socket[] = [];
    for (let i = 1; i <= 11; i++) {
      const incoming = next(svc, 'incoming');
      peers.push(await dial(svc, 0));
      assert.equal((await incoming)[0], i);
    }
    const full = next(svc, 'incomingFull');
    const { port } = svc.info(0)!.hostEndpoint!;
    const extra = net.connect(port, '127.0.0.1');
    defer(() => void extra.destroy());
    const failed = new Promise<string>((resolve) => {
      extra.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      extra.on('close', () => resolve('closed'));
    });
    await full;
    assert.match(await failed, /ECONNRESET|closed/);
    assert.equal(svc.list().length, 12);
    // An id freed: the next connection gets it.
    await svc.close(5, 1000);
    const incoming = next(svc, 'incoming');
    await dial(svc, 0);
    assert.equal((await incoming)[0], 5);
  });
});

describe('TCP LISTENER: manual accept', () => {
  test('connections wait (nothing read), accept() gives them ids; an explicit id; in use 553', async () => {
    const { svc } = rig();
    svc.setAcceptMode(true);
    assert.equal(svc.acceptManual, true);
    const port = await listen(svc, 2, 0);
    const log = record(svc);
    const first = next(svc, 'accept');
    const a = await dial(svc, 2);
    assert.deepEqual(await first, [2]);
    a.write('early');
    await sleep(30);
    assert.deepEqual(log, [['accept', 2]], 'no incoming, no data until accepted');

    const accepted = svc.accept(2, true);
    assert.ok(accepted.ok && accepted.info);
    assert.equal(accepted.info.id, 0);
    assert.equal(accepted.info.type, 'TCP INCOMING');
    assert.equal(accepted.info.localPort, port);
    assert.deepEqual(accepted.info.remote, { address: '127.0.0.1', port: a.localPort });
    assert.equal((await readAll(svc, 0, 5)).toString(), 'early', 'what the peer sent while waiting');

    const second = next(svc, 'accept');
    await dial(svc, 2);
    await second;
    assert.deepEqual(svc.accept(2, true, 0), { ok: false, result: Result.ID_IN_USE });
    assert.deepEqual(svc.accept(2, true, 12), { ok: false, result: Result.INVALID_PARAMETER });
    const explicit = svc.accept(2, true, 9);
    assert.ok(explicit.ok && explicit.info);
    assert.equal(explicit.info.id, 9);
    assert.deepEqual(svc.accept(2, true), { ok: false, result: Result.NOT_ALLOWED }, 'nothing waiting');
  });

  test('reject destroys the connection; accept on a non-listener or unknown id fails', async () => {
    const { svc } = rig();
    const peer = await waitingConnection(svc);
    const gone = new Promise((resolve) => peer.on('close', resolve));
    assert.deepEqual(svc.accept(0, false), { ok: true });
    await gone;
    assert.equal(svc.list().length, 1);
    assert.deepEqual(svc.accept(4, true), { ok: false, result: Result.ID_NOT_EXIST });
    const echo = await tcpServer();
    await mustOpen(svc, { id: 4, type: 'TCP', host: '127.0.0.1', remotePort: echo.port, localPort: 0, mode: 0 });
    assert.deepEqual(svc.accept(4, true), { ok: false, result: Result.NOT_ALLOWED });
  });

  test('a waiting connection reset by its peer: accepted, then closed at once', async () => {
    const { svc } = rig();
    const peer = await waitingConnection(svc);
    peer.resetAndDestroy();
    await sleep(30);
    // Nothing is read from a waiting connection, so the reset is only seen once it has an id.
    const result = svc.accept(0, true);
    assert.ok(result.ok && result.info);
    const [, reason] = await next(svc, 'closed', (id) => id === result.info!.id);
    assert.match(reason!, /ECONNRESET/);
  });

  test('closing the listener drops connections still waiting', async () => {
    const { svc } = rig();
    const peer = await waitingConnection(svc);
    const gone = new Promise((resolve) => peer.on('close', resolve));
    peer.resume();
    await svc.close(0, 1000);
    await gone;
  });

  test('manual mode with all ids taken refuses at once (incoming full)', async () => {
    const { svc } = rig();
    await listen(svc, 0);
    for (let i = 1; i <= 11; i++) {
      const incoming = next(svc, 'incoming');
      await dial(svc, 0);
      await incoming;
    }
    svc.setAcceptMode(true);
    const full = next(svc, 'incomingFull');
    const { port } = svc.info(0)!.hostEndpoint!;
    const extra = net.connect(port, '127.0.0.1');
    extra.on('error', () => {});
    defer(() => void extra.destroy());
    await full;
  });
});

describe('TCP LISTENER: link loss and reset', () => {
  test('linkLost: listener and incoming sockets report closed, the listener stops listening', async () => {
    const { svc } = rig();
    await listen(svc, 3);
    const incoming = next(svc, 'incoming');
    await dial(svc, 3);
    await incoming;
    const closed: number[] = [];
    svc.on('closed', (id) => closed.push(id));
    const { port } = svc.info(3)!.hostEndpoint!;
    svc.linkLost();
    assert.deepEqual(closed, [0, 3]);
    const refused = net.connect(port, '127.0.0.1');
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ECONNREFUSED');
    assert.deepEqual(
      svc.list().map((i) => i.state),
      [SocketState.Closing, SocketState.Closing],
    );
  });
});
