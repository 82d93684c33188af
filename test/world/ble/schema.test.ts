// The world file's `ble` part (src/world/ble/peer-schema.ts): defaults, normalised addresses,
// UUIDs and data, and errors that name the offending path.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseWorld } from '../../../src/world/schema.ts';

/** Expects a parse failure whose message names `path`. */
function rejects(ble: unknown, path: string, words?: RegExp): void {
  assert.throws(
    () => parseWorld({ ble }, 'w.json'),
    (e: Error) => {
      assert.ok(e.message.startsWith('w.json: '), e.message);
      assert.ok(e.message.includes(`at ${path}`), `message lacks the path ${path}:\n${e.message}`);
      if (words) assert.match(e.message, words);
      return true;
    },
  );
}

describe('ble in the world file', () => {
  test('absent: no ble part (the rest of the world file is as it was)', () => {
    assert.equal(parseWorld({}).ble, undefined);
    assert.deepEqual(parseWorld({ ble: {} }).ble, { peers: [] });
  });

  test('a peer with defaults; address, UUIDs and data normalised', () => {
    const peer = parseWorld({
      ble: {
        peers: [
          {
            name: 'HRM-1',
            address: 'D0:12:34:56:78:9A',
            services: [
              {
                uuid: '0000180D-0000-1000-8000-00805F9B34FB',
                characteristics: [
                  { uuid: '2A37', properties: ['notify'], value: 'text', notify: { everyMs: 1000, values: ['0048', { text: 'A' }, { hex: 'ff' }] } },
                  { uuid: '2a38', value: { hex: '01' } },
                ],
              },
            ],
          },
        ],
      },
    }).ble!.peers[0];
    assert.equal(peer.address, 'd0123456789a');
    assert.equal(peer.addressType, 1);
    assert.equal(peer.rssi, -55);
    assert.equal(peer.role, 'peripheral');
    assert.deepEqual(peer.advertising, { intervalMs: 100, connectable: true });
    assert.equal(peer.mtu, 247);
    const [hr, loc] = peer.services[0].characteristics;
    assert.equal(peer.services[0].uuid, '0000180d00001000800000805f9b34fb');
    assert.equal(hr.uuid, '2a37');
    assert.deepEqual(hr.value, Buffer.from('text'));
    assert.deepEqual(hr.notify, { everyMs: 1000, values: [Buffer.from([0, 0x48]), Buffer.from('A'), Buffer.from([0xff])], loop: true });
    assert.equal(hr.onWrite, 'store');
    assert.deepEqual(loc.properties, ['read']);
    assert.deepEqual(loc.value, Buffer.from([1]));
    const phone = parseWorld({ ble: { peers: [{ name: 'Phone', role: 'central', connect: { to: 'HRM-1', writes: [{ uuid: 'ff01', data: 'AT+X' }] } }] } }).ble!.peers[0];
    assert.deepEqual(phone.connect, { to: 'HRM-1', afterMs: 0, mtu: 247, subscribe: [], writes: [{ uuid: 'ff01', data: Buffer.from('AT+X'), afterMs: 0 }] });
    assert.match(phone.address, /^[c-f][0-9a-f]{11}$/);
  });

  test('errors name the path', () => {
    rejects({ peers: [{ name: 'a', adress: 'x' }] }, 'ble.peers[0]', /adress/);
    rejects({ peers: [{ name: 'a', address: 'd0:12:34' }] }, 'ble.peers[0].address', /BLE address/);
    rejects({ peers: [{ name: 'a', services: [{ uuid: '18d' }] }] }, 'ble.peers[0].services[0].uuid', /UUID/);
    rejects({ peers: [{ name: 'a', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', properties: ['notifyy'] }] }] }] }, 'ble.peers[0].services[0].characteristics[0].properties[0]');
    rejects(
      { peers: [{ name: 'a', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', notify: { everyMs: 10, values: ['00'] } }] }] }] },
      'ble.peers[0].services[0].characteristics[0].notify',
      /notify or indicate/,
    );
    rejects({ peers: [{ name: 'a', services: [{ uuid: '180d', characteristics: [{ uuid: '2a37', properties: ['notify'], notify: { everyMs: 10, values: ['0g'] } }] }] }] }, 'ble.peers[0].services[0].characteristics[0].notify.values[0]');
    rejects({ peers: [{ name: 'a', advertising: { intervalMs: 5 } }] }, 'ble.peers[0].advertising.intervalMs');
    rejects({ peers: [{ name: 'a', advertising: { advData: '00'.repeat(32) } }] }, 'ble.peers[0].advertising.advData', /31 bytes/);
    rejects({ peers: [{ name: 'a', role: 'central', connect: { to: 'b', writes: [{ uuid: 'ff01' }] } }] }, 'ble.peers[0].connect.writes[0].data');
    rejects({ peers: [{ name: 'a' }, { name: 'a' }] }, 'ble.peers[1]', /same name as peers\[0\]/);
    rejects({ peers: [{ name: 'a', address: 'd0123456789a' }, { name: 'b', address: 'D0:12:34:56:78:9A' }] }, 'ble.peers[1]', /same address/);
    rejects({ peers: [{ name: 'a', addressType: 2 }] }, 'ble.peers[0].addressType');
  });

  test('the example in docs/world.md parses', () => {
    const doc = readFileSync('docs/world.md', 'utf8');
    const block = doc.slice(doc.indexOf('## BLE peers')).match(/```json\n([\s\S]*?)```/);
    assert.ok(block, 'docs/world.md has a BLE example');
    const peers = parseWorld(JSON.parse(block[1]), 'docs/world.md').ble!.peers;
    assert.deepEqual(
      peers.map((p) => [p.name, p.role]),
      [
        ['HRM-1', 'peripheral'],
        ['Phone', 'central'],
      ],
    );
    assert.equal(peers[0].services[0].characteristics[0].notify?.everyMs, 1000);
  });
});
