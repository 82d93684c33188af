// AT+QWLANOTA's download goes out through dial() (src/net/dial.ts) like every connection of the
// module: the world's hosts map with its port remapping, the station's address, and (https) the
// TLS handshake — checked against real HTTP and TLS servers on 127.0.0.1.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { downloadOtaImage, OTA_MAX_IMAGE_BYTES } from '../../src/wifi/ota-download.ts';
import { buildOtaImage } from '../../src/wifi/ota-image.ts';
import { type OtaHost, type OtaResult, otaUpdate } from '../../src/wifi/ota.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { defer } from '../net/helpers.ts';
import { tlsServer } from '../ssl/helpers.ts';

const VERSION = 'FC41DAAR03A10M01.bin_202501150930';
const image = buildOtaImage(VERSION);

/** An HTTP server on 127.0.0.1 serving the image, remembering each request's Host header. */
async function firmwareServer(): Promise<{ port: number; hosts: string[] }> {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, hosts };
}

/** The narrow host otaUpdate takes, on a world with `hosts`; `up` is the station's address. */
function station(hosts: Record<string, unknown>): OtaHost & { up: boolean; reports: OtaResult[] } {
  const reports: OtaResult[] = [];
  const host = {
    up: true,
    reports,
    world: new World(parseWorld({ hosts })),
    hasIp: () => host.up,
    reportOta: (result: OtaResult) => void reports.push(result),
  };
  return host;
}

test('OTA to a hosts-map name with a port remapping reaches the remapped port; Host stays the name', async () => {
  const server = await firmwareServer();
  const host = station({ 'fw.test': { address: '127.0.0.1', ports: { '80': server.port, '8080': server.port } } });
  assert.equal(await otaUpdate(host, 'http://fw.test/fw.bin'), VERSION);
  assert.equal(await otaUpdate(host, 'http://FW.test:8080/fw.bin'), VERSION);
  assert.deepEqual(server.hosts, ['fw.test', 'fw.test:8080'], 'the URL as given, not the remapped port');
  assert.deepEqual(host.reports, [
    { ok: true, version: VERSION },
    { ok: true, version: VERSION },
  ]);
});

test('https to a remapped name: the TLS handshake reaches the remapped port (and fails on a CA the system does not trust)', async () => {
  const peer = await tlsServer();
  const host = station({ 'secure.test': { address: '127.0.0.1', ports: { '443': peer.port } } });
  assert.equal(await otaUpdate(host, 'https://secure.test/fw.bin'), null);
  assert.equal(host.reports.length, 1);
  assert.match((host.reports[0] as { reason: string }).reason, /^tls error [A-Z_]+$/);
  assert.equal(peer.raw.length, 1, 'the TLS server got the connection');
});

test('without an address: "no network", and nothing is asked of the server', async () => {
  const server = await firmwareServer();
  const host = station({ 'fw.test': { address: '127.0.0.1', ports: { '80': server.port } } });
  host.up = false;
  assert.equal(await otaUpdate(host, 'http://fw.test/fw.bin'), null);
  assert.deepEqual(host.reports, [{ ok: false, reason: 'no network' }]);
  // The download itself refuses too when the station has no address (dial's 556).
  const world = new World(parseWorld({}));
  const result = await downloadOtaImage(`http://127.0.0.1:${server.port}/fw.bin`, {
    timeoutMs: 5_000,
    maxBytes: OTA_MAX_IMAGE_BYTES,
    network: { world, hasIp: () => false, clock: realClock },
  });
  assert.deepEqual(result, { ok: false, reason: 'no network' });
  assert.deepEqual(server.hosts, []);
});

test('a host the module cannot use (an IPv6 literal) is a bad URL', async () => {
  const host = station({});
  assert.equal(await otaUpdate(host, 'http://[::1]:8000/fw.bin'), null);
  assert.deepEqual(host.reports, [{ ok: false, reason: 'bad url' }]);
});
