// Virtual BLE peers (src/world/ble/peer*.ts): a sensor notifying a virtual phone, a device
// recording writes and answering reads, echo, range, the API (addPeer, peer(), removePeer,
// notify/write/read/connect/disconnect, toJSON), timeScale 0, and what dispose() leaves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VirtualPeer } from '../../../src/world/ble/peer.ts';
import type { BleLink, DisconnectReason } from '../../../src/world/ble/types.ts';
import { parseWorld } from '../../../src/world/schema.ts';
import { World } from '../../../src/world/world.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { Central, flush, params, Peripheral } from './helpers.ts';

const HRM = {
  name: 'HRM-1',
  address: 'd0:12:34:56:78:9a',
  services: [
    {
      uuid: '180d',
      characteristics: [{ uuid: '2a37', properties: ['read', 'notify'], notify: { everyMs: 1000, values: ['0048', '0049', { text: 'J' }] } }],
    },
  ],
};

const DEVICE = {
  name: 'Lamp',
  mtu: 23,
  services: [
    {
      uuid: 'ff00',
      characteristics: [
        { uuid: 'ff01', properties: ['read', 'write'], value: 'off' },
        { uuid: 'ff02', properties: ['write', 'notify'], onWrite: 'echo' },
      ],
    },
  ],
};

/** A world on a fake clock; `run` moves time in small steps, letting promise callbacks run between. */
function world(ble: unknown, timeScale = 1): { world: World; clock: FakeClock; run: (ms: number) => Promise<void> } {
  const clock = new FakeClock();
  const w = new World(parseWorld({ timeScale, ble }), clock);
  const run = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0; left -= Math.min(left, 5)) {
      clock.advance(Math.min(left, 5));
      await flush();
      clock.advance(0); // what the callbacks just armed at 0 ms (timeScale 0)
      await flush();
    }
  };
  return { world: w, clock, run };
}

const hex = (p: VirtualPeer) => p.received.map((r) => r.data.toString('hex'));

describe('a sensor and a virtual phone', () => {
  test('the phone connects, subscribes, and gets the values in turn every everyMs, looping', async () => {
    const { world: w, clock, run } = world({
      peers: [HRM, { name: 'Phone', role: 'central', connect: { to: 'HRM-1', subscribe: ['2a37'] } }],
    });
    const phone = w.ble.peer('Phone');
    const hrm = w.ble.peer('d0123456789a');
    assert.equal(hrm.name, 'HRM-1');
    const events: string[] = [];
    phone.on('connected', () => events.push(`phone connected ${clock.now()}`));
    hrm.on('connected', () => events.push(`hrm connected ${clock.now()}`));
    await run(300);
    // heard at HRM's advertising event at 100, connected at the next one (200)
    assert.deepEqual(events, ['hrm connected 200', 'phone connected 200']);
    assert.equal(phone.connected && hrm.connected, true);
    assert.equal(phone.link?.peripheral.name, 'HRM-1');
    await run(1000); // t = 1300: subscribed at the event after 200; first value 1000 ms later
    assert.deepEqual(hex(phone), ['0048']);
    await run(3000);
    assert.deepEqual(hex(phone), ['0048', '0049', '4a', '0048']);
    // sent every 1000 ms, each delivered at the connection event (37.5 ms grid) after it
    const gaps = phone.received.slice(1).map((r, i) => r.at - phone.received[i].at);
    assert.ok(gaps.every((g) => Math.abs(g - 1000) < 37.5), `gaps ${gaps}`);
    assert.deepEqual(
      (phone.toJSON() as { received: unknown[] }).received[0],
      { uuid: '2a37', hex: '0048', at: phone.received[0].at },
    );
    const json = hrm.toJSON() as Record<string, unknown>;
    assert.deepEqual([json.name, json.address, json.role, json.connected, json.advertising], ['HRM-1', 'd0123456789a', 'peripheral', true, false]);
    w.dispose();
    assert.equal(clock.pending, 0, 'dispose stops every timer (the sensor, the link)');
  });

  test('the sensor goes out of range: both hear "timeout" after the supervision timeout; back in range it advertises again', async () => {
    const { world: w, run } = world({ peers: [HRM, { name: 'Phone', role: 'central', connect: { to: 'HRM-1', subscribe: ['2a37'] } }] });
    const [hrm, phone] = [w.ble.peer('HRM-1'), w.ble.peer('Phone')];
    const reasons: string[] = [];
    hrm.on('disconnected', (r) => reasons.push(`hrm ${r}`));
    phone.on('disconnected', (r) => reasons.push(`phone ${r}`));
    await run(300);
    hrm.setRssi(-95);
    assert.equal(hrm.rssi, -95);
    await run(4990);
    assert.deepEqual(reasons, []);
    await run(20);
    assert.deepEqual(reasons.sort(), ['hrm timeout', 'phone timeout']);
    assert.equal(phone.connected, false);
    assert.deepEqual(
      w.ble.advertisers().map((a) => [a.name, a.rssi]),
      [['HRM-1', -95]],
      'it advertises again (out of range: nobody hears it)',
    );
    hrm.setRssi(-50);
    let heard = 0;
    const scan = w.ble.attach({ address: 'cc0000000001', addressType: 0 }).scan(() => heard++);
    await run(100);
    scan.stop();
    assert.equal(heard, 1);
    w.dispose();
  });

  test('timeScale 0: each value once, in order, and nothing left running', async () => {
    const { world: w, clock, run } = world({ peers: [HRM, { name: 'Phone', role: 'central', connect: { to: 'HRM-1', subscribe: ['2a37'] } }] }, 0);
    await run(50);
    assert.deepEqual(hex(w.ble.peer('Phone')), ['0048', '0049', '4a']);
    assert.equal(clock.pending, 0);
    w.dispose();
  });
});

