// dial() (src/net/dial.ts), the module's one way out, against real servers on 127.0.0.1:
// resolution (hosts map with port remapping, IPv4 literal, DNS), refusals and their result codes
// and causes, cancellation at every stage, and TLS through an SSL context (verification, SNI,
// the negotiate timeout).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { describe, test } from 'node:test';
import { Flash } from '../../src/device/flash.ts';
import { dial, type DialNetwork, type DialOptions, type DialTarget } from '../../src/net/dial.ts';
import { describeFailure, Result, SocketError } from '../../src/results/index.ts';
import { CertStore } from '../../src/ssl/cert-store.ts';
import { SslContexts } from '../../src/ssl/contexts.ts';
import { contextTls } from '../../src/ssl/tls-options.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { pki } from '../ssl/certs.ts';
import { tlsServer } from '../ssl/helpers.ts';
import { defer, freePort, sleep, tcpEcho, tcpServer, until } from './helpers.ts';

interface Net extends DialNetwork {
  up: boolean;
  /** Every socket the connect seam made, in order. */
  made: net.Socket[];
  contexts: SslContexts;
  certs: CertStore;
}

/** A network on a world with `hosts`, SSL contexts 0–5 and a store; every socket it makes is recorded. */
function network(hosts: Record<string, unknown> = {}, extra: Partial<DialNetwork> = {}): Net {
  const world = new World(parseWorld({ hosts }));
  const contexts = new SslContexts();
  const certs = new CertStore(Flash.open());
  const made: net.Socket[] = [];
  const n: Net = {
    up: true,
    made,
    contexts,
    certs,
    world,
    clock: world.clock,
    hasIp: () => n.up,
    connect: (options) => {
      const socket = net.connect(options);
      made.push(socket);
      return socket;
    },
    sslContext: contextTls(contexts, certs),
    ...extra,
  };
  return n;
}

/**
 * A network whose connects never complete, like a SYN nobody answers (test/net/helpers.ts
 * `blackHole` does that with a real listener; tcp-client.test.ts covers it end to end).
 */
function stalled(extra: Partial<DialNetwork> = {}): Net {
  const n = network({}, extra);
  return Object.assign(n, {
    connect: () => {
      const socket = new net.Socket(); // never connects
      n.made.push(socket);
      return socket;
    },
  });
}

/** Dials; the socket is destroyed after the test. */
async function connected(target: DialTarget, options: DialOptions): Promise<net.Socket> {
  const socket = await dial(target, options);
  defer(() => void socket.destroy());
  return socket;
}

/** The SocketError dial() rejects with. */
async function failure(target: DialTarget, options: DialOptions): Promise<SocketError> {
  try {
    const socket = await dial(target, options);
    socket.destroy();
  } catch (error) {
    assert.ok(error instanceof SocketError, `a SocketError, not ${String(error)}`);
    return error;
  }
  assert.fail(`dial to ${target.host}:${target.port} connected`);
}

async function roundTrip(socket: net.Socket, text: string): Promise<string> {
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  return data.toString();
}

