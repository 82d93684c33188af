/**
 * One seed, the same random choices: the fault set's decisions (uart-noise's drops and flipped
 * bits), the multipart boundary of a form-data POST a module sends (and so a recorded POST
 * replays without a miss only under the seed it was recorded with), the world's own stream.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { uartNoise } from '../../src/faults/uart-noise.ts';
import { wireRequest } from '../../src/http/client-request.ts';
import { createModule } from '../../src/index.ts';
import { Cassette, type NetMode } from '../../src/replay/index.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { AtHost } from '../helpers/at-host.ts';
import { testServer } from '../http/at-rig.ts';

const T = 10_000;

function world(seed?: number, hosts: Record<string, unknown> = {}): World {
  return new World(parseWorld({ timeScale: 0.01, hosts, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }), realClock, seed === undefined ? {} : { seed });
}

function noise(seed: number): string {
  const w = world(seed);
  w.faults.add({ kind: 'uart-noise', rate: 0.5, module: 'm' });
  const out = uartNoise(w.faults, 'm', 'to-host', Buffer.alloc(64, 0x41)).toString('hex');
  w.dispose();
  return out;
}

test('the same seed gives the same fault decisions; another seed others', () => {
  assert.equal(noise(1), noise(1));
  assert.notEqual(noise(1), noise(2));
  assert.notEqual(noise(1), Buffer.alloc(64, 0x41).toString('hex'), 'the fault acted');
  const a = world(9);
  const b = world(9);
  const [ra, rb] = [a.randomFor('ports')!, b.randomFor('ports')!];
  assert.deepEqual([ra(), ra()], [rb(), rb()]);
  assert.notEqual(world(10).randomFor('ports')!(), world(9).randomFor('ports')!());
  assert.equal(world().randomFor('faults'), undefined, 'no seed: no seeded stream');
});

function boundaryOf(random: (() => number) | undefined): string {
  const wire = wireRequest({
    method: 'POST',
    url: 'http://web.test/up',
    headers: [],
    auth: null,
    body: { kind: 'form', bytes: Buffer.from('x'), name: 'file', fileName: 'a.txt', contentType: 'text/plain' },
    sslCtx: 1,
    responseTimeoutMs: 1000,
    ...(random ? { random } : {}),
  });
  const type = wire.headers[wire.headers.indexOf('Content-Type') + 1];
  return /boundary=(.+)$/.exec(type)![1];
}

test('the multipart boundary comes from the seed: same seed same boundary, another seed or none another', () => {
  assert.equal(boundaryOf(world(3).randomFor('http-boundary')), boundaryOf(world(3).randomFor('http-boundary')));
  assert.notEqual(boundaryOf(world(3).randomFor('http-boundary')), boundaryOf(world(4).randomFor('http-boundary')));
  assert.notEqual(boundaryOf(undefined), boundaryOf(undefined), 'unseeded: crypto, different each time');
  assert.match(boundaryOf(world(3).randomFor('http-boundary')), /^----FC41DFormBoundary[0-9a-f]{24}$/);
});

/** A module POSTs a form in `world`; the boundary the server saw (record/live) and the module's output. */
async function postForm(w: World, mode: NetMode, cassette: Cassette | null): Promise<{ output: string; misses: string[] }> {
  const misses: string[] = [];
  w.on('replay-miss', (d) => misses.push(d));
  if (cassette) w.setNet(mode, cassette);
  const m = createModule({ bootMs: 5, echo: false, world: w, label: 'module 0' });
  try {
    const host = new AtHost(m.stream);
    await host.expect('\r\nready\r\n', T);
    host.send('AT+QSTAAPINFO=Office');
    await host.expect('+QSTASTAT:GOT_IP\r\n', T);
    host.send('AT+QHTTPCFG="url","http://web.test/up"');
    await host.expect('OK\r\n', T);
    host.send('AT+QHTTPPOST=5,60,60,"file","a.txt","text/plain"');
    await host.expect('\r\nCONNECT\r\n', T);
    host.write('hello');
    await host.expect(/\+QHTTPPOST: \d+(,\d+)*\r\n/, T);
    return { output: host.received, misses };
  } finally {
    m.close();
    w.dispose();
  }
}

test('a module\'s form POST: the same seed sends the same boundary, so its recording replays; another seed misses', { timeout: 20_000 }, async () => {
  const server = await testServer((_req, res) => res.end('ok'));
  const hosts = { 'web.test': { address: '127.0.0.1', ports: { '80': server.port } } };
  try {
    const cassette = Cassette.empty();
    const recorded = await postForm(world(11, hosts), 'record', cassette);
    await postForm(world(11, hosts), 'live', null);
    await postForm(world(12, hosts), 'live', null);
    const boundaries = server.requests.map((r) => /boundary=(.+)$/.exec(r.rawHeaders.find(([n]) => n.toLowerCase() === 'content-type')![1])![1]);
    assert.equal(boundaries.length, 3);
    assert.equal(boundaries[0], boundaries[1], 'seed 11 twice');
    assert.notEqual(boundaries[0], boundaries[2], 'seed 12');
    assert.match(recorded.output, /\+QHTTPPOST: 0,200,2\r\n/);

    const same = await postForm(world(11), 'replay', Cassette.parse(JSON.stringify(cassette)));
    assert.deepEqual(same.misses, []);
    assert.equal(same.output, recorded.output);

    const other = await postForm(world(12), 'replay', Cassette.parse(JSON.stringify(cassette)));
    assert.equal(other.misses.length, 1);
    assert.match(other.misses[0], /^replay: web\.test:80 #1: the module wrote bytes that differ from the recording at byte \d+/);
    assert.match(other.output, /\+QHTTPPOST: 4\r\n/, 'the POST fails (socket error) instead of reaching a server');
  } finally {
    await server.close();
  }
});
