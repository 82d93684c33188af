import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { buildOtaImage } from '../../src/wifi/ota-image.ts';
import { AtHost } from '../helpers/at-host.ts';
import { system } from '../../src/system/feature.ts';

// AT+QWLANOTA (§2.1.8) end to end: a real HTTP server, a module on a simulated AP.
const images = new Map<string, Buffer>([
  ['/fw.bin', buildOtaImage('FC41DAAR03A10M01.bin_202501150930')],
  ['/corrupt.bin', Buffer.concat([buildOtaImage('FC41DAAR03A11').subarray(0, 100), Buffer.from('garbage')])],
]);
let server: Server;
let port: number;
before(async () => {
  server = createServer((req, res) => {
    const image = images.get(req.url ?? '');
    if (!image) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function connected() {
  const world = new World(
    parseWorld({
      timeScale: 0.02,
      hosts: { 'ota.test': '127.0.0.1' },
      accessPoints: [{ ssid: 'Office', security: 'WPA2_AES_PSK', password: 'correct-horse' }],
    }),
  );
  const m = createModule({ bootMs: 5, echo: false, world });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  assert.equal((await host.command('AT+QSTAAPINFO=Office,correct-horse')).final, 'OK');
  await host.expect('+QSTASTAT:GOT_IP\r\n');
  return { ...m, host };
}

test('a good image: OK, then the module reboots into the new version, kept in flash', async () => {
  const m = await connected();
  const outcomes: unknown[] = [];
  m.module.service(system).on('ota', (r) => outcomes.push(r));
  assert.equal((await m.host.command(`AT+QWLANOTA=http://ota.test:${port}/fw.bin`, 10_000)).final, 'OK');
  await m.host.expect('\r\nready\r\n');
  assert.deepEqual(await m.host.command('AT+QVERSION'), { lines: ['+QVERSION:FC41DAAR03A10M01.bin_202501150930'], final: 'OK' });
  assert.equal(m.module.flash.read().system.firmware, 'FC41DAAR03A10M01.bin_202501150930');
  assert.deepEqual(outcomes, [{ ok: true, version: 'FC41DAAR03A10M01.bin_202501150930' }]);
  m.close();
});

test('a missing image, a corrupt image and an unreachable server: ERROR, old firmware stays', async () => {
  const m = await connected();
  const reasons: string[] = [];
  m.module.service(system).on('ota', (r) => reasons.push(r.ok ? 'ok' : r.reason));
  for (const url of [`http://127.0.0.1:${port}/missing.bin`, `http://ota.test:${port}/corrupt.bin`, 'http://127.0.0.1:1/fw.bin']) {
    assert.equal((await m.host.command(`AT+QWLANOTA=${url}`, 10_000)).final, 'ERROR', url);
  }
  assert.deepEqual(reasons.slice(0, 1), ['http 404']);
  assert.equal(reasons.length, 3);
  assert.notEqual(reasons[1], 'ok');
  assert.equal(reasons[2], 'connection refused');
  assert.deepEqual(await m.host.command('AT+QVERSION'), { lines: ['+QVERSION:FC41DAAR03A09M02.bin_202406260343'], final: 'OK' });
  m.close();
});

test('without a network the update is refused at once', async () => {
  const m = createModule({ bootMs: 5, echo: false, world: new World(parseWorld({ timeScale: 0.02 })) });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  const reasons: string[] = [];
  m.module.service(system).on('ota', (r) => reasons.push(r.ok ? 'ok' : r.reason));
  assert.equal((await host.command(`AT+QWLANOTA=http://127.0.0.1:${port}/fw.bin`)).final, 'ERROR');
  assert.deepEqual(reasons, ['no network']);
  m.close();
});
