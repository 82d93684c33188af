// The BLE medium (src/world/ble/medium.ts): attaching, advertising heard by scanners at the
// advertiser's interval (and once, without a loop, at timeScale 0), range, and connect()
// (success at the next advertising event, timeout, abort, busy, MTU), on a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BleError } from '../../../src/world/ble/types.ts';
import { parseWorld } from '../../../src/world/schema.ts';
import { World } from '../../../src/world/world.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { Central, flush, makeMedium, params, Peripheral, SERVICES } from './helpers.ts';

/** Whether `promise` has settled (after flushing callbacks). */
async function state(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let s: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  await flush();
  return s;
}

describe('attach', () => {
  test('addresses are normalised; a second radio at an address throws; a malformed one throws', () => {
    const { medium } = makeMedium();
    const r = medium.attach({ address: 'C8:47:8C:42:00:4B', addressType: 0 });
    assert.equal(r.address, 'c8478c42004b');
    assert.equal(r.rssi, -40);
    assert.throws(() => medium.attach({ address: 'c8478c42004b', addressType: 1 }), /already attached/);
    assert.throws(() => medium.attach({ address: 'c8478c42004', addressType: 0 }), /not a BLE address/);
    r.detach();
    assert.equal(medium.attach({ address: 'c8478c42004b', addressType: 0 }).address, 'c8478c42004b');
  });
});

describe('advertising and scanning', () => {
  test('a scanner hears an advertiser at its interval, first at its next event after the scan starts', () => {
    const { clock, medium } = makeMedium();
    const adv = medium.attach({ address: 'aa0000000001', addressType: 1, rssi: -61 });
    const scanner = medium.attach({ address: 'cc0000000001', addressType: 0 });
    adv.advertise(params('Sensor', 100), [], new Peripheral());
    clock.advance(30);
    const heard: number[] = [];
    const scan = scanner.scan((a) => {
      heard.push(clock.now());
      assert.deepEqual([a.address, a.addressType, a.name, a.rssi, a.connectable], ['aa0000000001', 1, 'Sensor', -61, true]);
    });
    clock.advance(69); // t = 99
    assert.deepEqual(heard, []);
    clock.advance(1);
    assert.deepEqual(heard, [100]);
    clock.advance(250);
    assert.deepEqual(heard, [100, 200, 300]);
    scan.stop();
    clock.advance(1000);
    assert.equal(heard.length, 3);
    assert.equal(clock.pending, 0, 'a stopped scan leaves no timer');
  });

  test('the interval is scaled by timeScale', () => {
    const { clock, medium } = makeMedium(2);
    medium.attach({ address: 'aa0000000001', addressType: 0 }).advertise(params('x', 100), [], new Peripheral());
    const heard: number[] = [];
    medium.attach({ address: 'cc0000000001', addressType: 0 }).scan(() => heard.push(clock.now()));
    clock.advance(600);
    assert.deepEqual(heard, [200, 400, 600]);
  });

  test('timeScale 0: one report per advertiser when the scan starts, no loop; again when its data changes', () => {
    const { clock, medium } = makeMedium(0);
    const a = medium.attach({ address: 'aa0000000001', addressType: 0 });
    a.advertise(params('one'), [], new Peripheral());
    medium.attach({ address: 'aa0000000002', addressType: 0 }).advertise(params('two'), [], new Peripheral());
    const heard: string[] = [];
    const scanner = medium.attach({ address: 'cc0000000001', addressType: 0 });
    scanner.scan((adv) => heard.push(adv.name));
    assert.deepEqual(heard, [], 'not from inside scan()');
    clock.advance(0);
    assert.deepEqual(heard.sort(), ['one', 'two']);
    assert.equal(clock.pending, 0, 'no timer left looping');
    clock.advance(10_000);
    scanner.setRssi(-50); // moving in range is no news
    clock.advance(0);
    assert.equal(heard.length, 2);
    a.advertise(params('one-b'), [], new Peripheral());
    clock.advance(0);
    assert.deepEqual(heard.slice(2), ['one-b']);
    assert.equal(clock.pending, 0);
  });

  test('a radio never hears itself; below -90 dBm nothing is heard either way; back in range it is', () => {
    const { clock, medium } = makeMedium();
    const a = medium.attach({ address: 'aa0000000001', addressType: 0 });
    const s = medium.attach({ address: 'cc0000000001', addressType: 0 });
    a.advertise(params('far'), [], new Peripheral());
    s.advertise(params('me'), [], new Peripheral());
    const heard: string[] = [];
    s.scan((adv) => heard.push(adv.name));
    a.setRssi(-91);
    clock.advance(500);
    assert.deepEqual(heard, []);
    a.setRssi(-90);
    s.setRssi(-95);
    clock.advance(500);
    assert.deepEqual(heard, []);
    s.setRssi(-90);
    clock.advance(100);
    assert.deepEqual(heard, ['far']);
  });

  test('the name: complete (0x09) before shortened (0x08), advertising data before scan response; none is empty', () => {
    const { clock, medium } = makeMedium();
    const names: string[] = [];
    medium.attach({ address: 'cc0000000001', addressType: 0 }).scan((adv) => names.push(adv.name));
    const short = Buffer.from([2, 1, 6, 3, 0x08, 0x41, 0x42]);
    const full = Buffer.from([4, 0x09, 0x58, 0x59, 0x5a]);
    const cases: Array<[Buffer, Buffer]> = [
      [Buffer.concat([short, full]), Buffer.alloc(0)],
      [Buffer.from([2, 1, 6]), Buffer.from([3, 0x09, 0x53, 0x52])],
      [short, full],
      [Buffer.from([2, 1, 6]), Buffer.alloc(0)],
    ];
    cases.forEach(([advData, scanResponse], i) =>
      medium
        .attach({ address: `aa000000000${i}`, addressType: 0 })
        .advertise({ advData, scanResponse, intervalMs: 100 + i, connectable: false }, [], new Peripheral()),
    );
    clock.advance(103);
    assert.deepEqual(names, ['XYZ', 'SR', 'AB', '']);
    assert.deepEqual(
      medium.advertisers().map((a) => a.name),
      ['XYZ', 'SR', 'AB', ''],
    );
  });

  test('stopAdvertising and detach silence an advertiser', () => {
    const { clock, medium } = makeMedium();
    const a = medium.attach({ address: 'aa0000000001', addressType: 0 });
    const b = medium.attach({ address: 'aa0000000002', addressType: 0 });
    a.advertise(params('a'), [], new Peripheral());
    b.advertise(params('b'), [], new Peripheral());
    const heard: string[] = [];
    medium.attach({ address: 'cc0000000001', addressType: 0 }).scan((adv) => heard.push(adv.name));
    clock.advance(100);
    a.stopAdvertising();
    b.detach();
    assert.equal(b.advertising, false);
    clock.advance(1000);
    assert.deepEqual(heard.sort(), ['a', 'b']);
    assert.deepEqual(medium.advertisers(), []);
  });
});