describe('a device', () => {
  test('records writes (split to fit the MTU), answers reads with its value, stores what it was written', async () => {
    const long = 'AT+QSTAAPINFO=Office,correct-horse-battery-staple';
    const { world: w, run } = world({
      peers: [
        DEVICE,
        {
          name: 'Phone',
          role: 'central',
          connect: { to: 'Lamp', afterMs: 500, mtu: 247, writes: [{ uuid: 'ff01', data: long, afterMs: 200 }] },
        },
      ],
    });
    const [lamp, phone] = [w.ble.peer('Lamp'), w.ble.peer('Phone')];
    const written: string[] = [];
    lamp.on('written', (uuid, data) => written.push(`${uuid}:${data}`));
    await run(400);
    assert.equal(phone.connected, false, 'connect.afterMs: not before 500');
    await run(300); // heard at 600, connected at 700
    assert.equal(phone.connected, true);
    assert.equal(phone.link?.mtu, 23, 'the smaller MTU');
    const before = phone.read('ff01');
    await run(100);
    assert.equal((await before).toString(), 'off');
    await run(400);
    assert.equal(
      lamp.received.map((r) => r.data.toString()).join(''),
      long,
    );
    assert.ok(lamp.received.every((r) => r.uuid === 'ff01' && r.data.length <= 20));
    assert.equal(written.length, lamp.received.length);
    const after = phone.read('ff01');
    await run(100);
    assert.equal((await after).toString(), long.slice(40), 'the last packet written is the value');
    assert.equal((await lamp.read('ff01')).toString(), long.slice(40), "a peripheral's read(): its own value");
    w.dispose();
  });

  test('echo: a write to an echo characteristic comes back as a notification to a subscribed central', async () => {
    const { world: w, run } = world({ peers: [DEVICE, { name: 'Phone', role: 'central', connect: { to: 'Lamp', subscribe: ['ff02'] } }] });
    const phone = w.ble.peer('Phone');
    await run(300);
    const notified: string[] = [];
    phone.on('notified', (uuid, data) => notified.push(`${uuid}:${data}`));
    assert.equal(phone.write('ff02', 'ping'), true);
    await run(100);
    assert.deepEqual(notified, ['ff02:ping']);
    assert.deepEqual(w.ble.peer('Lamp').received.map((r) => `${r.uuid}:${r.data}`), ['ff02:ping']);
    w.dispose();
  });
});