describe('dial: where to', () => {
  test('a hosts-map name with a port remapping reaches the remapped port; the name is case-insensitive', async () => {
    const echo = await tcpEcho();
    const n = network({ 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } });
    const resolved: unknown[] = [];
    const socket = await connected({ host: 'Echo.TEST', port: 7 }, { network: n, onResolved: (e) => resolved.push(e) });
    assert.equal(socket.remotePort, echo.port);
    assert.deepEqual(resolved, [{ address: '127.0.0.1', port: echo.port }]);
    assert.equal(await roundTrip(socket, 'ping'), 'ping');
  });

  test('a literal address in the hosts map is mapped too; other literals are used as they are', async () => {
    const echo = await tcpEcho();
    const n = network({ '192.0.2.10': '127.0.0.1' });
    const mapped = await connected({ host: '192.0.2.10', port: echo.port }, { network: n });
    assert.equal(mapped.remoteAddress, '127.0.0.1');
    const literal = await connected({ host: '127.0.0.1', port: echo.port }, { network: n });
    assert.equal(literal.remotePort, echo.port);
    assert.equal(await roundTrip(literal, 'x'), 'x');
  });

  test('a name outside the hosts map goes to DNS (the lookup seam, and the real resolver)', async () => {
    const echo = await tcpEcho();
    const asked: string[] = [];
    const seam = network({}, { lookup: async (name) => (asked.push(name), '127.0.0.1') });
    await connected({ host: 'firmware.example', port: echo.port }, { network: seam });
    assert.deepEqual(asked, ['firmware.example']);
    const real = await connected({ host: 'localhost', port: echo.port }, { network: network() });
    assert.equal(real.remoteAddress, '127.0.0.1');
  });

  test('a DNS failure is 551 with the resolver error as cause', async () => {
    const n = network({}, { lookup: async (name) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' })) });
    const error = await failure({ host: 'nowhere.example', port: 80 }, { network: n });
    assert.equal(error.result, Result.UNKNOWN_ERROR);
    assert.match(error.message, /^DNS lookup of nowhere\.example failed/);
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOTFOUND');
  });

  test('a free local port is used; a taken one falls back to any', async () => {
    const echo = await tcpEcho();
    const n = network();
    const wanted = await freePort();
    const socket = await connected({ host: '127.0.0.1', port: echo.port }, { network: n, localPort: wanted });
    assert.equal(socket.localPort, wanted);
    const taken = await tcpServer();
    const other = await connected({ host: '127.0.0.1', port: echo.port }, { network: n, localPort: taken.port });
    assert.notEqual(other.localPort, taken.port);
  });
});

describe('dial: refusals carry a result code and a cause', () => {
  test('connection refused: 551, the cause is ECONNREFUSED, the trace line says so', async () => {
    const port = await freePort();
    const error = await failure({ host: '127.0.0.1', port }, { network: network() });
    assert.equal(error.result, 551);
    assert.equal(error.code, 'FC41D_SOCKET_UNKNOWN_ERROR');
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.match(error.message, new RegExp(`ECONNREFUSED.*\\(127\\.0\\.0\\.1:${port}\\)$`));
    assert.match(describeFailure(error), /ECONNREFUSED/);
  });

  test('no IP address: 556 and nothing goes out', async () => {
    const peer = await tcpServer();
    const n = network();
    n.up = false;
    const error = await failure({ host: '127.0.0.1', port: peer.port }, { network: n });
    assert.equal(error.result, Result.NOT_ALLOWED);
    assert.equal(n.made.length, 0);
    assert.equal(peer.sockets.length, 0);
  });

  test('a bad host or port: 550 before anything else', async () => {
    const n = network();
    n.up = false; // the parameter check comes first
    for (const target of [
      { host: '::1', port: 80 },
      { host: 'a b', port: 80 },
      { host: '0.0.0.0', port: 80 },
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 65536 },
    ]) {
      assert.equal((await failure(target, { network: n })).result, Result.INVALID_PARAMETER, JSON.stringify(target));
    }
    assert.equal((await failure({ host: '127.0.0.1', port: 80 }, { network: n, localPort: -1 })).result, Result.INVALID_PARAMETER);
  });

  test('the handshake timeout (a connect never answered): 551 on the network clock, the socket destroyed', async () => {
    const clock = new FakeClock();
    const n = stalled({ clock });
    const pending = failure({ host: '127.0.0.1', port: 9 }, { network: n, connectTimeoutMs: 5_000 });
    await until(() => n.made.length === 1 && clock.pending === 1, 'the connect to start');
    clock.advance(5_000);
    const error = await pending;
    assert.equal(error.result, 551);
    assert.match(error.message, /handshake timeout after 5000 ms/);
    assert.ok(n.made[0]!.destroyed);
  });
});

// Timeouts of their own: a regression leaves a dial (or the server's end) open, awaited forever.
describe('dial: cancellation', { timeout: 10_000 }, () => {
  test('aborted before it starts: rejects, nothing goes out', async () => {
    const peer = await tcpServer();
    const n = network();
    const controller = new AbortController();
    controller.abort(new Error('changed my mind'));
    const error = await failure({ host: '127.0.0.1', port: peer.port }, { network: n, signal: controller.signal });
    assert.equal(error.result, 551);
    assert.equal((error.cause as Error).message, 'changed my mind');
    assert.equal(n.made.length, 0);
  });

  test('aborted while resolving: rejects at once, even though the lookup never answers', async () => {
    const n = network({}, { lookup: () => new Promise<string>(() => {}) });
    const controller = new AbortController();
    const pending = failure({ host: 'slow.example', port: 80 }, { network: n, signal: controller.signal });
    controller.abort();
    assert.equal((await pending).result, 551);
    assert.equal(n.made.length, 0);
  });

  test('aborted while connecting (a connect never answered): rejects, the socket is destroyed', async () => {
    const n = stalled();
    const controller = new AbortController();
    const pending = failure({ host: '127.0.0.1', port: 9 }, { network: n, signal: controller.signal });
    await until(() => n.made.length === 1, 'the connect to start');
    controller.abort();
    const error = await pending;
    assert.equal(error.result, 551);
    assert.match(error.message, /aborted/);
    assert.ok(n.made[0]!.destroyed, 'no socket left open');
  });

  test('aborted during the TLS handshake (a server that never answers it): rejects, both ends closed', async () => {
    const silent = await tcpServer((s) => s.resume()); // reads the ClientHello, never answers it
    const n = network();
    const controller = new AbortController();
    const pending = failure({ host: '127.0.0.1', port: silent.port }, { network: n, signal: controller.signal, tls: 0 });
    const server = await silent.connection();
    const serverClosed = once(server, 'close');
    await until(() => server.bytesRead > 0, 'the ClientHello');
    controller.abort();
    assert.equal((await pending).result, 551);
    assert.ok(n.made[0]!.destroyed, 'the TCP socket is destroyed');
    await serverClosed; // the server saw the connection go
  });
});