describe('connect', () => {
  test('succeeds at the next advertising event: MTU is the smaller, the peripheral stops advertising and hears connected()', async () => {
    const { clock, medium } = makeMedium();
    const p = medium.attach({ address: 'aa0000000001', addressType: 1 });
    const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
    const ph = new Peripheral();
    p.advertise(params('Periph', 100), SERVICES, ph, { mtu: 100 });
    clock.advance(130);
    const pending = c.connect('AA:00:00:00:00:01', 1, { handler: new Central(), mtu: 247, timeoutMs: 18_000 });
    clock.advance(69);
    assert.equal(await state(pending), 'pending');
    clock.advance(1);
    const link = await pending;
    assert.equal(clock.now(), 200);
    assert.equal(link.mtu, 100);
    assert.deepEqual(link.peripheral, { address: 'aa0000000001', addressType: 1, name: 'Periph' });
    assert.deepEqual(link.central, { address: 'cc0000000001', addressType: 0 });
    assert.equal(p.advertising, false);
    assert.deepEqual(ph.links, [link]);
    assert.deepEqual(p.links(), [link]);
    assert.deepEqual(c.links(), [link]);
    const small = await (async () => {
      const q = medium.attach({ address: 'aa0000000002', addressType: 0 });
      q.advertise(params('q'), SERVICES, new Peripheral()); // default peripheral MTU 512
      const d = medium.attach({ address: 'cc0000000002', addressType: 0 });
      const pend = d.connect(q.address, 0, { handler: new Central(), mtu: 23, timeoutMs: 1000 });
      clock.advance(100);
      return (await pend).mtu;
    })();
    assert.equal(small, 23);
  });

  test('times out after timeoutMs (scaled) when nothing connectable advertises', async () => {
    for (const scale of [1, 0.5]) {
      const { clock, medium } = makeMedium(scale);
      const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
      const nc = medium.attach({ address: 'aa0000000001', addressType: 0 });
      nc.advertise(params('nc', 100, false), [], new Peripheral());
      const pending = c.connect(nc.address, 0, { handler: new Central(), mtu: 247, timeoutMs: 18_000 });
      clock.advance(18_000 * scale - 1);
      assert.equal(await state(pending), 'pending');
      clock.advance(1);
      await assert.rejects(pending, (e: BleError) => e instanceof BleError && e.failure === 'timeout');
      assert.equal(clock.pending, 0);
    }
  });

  test('a wrong address type never connects', async () => {
    const { clock, medium } = makeMedium();
    medium.attach({ address: 'aa0000000001', addressType: 1 }).advertise(params('p'), [], new Peripheral());
    const pending = medium.attach({ address: 'cc0000000001', addressType: 0 }).connect('aa0000000001', 0, { handler: new Central(), mtu: 23, timeoutMs: 1000 });
    clock.advance(1000);
    await assert.rejects(pending, { failure: 'timeout' });
  });

  test('keeps listening: a peripheral that comes into range, or starts advertising, later is connected', async () => {
    const { clock, medium } = makeMedium();
    const p = medium.attach({ address: 'aa0000000001', addressType: 0, rssi: -95 });
    const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
    p.advertise(params('p', 100), [], new Peripheral());
    const pending = c.connect(p.address, 0, { handler: new Central(), mtu: 23, timeoutMs: 18_000 });
    clock.advance(5000);
    p.setRssi(-60);
    clock.advance(99);
    assert.equal(await state(pending), 'pending');
    clock.advance(1);
    assert.equal((await pending).open, true);
    const q = medium.attach({ address: 'aa0000000002', addressType: 0 });
    const d = medium.attach({ address: 'cc0000000002', addressType: 0 });
    const later = d.connect(q.address, 0, { handler: new Central(), mtu: 23, timeoutMs: 18_000 });
    clock.advance(3000);
    q.advertise(params('q', 50), [], new Peripheral());
    clock.advance(50);
    assert.equal((await later).peripheral.name, 'q');
  });

  test('aborting the signal rejects with aborted; an aborted signal at once too', async () => {
    const { clock, medium } = makeMedium();
    const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
    const ac = new AbortController();
    const pending = c.connect('aa0000000001', 0, { handler: new Central(), mtu: 23, timeoutMs: 18_000, signal: ac.signal });
    clock.advance(100);
    ac.abort();
    await assert.rejects(pending, { failure: 'aborted' });
    assert.equal(clock.pending, 0);
    await assert.rejects(c.connect('aa0000000001', 0, { handler: new Central(), mtu: 23, timeoutMs: 18_000, signal: ac.signal }), {
      failure: 'aborted',
    });
  });

  test('busy while connecting or connected as a central; free again after the link ends', async () => {
    const { clock, medium } = makeMedium();
    const p = medium.attach({ address: 'aa0000000001', addressType: 0 });
    const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
    const opts = { handler: new Central(), mtu: 23, timeoutMs: 18_000 };
    const first = c.connect(p.address, 0, opts);
    await assert.rejects(c.connect('aa0000000009', 0, opts), { failure: 'busy' });
    p.advertise(params('p'), [], new Peripheral());
    clock.advance(100);
    const link = await first;
    await assert.rejects(c.connect('aa0000000009', 0, opts), { failure: 'busy' });
    link.disconnect('central');
    const again = c.connect('aa0000000009', 0, { ...opts, timeoutMs: 10 });
    clock.advance(10);
    await assert.rejects(again, { failure: 'timeout' });
  });

  test('timeScale 0: connects at once (0 ms timer) to an advertiser already there', async () => {
    const { clock, medium } = makeMedium(0);
    const p = medium.attach({ address: 'aa0000000001', addressType: 0 });
    p.advertise(params('p', 1000), SERVICES, new Peripheral());
    const pending = medium.attach({ address: 'cc0000000001', addressType: 0 }).connect(p.address, 0, { handler: new Central(), mtu: 50, timeoutMs: 18_000 });
    clock.advance(0);
    assert.equal((await pending).mtu, 50);
    assert.equal(clock.pending, 0, 'an idle link holds no timer');
  });
});

describe('the world', () => {
  test('World.ble runs on the world clock and timeScale; dispose() leaves no timer', async () => {
    const clock = new FakeClock();
    const world = new World(parseWorld({ timeScale: 2 }), clock);
    const p = world.ble.attach({ address: 'aa0000000001', addressType: 0 });
    p.advertise(params('p', 100), [], new Peripheral());
    const heard: number[] = [];
    world.ble.attach({ address: 'cc0000000001', addressType: 0 }).scan(() => heard.push(clock.now()));
    world.ble.attach({ address: 'cc0000000002', addressType: 0 }).connect('aa0000000009', 0, { handler: new Central(), mtu: 23, timeoutMs: 1000 }).catch(() => {});
    clock.advance(400);
    assert.deepEqual(heard, [200, 400]);
    assert.ok(clock.pending > 0);
    world.dispose();
    assert.equal(clock.pending, 0);
  });
});
