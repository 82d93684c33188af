/**
 * dial()'s record/replay hook (src/replay/) against real servers on 127.0.0.1: what a cassette
 * holds (plaintext after TLS, the bytes each way, the close), what a replay serves back with the
 * servers gone, and how it fails loudly: a connection the cassette lacks, bytes that differ, a
 * module that stops early.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, test } from 'node:test';
import { causeCode } from '../../src/net/link.ts';
import { dial, type DialNetwork } from '../../src/net/dial.ts';
import { Cassette } from '../../src/replay/index.ts';
import { Result, SocketError } from '../../src/results/index.ts';
import { brokerCredentials, testCaCertificate } from '../../src/world/test-ca.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { closedPort } from '../helpers/http-servers.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A world (seeded) whose hosts map sends `name`:7 to `port` on 127.0.0.1, and a network on it. */
function rig(hosts: Record<string, number> = {}, seed = 7): { world: World; network: DialNetwork; misses: string[] } {
  const world = new World(parseWorld({ hosts: Object.fromEntries(Object.entries(hosts).map(([h, p]) => [h, { address: '127.0.0.1', ports: { '7': p } }])) }), undefined, { seed });
  cleanups.push(() => world.dispose());
  const misses: string[] = [];
  world.on('replay-miss', (d) => misses.push(d));
  return { world, misses, network: { world, hasIp: () => true, clock: world.clock, faults: world.faults, net: world.net, module: 'module 0' } };
}

/** A server on 127.0.0.1 running `onConnection` (plain, or TLS with the test CA's broker certificate). */
async function server(onConnection: (s: net.Socket) => void, secure = false): Promise<number> {
  const sockets = new Set<net.Socket>();
  const handle = (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  };
  const srv = secure ? tls.createServer({ ...brokerCredentials() }, handle) : net.createServer(handle);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), srv.close(() => resolve()))));
  return (srv.address() as net.AddressInfo).port;
}

/** Writes `data`, reads until `want` bytes came (or, `untilEnd`, the end), resolves with them and whether the peer ended. */
async function exchange(socket: net.Socket, data: string, want: number, untilEnd = false): Promise<{ got: string; ended: boolean }> {
  let got = '';
  let ended = false;
  socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
  socket.write(data);
  await new Promise<void>((resolve) => {
    const check = () => got.length >= want && !untilEnd && resolve();
    socket.on('data', check);
    socket.once('end', () => ((ended = true), resolve()));
    socket.once('close', () => resolve());
  });
  return { got, ended };
}

const TLS = { options: { ca: testCaCertificate(), servername: 'broker.fc41d.local' }, timeoutMs: 5000 };

test('TLS is recorded as plaintext and replayed on a plain loopback socket, with the same close', { timeout: 15_000 }, async () => {
  // The server answers "ping" with "pong" and closes.
  const port = await server((s) => s.once('data', () => s.end('pong')), true);
  const rec = rig({ 'broker.fc41d.local': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  let resolvedTo: unknown;
  const live = await dial({ host: 'broker.fc41d.local', port: 7 }, { network: rec.network, tls: TLS, onResolved: (e) => (resolvedTo = e) });
  assert.ok(live instanceof tls.TLSSocket);
  assert.deepEqual(await exchange(live, 'ping', 4, true), { got: 'pong', ended: true });
  live.destroy();
  await once(live, 'close');

  const [entry] = cassette.connections;
  assert.deepEqual(entry.key, { host: 'broker.fc41d.local', port: 7, tls: true, module: 'module 0', ordinal: 1 });
  assert.deepEqual(entry.connect.ok && { address: entry.connect.address, port: entry.connect.port }, resolvedTo);
  assert.deepEqual(
    entry.events.map((e) => [e.dir, Buffer.from(e.data, 'base64').toString()]),
    [['out', 'ping'], ['in', 'pong']],
  );
  assert.equal(entry.close?.by, 'remote');
  assert.equal(entry.close?.afterOut, 4);

  // Replay on a world whose hosts map points nowhere: the same exchange, no server.
  const rep = rig({ 'broker.fc41d.local': await closedPort() });
  rep.world.setNet('replay', Cassette.parse(JSON.stringify(cassette)));
  let replayedTo: unknown;
  const played = await dial({ host: 'broker.fc41d.local', port: 7 }, { network: rep.network, tls: TLS, onResolved: (e) => (replayedTo = e) });
  assert.deepEqual(replayedTo, resolvedTo, 'the recorded address and port are reported');
  assert.equal(played.remoteAddress, '127.0.0.1');
  assert.deepEqual(await exchange(played, 'ping', 4, true), { got: 'pong', ended: true });
  played.destroy();
  assert.deepEqual(rep.misses, []);
});

test('a refused connect is recorded and replays as the same SocketError: code, message and cause', { timeout: 15_000 }, async () => {
  const rec = rig({ 'down.test': await closedPort() });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'down.test', port: 7 }, { network: rec.network }).then(
    () => assert.fail('connected'),
    (e: unknown) => e,
  );
  assert.ok(live instanceof SocketError);
  assert.equal(live.result, Result.UNKNOWN_ERROR);
  assert.equal(causeCode(live), 'ECONNREFUSED');
  const connect = cassette.connections[0].connect;
  assert.ok(!connect.ok);
  assert.equal(connect.cause, 'ECONNREFUSED');

  const rep = rig({ 'down.test': await server(() => assert.fail('replay reached the network')) });
  rep.world.setNet('replay', cassette);
  const replayed = await dial({ host: 'down.test', port: 7 }, { network: rep.network }).then(
    () => assert.fail('connected'),
    (e: unknown) => e,
  );
  assert.ok(replayed instanceof SocketError);
  assert.equal(replayed.result, live.result);
  assert.equal(replayed.message, live.message);
  assert.equal(causeCode(replayed), 'ECONNREFUSED');
});