describe('peers and modules (raw radios) together', () => {
  test('a phone writes an AT command to a role-3 style peripheral and records its notifications', async () => {
    const { world: w, run } = world({
      peers: [{ name: 'Phone', role: 'central', connect: { to: 'FC41D', subscribe: ['ff02'], writes: [{ uuid: 'ff01', data: 'AT+QVERSION' }] } }],
    });
    const module = w.ble.attach({ address: 'c8478c42004b', addressType: 0 });
    const ph = new Peripheral();
    const rw = { read: false, write: true, writeNoResponse: true, notify: false, indicate: false };
    module.advertise(params('FC41D'), [{ uuid: 'ff00', characteristics: [{ uuid: 'ff01', properties: rw }, { uuid: 'ff02', properties: { ...rw, write: false, writeNoResponse: false, notify: true } }] }], ph);
    await run(400);
    assert.deepEqual(ph.subscriptions, [['ff02', true]]);
    assert.deepEqual(ph.writes.map(([u, d]) => `${u}:${d}`), ['ff01:AT+QVERSION']);
    ph.links[0].notify('ff02', Buffer.from('AT+QVERSIONOK\r\n'));
    await run(50);
    const phone = w.ble.peer('Phone');
    assert.deepEqual(phone.received.map((r) => `${r.uuid}:${r.data}`), ['ff02:AT+QVERSIONOK\r\n']);
    // The phone ends it: the module hears 'central'.
    const closed: DisconnectReason[] = [];
    phone.on('disconnected', (r) => closed.push(r));
    phone.disconnect();
    await run(50);
    assert.deepEqual(ph.disconnects, ['central']);
    assert.deepEqual(closed, ['central']);
    w.dispose();
  });

  test('a module as central connects to a sensor peer; notify() from code reaches it; disconnect from the peer', async () => {
    const { world: w, clock, run } = world({ peers: [{ ...HRM, advertising: { intervalMs: 50 } }] });
    const hrm = w.ble.peer('HRM-1');
    const module = w.ble.attach({ address: 'c8478c42004b', addressType: 0 });
    const ch = new Central();
    const pending = module.connect(hrm.address, 1, { handler: ch, mtu: 247, timeoutMs: 18_000 });
    await run(50);
    const link: BleLink = await pending;
    assert.equal(hrm.link, link);
    assert.equal(hrm.notify('2a37', 'not subscribed'), true);
    await run(50);
    assert.equal(ch.notes.length, 0);
    const read = link.read('2a37');
    await run(40);
    assert.equal((await read).toString(), 'not subscribed', 'notify() stores the value');
    link.subscribe('2a37', true);
    await run(40);
    hrm.notify('2a37', Buffer.from([1, 2]));
    await run(40);
    assert.deepEqual(ch.notes.map(([, d]) => d.toString('hex')).slice(0, 1), ['0102']);
    hrm.disconnect();
    await run(40);
    assert.deepEqual(ch.disconnects, ['peripheral']);
    assert.equal(hrm.connected, false);
    assert.ok(w.ble.advertisers().some((a) => a.name === 'HRM-1'), 'it advertises again');
    w.dispose();
    assert.equal(clock.pending, 0);
  });
});

describe('the peers API', () => {
  test('addPeer validates like the world file; peer() throws for unknown; removePeer detaches (the other side times out)', async () => {
    const { world: w, clock, run } = world(undefined);
    assert.deepEqual(w.ble.peers(), []);
    assert.throws(() => w.ble.addPeer({ name: 'x', services: [{ uuid: 'xyz' }] } as never), /services\.0\.uuid/);
    const hrm = w.ble.addPeer(HRM as never);
    assert.throws(() => w.ble.addPeer(HRM as never), /two BLE peers named HRM-1/);
    assert.equal(w.ble.peer('HRM-1'), hrm);
    assert.equal(w.ble.peer('D0:12:34:56:78:9A'), hrm);
    assert.throws(() => w.ble.peer('nobody'), /no BLE peer nobody/);
    const phone = w.ble.addPeer({ name: 'Phone', role: 'central' });
    assert.match(phone.address, /^[c-f][0-9a-f]{11}$/, 'a random static address made from the name');
    assert.throws(() => phone.write('2a37', 'x'), /not connected/);
    const link = await Promise.all([phone.connect('HRM-1'), run(300)]).then(([l]) => l);
    assert.equal(link.peripheral.address, hrm.address);
    const reasons: string[] = [];
    phone.on('disconnected', (r) => reasons.push(r));
    w.ble.removePeer('HRM-1');
    assert.deepEqual(w.ble.peers(), [phone]);
    await run(5000);
    assert.deepEqual(reasons, ['timeout']);
    w.dispose();
    assert.equal(clock.pending, 0);
  });

  test('connect() from code fails with the medium error when the advertiser is heard but does not answer in time', async () => {
    const { world: w, run } = world({ peers: [{ name: 'Beacon', advertising: { connectable: false } }] });
    const phone = w.ble.addPeer({ name: 'Phone', role: 'central' });
    let outcome = 'pending';
    phone.connect('Beacon').then(
      () => (outcome = 'connected'),
      () => (outcome = 'failed'),
    );
    await run(2000);
    assert.equal(outcome, 'pending', 'a non-connectable advertiser is not a target: the phone keeps scanning');
    w.dispose();
    await flush();
    assert.equal(outcome, 'failed', 'dispose ends the wait');
  });
});