describe('dial: TLS through an SSL context', () => {
  test('verify 1 against a server the uploaded CA did not sign: 551 with the verification error as cause', async () => {
    const peer = await tlsServer({ pair: pki().otherServer });
    const n = network();
    assert.ok(n.certs.put('CA', pki().ca.cert).ok);
    n.contexts.set(2, { verify: 1 });
    const error = await failure({ host: '127.0.0.1', port: peer.port }, { network: n, tls: 2 });
    assert.equal(error.result, 551);
    assert.match(error.message, /^TLS handshake failed: the server certificate is not signed by the uploaded CA/);
    assert.match(String((error.cause as NodeJS.ErrnoException).code), /CERT|SIGNATURE|ISSUER/);
    assert.ok(n.made[0]!.destroyed);
  });

  test('verify 1 with the right CA: a verified TLS socket, Nagle off, data flows', async () => {
    const peer = await tlsServer();
    const n = network({ 'secure.test': { address: '127.0.0.1', ports: { '443': peer.port } } });
    assert.ok(n.certs.put('CA', pki().ca.cert).ok);
    n.contexts.set(1, { verify: 1 });
    const socket = await connected({ host: 'secure.test', port: 443 }, { network: n, tls: 1 });
    assert.ok(socket instanceof tls.TLSSocket);
    assert.equal(socket.authorized, true);
    assert.equal(socket.localPort, n.made[0]!.localPort, 'the TLS socket knows its local port');
    assert.equal(await roundTrip(socket, 'secret'), 'secret');
  });

  test('SNI goes out when the context says so (and the host is a name), not otherwise', async () => {
    const peer = await tlsServer();
    const n = network({ 'secure.test': { address: '127.0.0.1', ports: { '443': peer.port } } });
    n.contexts.set(3, { sni: 1 });
    await connected({ host: 'secure.test', port: 443 }, { network: n, tls: 3 });
    assert.equal((await peer.connection()).servername, 'secure.test');
    n.contexts.set(3, { sni: 0 });
    await connected({ host: 'secure.test', port: 443 }, { network: n, tls: 3 });
    assert.equal((await peer.connection()).servername, false);
  });

  test("the context's refusals come before anything goes out: no CA 551, SSL 3.0 557, context 6 550", async () => {
    const peer = await tlsServer();
    const n = network();
    n.contexts.set(1, { verify: 1 });
    n.contexts.set(2, { version: 0 });
    const target = { host: '127.0.0.1', port: peer.port };
    const noCa = await failure(target, { network: n, tls: 1 });
    assert.equal(noCa.result, 551);
    assert.match(noCa.message, /needs a CA certificate/);
    assert.equal((await failure(target, { network: n, tls: 2 })).result, Result.NOT_SUPPORTED);
    assert.equal((await failure(target, { network: n, tls: 6 })).result, Result.INVALID_PARAMETER);
    const { sslContext: _none, ...bare } = n;
    assert.equal((await failure(target, { network: bare, tls: 0 })).result, Result.INVALID_PARAMETER, 'a network without SSL contexts');
    assert.equal(n.made.length, 0);
    assert.equal(peer.raw.length, 0);
  });

  test('settings made beforehand work too; their timeout bounds the handshake (on the network clock)', async () => {
    const silent = await tcpServer((s) => s.resume()); // reads the ClientHello, never answers it
    const clock = new FakeClock();
    const n = network({}, { clock });
    let settled = false;
    const pending = failure({ host: '127.0.0.1', port: silent.port }, { network: n, tls: { options: { rejectUnauthorized: false }, timeoutMs: 60_000 } });
    void pending.finally(() => (settled = true));
    const server = await silent.connection();
    await until(() => server.bytesRead > 0, 'the ClientHello');
    clock.advance(59_999);
    await sleep(20);
    assert.equal(settled, false, 'still negotiating just before the timeout');
    clock.advance(1);
    const error = await pending;
    assert.match(error.message, /^TLS handshake failed: negotiation timeout after 60000 ms/);
    assert.ok(n.made[0]!.destroyed);
  });
});