test('a connection the cassette does not hold fails loudly: 551, a replay-miss, and the cassette keeps it', async () => {
  const port = await server((s) => s.pipe(s));
  const rec = rig({ 'echo.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const once1 = await dial({ host: 'echo.test', port: 7 }, { network: rec.network });
  assert.equal((await exchange(once1, 'a', 1)).got, 'a');
  once1.destroy();

  const rep = rig({ 'echo.test': port }); // reachable: a replay must still not go there
  rep.world.setNet('replay', cassette);
  const first = await dial({ host: 'ECHO.test', port: 7 }, { network: rep.network });
  assert.equal((await exchange(first, 'a', 1)).got, 'a', 'the recorded one (host case does not matter)');
  first.destroy();
  await assert.rejects(dial({ host: 'echo.test', port: 7 }, { network: rep.network }), (e: unknown) => {
    assert.ok(e instanceof SocketError);
    assert.equal(e.result, 551);
    assert.equal(e.message, 'replay: no recorded connection for echo.test:7 #2');
    return true;
  });
  await assert.rejects(dial({ host: 'other.test', port: 80 }, { network: rep.network }), /replay: no recorded connection for other\.test:80 #1/);
  assert.equal(rep.misses.length, 2);
  assert.match(rep.misses[0], /^replay: no recorded connection for echo\.test:7 #2 \(TCP, module 0\)$/);
  assert.deepEqual(cassette.misses, rep.misses);
});

test('bytes that differ from the recording are a miss and reset the connection', async () => {
  const port = await server((s) => s.pipe(s));
  const rec = rig({ 'echo.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'echo.test', port: 7 }, { network: rec.network });
  assert.equal((await exchange(live, 'hello', 5)).got, 'hello');
  live.destroy();

  const rep = rig();
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'echo.test', port: 7 }, { network: rep.network });
  const errored = new Promise<string | undefined>((resolve) => played.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
  const { got } = await exchange(played, 'helLO', 5);
  assert.equal(got, '', 'nothing served after the divergence');
  assert.equal(await errored, 'ECONNRESET');
  assert.equal(rep.misses.length, 1);
  assert.match(rep.misses[0], /^replay: echo\.test:7 #1: the module wrote bytes that differ from the recording at byte 3: expected "lo", got "LO"$/);
});

test('a replay waits for the module\'s bytes before each answer, and answers a module\'s close with a FIN', async () => {
  // Greeting first, then one answer per line.
  const port = await server((s) => {
    s.write('hi\n');
    s.on('data', (c: Buffer) => s.write(`re:${c.toString()}`));
  });
  const rec = rig({ 'chat.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'chat.test', port: 7 }, { network: rec.network });
  // Paused-mode reading, as the module's TCP sockets do: the tap must not lose the greeting.
  await once(live, 'readable');
  assert.equal(String(live.read()), 'hi\n');
  assert.equal((await exchange(live, 'one', 6)).got, 're:one');
  live.end();
  await once(live, 'close');
  const entry = cassette.connections[0];
  assert.deepEqual(entry.events.map((e) => e.dir), ['in', 'out', 'in']);
  assert.equal(entry.close?.by, 'local');

  const rep = rig();
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'chat.test', port: 7 }, { network: rep.network });
  let got = '';
  played.on('data', (c: Buffer) => (got += c));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(got, 'hi\n', 'the answer to "one" waits for "one"');
  played.write('one');
  const ended = once(played, 'end');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(got, 'hi\nre:one');
  played.end();
  await ended;
  assert.deepEqual(rep.misses, []);
});

test('a module that closes before writing what was recorded is a miss', async () => {
  const port = await server((s) => s.pipe(s));
  const rec = rig({ 'echo.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'echo.test', port: 7 }, { network: rec.network });
  await exchange(live, 'abcdef', 6);
  live.destroy();

  const rep = rig();
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'echo.test', port: 7 }, { network: rep.network });
  played.end('abc');
  await once(played, 'close');
  assert.deepEqual(rep.misses, ['replay: echo.test:7 #1: the module closed after writing 3 of the 6 recorded bytes']);
});

test('a seeded world picks the local port of each dial from its seed; the replay uses the same', async () => {
  const port = await server((s) => s.pipe(s));
  const ports = (seed: number) => {
    const w = new World(parseWorld({}), undefined, { seed });
    return [w.net.localPort(0), w.net.localPort(0), w.net.localPort(0)];
  };
  assert.deepEqual(ports(5), ports(5));
  assert.notDeepEqual(ports(5), ports(6));
  for (const p of ports(5)) assert.ok(p >= 0xc000 && p <= 0xffff);
  assert.equal(new World(parseWorld({})).net.localPort(0), 0, 'without a seed the system picks');
  assert.equal(new World(parseWorld({}), undefined, { seed: 5 }).net.localPort(4321), 4321, 'a port asked for is kept');

  const rec = rig({ 'echo.test': port }, 5);
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'echo.test', port: 7 }, { network: rec.network });
  assert.equal(live.localPort, ports(5)[0]);
  live.destroy();
  await once(live, 'close');
  const rep = rig({}, 5);
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'echo.test', port: 7 }, { network: rep.network });
  assert.equal(played.localPort, ports(5)[0]);
  played.destroy();
});

test('a replayed connection is registered with the faults: reset-connections resets it', async () => {
  const port = await server((s) => s.pipe(s));
  const rec = rig({ 'echo.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'echo.test', port: 7 }, { network: rec.network });
  await exchange(live, 'x', 1);
  live.destroy();

  const rep = rig();
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'echo.test', port: 7 }, { network: rep.network });
  const closed = once(played, 'close');
  const fault = rep.world.faults.add({ kind: 'reset-connections', host: 'echo.test' });
  await closed;
  assert.equal(rep.world.faults.remove(fault.id)?.hits, 1);
});

test('a large exchange read in paused mode is recorded whole and replayed whole, flow control intact', { timeout: 20_000 }, async () => {
  const size = 2 * 1024 * 1024;
  const blob = Buffer.alloc(size);
  for (let i = 0; i < size; i++) blob[i] = (i * 7) & 0xff;
  // The server sends the blob once asked, then closes.
  const port = await server((s) => s.once('data', () => s.end(blob)));
  /** Asks, then reads slowly in paused mode (as the module's receive buffer does), 16 KiB at a time. */
  const fetch = async (socket: net.Socket): Promise<Buffer> => {
    socket.write('go');
    const parts: Buffer[] = [];
    let ended = false;
    socket.once('end', () => (ended = true));
    while (!ended) {
      const chunk = socket.read(Math.min(16384, socket.readableLength || 16384)) as Buffer | null;
      if (chunk) parts.push(chunk);
      else await Promise.race([once(socket, 'readable'), once(socket, 'end')]);
    }
    return Buffer.concat(parts);
  };
  const rec = rig({ 'big.test': port });
  const cassette = Cassette.empty();
  rec.world.setNet('record', cassette);
  const live = await dial({ host: 'big.test', port: 7 }, { network: rec.network });
  assert.ok((await fetch(live)).equals(blob));
  live.destroy();
  const ins = cassette.connections[0].events.filter((e) => e.dir === 'in').map((e) => Buffer.from(e.data, 'base64'));
  assert.ok(Buffer.concat(ins).equals(blob), 'every byte recorded once, in order');

  const rep = rig();
  rep.world.setNet('replay', cassette);
  const played = await dial({ host: 'big.test', port: 7 }, { network: rep.network });
  assert.ok((await fetch(played)).equals(blob));
  played.destroy();
  assert.deepEqual(rep.misses, []);
});
