/**
 * The cassette file (save, load, what a bad file says) and what a replay refuses outright: UDP,
 * which is not recorded, fails loudly instead of reaching the network.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { createModule } from '../../src/index.ts';
import { Cassette, CassetteError } from '../../src/replay/index.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { AtHost } from '../helpers/at-host.ts';

const T = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'fc41d-cassette-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('save and load keep connections, extra and misses; the file is versioned JSON', () => {
  const c = Cassette.empty();
  c.connections.push({
    key: { host: 'a.test', port: 80, tls: false, ordinal: 1 },
    connect: { ok: true, atMs: 3, address: '127.0.0.1', port: 8080 },
    events: [{ dir: 'out', atMs: 4, data: Buffer.from('GET').toString('base64') }],
    close: { by: 'remote', atMs: 9, afterOut: 3 },
  });
  c.extra.backend = [{ mqtt: { topic: 't' } }];
  c.misses.push('replay: something');
  const path = join(dir, 'sub', 'x.cassette.json');
  c.save(path);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(json.version, 1);
  const back = Cassette.load(path);
  assert.deepEqual(back.toJSON(), c.toJSON());
});

test('a missing, non-JSON or malformed cassette is a CassetteError that says what is wrong', () => {
  assert.throws(() => Cassette.load(join(dir, 'nope.json')), (e: unknown) => e instanceof CassetteError && /cannot read cassette/.test(e.message));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ not json');
  assert.throws(() => Cassette.load(bad), /is not JSON/);
  writeFileSync(bad, JSON.stringify({ version: 2, connections: [], extra: {}, misses: [] }));
  assert.throws(() => Cassette.load(bad), /not a version 1 cassette: version/);
  writeFileSync(bad, JSON.stringify({ version: 1, connections: [{ key: { host: 'a', port: 1, tls: 'yes', ordinal: 1 } }], extra: {}, misses: [] }));
  assert.throws(() => Cassette.load(bad), /connections\.0\.key\.tls/);
});

test('setNet: replay needs a cassette; record without one starts an empty one', () => {
  const w = new World(parseWorld({}));
  assert.throws(() => w.setNet('replay'), /replay needs a cassette/);
  w.setNet('record');
  assert.deepEqual(w.net.cassette?.connections, []);
  w.setNet('live');
  assert.equal(w.net.cassette, null);
});

test('UDP is not replayed: a UDP client in replay fails (551) with a miss and sends nothing', { timeout: 15_000 }, async () => {
  const udp = createSocket('udp4');
  let received = 0;
  udp.on('message', () => received++);
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const world = new World(parseWorld({ timeScale: 0.01, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }), realClock, { seed: 1 });
  const misses: string[] = [];
  world.on('replay-miss', (d) => misses.push(d));
  const cassette = Cassette.empty();
  world.setNet('replay', cassette);
  const m = createModule({ bootMs: 5, echo: false, world, label: 'module 0' });
  try {
    const host = new AtHost(m.stream);
    await host.expect('\r\nready\r\n', T);
    host.send('AT+QSTAAPINFO=Office');
    await host.expect('+QSTASTAT:GOT_IP\r\n', T);
    host.send(`AT+QIOPEN=0,"UDP","127.0.0.1",${udp.address().port},0,0`);
    assert.match(await host.expect(/\+QIOPEN: 0,\d+\r\n/, T), /\+QIOPEN: 0,551\r\n/);
    assert.deepEqual(misses, [`replay: UDP is not replayed (127.0.0.1:${udp.address().port}, module 0)`]);
    assert.deepEqual(cassette.misses, misses);
    assert.equal(received, 0);
  } finally {
    m.close();
    world.dispose();
    await new Promise<void>((resolve) => udp.close(() => resolve()));
  }
});
