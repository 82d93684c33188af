// A BLE link (src/world/ble/link.ts) and the GATT table it carries (gatt.ts): handle layout,
// MTU, writes, notifications and reads, errors, connection events and push-back, drain,
// disconnects from either side, and the supervision timeout (out of range, power-off).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { GattServer } from '../../../src/world/ble/gatt.ts';
import { BleError, type BleLink, type DisconnectReason } from '../../../src/world/ble/types.ts';
import { Central, connected, flush, makeMedium, params, Peripheral, SERVICES } from './helpers.ts';

const P = { read: false, write: false, writeNoResponse: false, notify: false, indicate: false };

describe('GATT table', () => {
  test('GATT then GAP services first, then the peripheral own, handles as a stack numbers them', () => {
    const server = new GattServer(
      [
        {
          uuid: '0000180D-0000-1000-8000-00805F9B34FB',
          characteristics: [
            { uuid: '2A37', properties: { ...P, notify: true } },
            { uuid: '2a38', properties: { ...P, read: true } },
          ],
        },
        { uuid: 'ff00', characteristics: [{ uuid: 'ff01', properties: { ...P, write: true, indicate: true } }] },
      ],
      'Dev',
    );
    assert.deepEqual(
      server.table.map((c) => `${c.handle} ${c.serviceUuid}/${c.uuid}`),
      [
        '3 1801/2a05',
        '7 1800/2a00',
        '9 1800/2a01',
        '11 1800/2aa6',
        // 12 service 180d, 13 decl, 14 value, 15 CCCD; 16 decl, 17 value
        '14 0000180d00001000800000805f9b34fb/2a37',
        '17 0000180d00001000800000805f9b34fb/2a38',
        // 18 service ff00, 19 decl, 20 value, 21 CCCD
        '20 ff00/ff01',
      ],
    );
    assert.equal(server.value('2a00').toString(), 'Dev');
    assert.equal(server.find('2A38')?.handle, 17);
    assert.equal(server.find('nope'), undefined);
  });

  test('the link carries the table', async () => {
    const { link } = await connected();
    assert.deepEqual(
      link.gatt.map((c) => `${c.handle} ${c.uuid}`),
      ['3 2a05', '7 2a00', '9 2a01', '11 2aa6', '14 ff01', '17 ff02', '20 ff03'],
    );
  });
});

describe('data', () => {
  test('writes reach the peripheral at the next connection event (37.5 ms default) and become the value reads see', async () => {
    const { clock, link, ph } = await connected();
    // the link started at t = 100; events at 137.5, 175…
    assert.equal(link.write('ff01', Buffer.from('hello')), true);
    clock.advance(37);
    assert.deepEqual(ph.writes, []);
    clock.advance(0.5);
    assert.deepEqual(ph.writes, [['ff01', Buffer.from('hello')]]);
    const read = link.read('FF01');
    clock.advance(37.5);
    assert.equal((await read).toString(), 'hello');
    const initial = link.read('ff03');
    clock.advance(37.5);
    assert.equal((await initial).toString(), 'v3');
  });

  test("read: the peripheral handler's answer first, else the stored value", async () => {
    const { clock, link, ph } = await connected();
    (ph as Peripheral & { read?: unknown }).read = (_l: BleLink, uuid: string) => (uuid === 'ff01' ? Buffer.from('live') : undefined);
    const a = link.read('ff01');
    const b = link.read('2a00');
    clock.advance(37.5);
    assert.equal((await a).toString(), 'live');
    assert.equal((await b).toString(), 'Periph');
  });

  test('up to 6 packets per event each way, in order', async () => {
    const { clock, link, ph, ch } = await connected();
    link.subscribe('ff02', true);
    for (let i = 0; i < 14; i++) {
      link.write('ff01', Buffer.from([i]));
      link.notify('ff02', Buffer.from([100 + i]));
    }
    const counts: number[][] = [];
    for (let e = 0; e < 3; e++) {
      clock.advance(37.5);
      counts.push([ph.writes.length, ch.notes.length]);
    }
    assert.deepEqual(counts, [
      [6, 6],
      [12, 12],
      [14, 14],
    ]);
    assert.deepEqual(
      ph.writes.map(([, d]) => d[0]),
      [...Array(14).keys()],
    );
    assert.deepEqual(
      ch.notes.map(([, d]) => d[0]),
      [...Array(14).keys()].map((i) => 100 + i),
    );
  });

  test('the connection interval comes from the central params', async () => {
    const { clock, link, ph } = await connected({ intervalMs: 7.5 });
    link.write('ff01', Buffer.from('x'));
    clock.advance(7.5);
    assert.equal(ph.writes.length, 1);
  });

  test('notifications: not sent before the central subscribes (but stored); the peripheral hears subscribe changes', async () => {
    const { clock, link, ph, ch } = await connected();
    assert.equal(link.notify('ff02', Buffer.from('early')), true);
    clock.advance(100);
    assert.deepEqual(ch.notes, []);
    assert.equal(link.subscribed('ff02'), false);
    link.subscribe('ff02', true);
    assert.equal(link.subscribed('FF02'), true);
    link.notify('ff02', Buffer.from('now'));
    clock.advance(37.5);
    assert.deepEqual(ph.subscriptions, [['ff02', true]]);
    assert.deepEqual(ch.notes, [['ff02', Buffer.from('now')]]);
    link.notify('ff01', Buffer.from('stored'));
    const read = link.read('ff01');
    clock.advance(37.5);
    assert.equal((await read).toString(), 'stored');
    link.subscribe('ff02', false);
    link.notify('ff02', Buffer.from('off'));
    clock.advance(75);
    assert.deepEqual(ph.subscriptions, [['ff02', true], ['ff02', false]]);
    assert.equal(ch.notes.length, 1);
  });

  test('errors: too long for the MTU, no such characteristic, not permitted, closed', async () => {
    const { clock, link } = await connected({ mtu: 30 });
    assert.equal(link.mtu, 30);
    assert.equal(link.write('ff01', Buffer.alloc(27)), true);
    const is = (failure: string) => (e: unknown) => e instanceof BleError && e.failure === failure;
    assert.throws(() => link.write('ff01', Buffer.alloc(28)), is('too-long'));
    assert.throws(() => link.notify('ff01', Buffer.alloc(28)), is('too-long'));
    assert.throws(() => link.write('abcd', Buffer.from('x')), is('no-characteristic'));
    assert.throws(() => link.write('not a uuid', Buffer.from('x')), is('no-characteristic'));
    await assert.rejects(link.read('abcd'), is('no-characteristic'));
    assert.throws(() => link.write('ff03', Buffer.from('x')), is('not-permitted'));
    assert.throws(() => link.write('2a00', Buffer.from('x')), is('not-permitted'));
    assert.throws(() => link.subscribe('ff03', true), is('not-permitted'));
    assert.throws(() => link.notify('ff03', Buffer.from('x')), is('not-permitted'));
    await assert.rejects(link.read('ff02'), is('not-permitted'));
    const pendingRead = link.read('ff01');
    link.disconnect('central');
    await assert.rejects(pendingRead, is('closed'));
    assert.throws(() => link.write('ff01', Buffer.from('x')), is('closed'));
    assert.throws(() => link.notify('ff01', Buffer.from('x')), is('closed'));
    await assert.rejects(link.read('ff01'), is('closed'));
    await assert.rejects(link.exchangeMtu(100), is('closed'));
    clock.advance(100);
  });

  test('MTU exchange: the smaller of asked and the peripheral, after one event', async () => {
    const { clock, link } = await connected({ mtu: 23, peripheralMtu: 185 });
    assert.equal(link.mtu, 23);
    const up = link.exchangeMtu(247);
    assert.equal(link.mtu, 23);
    clock.advance(37.5);
    assert.equal(await up, 185);
    assert.equal(link.mtu, 185);
    link.write('ff01', Buffer.alloc(182));
    const down = link.exchangeMtu(100);
    clock.advance(37.5);
    assert.equal(await down, 100);
  });
});

describe('push-back and flow control', () => {
  test('64 KiB each way, byte-exact and in order, through receivers that refuse now and then', async () => {
    const { clock, link, ph, ch } = await connected();
    link.subscribe('ff02', true);
    const up = randomBytes(64 * 1024);
    const down = randomBytes(64 * 1024);
    const refusals = { central: 0, peripheral: 0 };
    const resumes: Array<'central' | 'peripheral'> = [];
    // Each receiver refuses every 5th packet offered, and resumes after the event.
    const gate = (side: 'central' | 'peripheral') => {
      let offered = 0;
      return () => {
        if (++offered % 5 !== 0) return true;
        refusals[side]++;
        resumes.push(side);
        return false;
      };
    };
    ph.gate = gate('peripheral');
    ch.gate = gate('central');
    const size = link.mtu - 3;
    let upAt = 0;
    let downAt = 0;
    let upWait = false;
    let downWait = false;
    const drains: string[] = [];
    link.on('drain', (side) => {
      drains.push(side);
      if (side === 'central') upWait = false;
      else downWait = false;
    });
    let fullSeen = 0;
    const bytes = (list: Array<[string, Buffer]>) => list.reduce((n, [, d]) => n + d.length, 0);
    for (let events = 0; events < 5000 && (bytes(ph.writes) < up.length || bytes(ch.notes) < down.length); events++) {
      while (!upWait && upAt < up.length) {
        upWait = !link.write('ff01', up.subarray(upAt, upAt + size));
        upAt += size;
        if (upWait) fullSeen++;
      }
      while (!downWait && downAt < down.length) {
        downWait = !link.notify('ff02', down.subarray(downAt, downAt + size));
        downAt += size;
        if (downWait) fullSeen++;
      }
      clock.advance(37.5);
      for (const side of resumes.splice(0)) link.resume(side);
    }
    assert.ok(fullSeen >= 2, 'the queues filled (send returned false)');
    assert.ok(refusals.central > 10 && refusals.peripheral > 10, JSON.stringify(refusals));
    assert.ok(drains.includes('central') && drains.includes('peripheral'), `drain for both senders: ${drains}`);
    assert.ok(Buffer.concat(ph.writes.map(([, d]) => d)).equals(up), 'central → peripheral byte-exact');
    assert.ok(Buffer.concat(ch.notes.map(([, d]) => d)).equals(down), 'peripheral → central byte-exact');
  });

  test('a refusal holds everything behind it until resume(); nothing is lost; write returns false at 16 KiB and drain comes below 4 KiB', async () => {
    const { clock, link, ph } = await connected();
    ph.refuse = true;
    const size = link.mtu - 3; // 244
    const results: boolean[] = [];
    for (let i = 0; i < 70; i++) results.push(link.write('ff01', Buffer.alloc(size, i)));
    const firstFalse = results.indexOf(false);
    assert.equal(firstFalse, Math.ceil((16 * 1024) / size) - 1, 'false from the packet that reaches 16 KiB');
    clock.advance(1000);
    assert.equal(ph.writes.length, 0);
    const drains: string[] = [];
    link.on('drain', (side) => drains.push(side));
    ph.refuse = false;
    clock.advance(1000);
    assert.equal(ph.writes.length, 0, 'still held: the receiver has not resumed');
    link.resume('peripheral');
    let events = 0;
    while (ph.writes.length < 70 && events < 100) {
      clock.advance(37.5);
      events++;
      // queued bytes = (70 - delivered) × 244; drain only once below 4 KiB
      const queued: number = (70 - ph.writes.length) * size;
      assert.equal(drains.length, queued < 4096 ? 1 : 0, `after ${ph.writes.length} delivered`);
    }
    assert.deepEqual(
      ph.writes.map(([, d]) => d[0]),
      [...Array(70).keys()],
    );
    assert.deepEqual(drains, ['central']);
  });
});

describe('ending', () => {
  test('the central disconnects: the peripheral hears "central" at the next event, after the data queued towards it', async () => {
    const { clock, link, ph, ch } = await connected();
    link.subscribe('ff02', true);
    clock.advance(37.5);
    for (let i = 0; i < 8; i++) link.write('ff01', Buffer.from(`w${i}`)); // two events' worth
    link.write('ff01', Buffer.from('last words'));
    link.notify('ff02', Buffer.from('dropped'));
    const closed: DisconnectReason[] = [];
    link.on('closed', (r) => closed.push(r));
    link.disconnect('central');
    link.disconnect('central'); // idempotent
    assert.equal(link.open, false);
    assert.deepEqual(ph.disconnects, []);
    clock.advance(37.5);
    assert.equal(ph.writes.length, 6);
    assert.deepEqual(ph.disconnects, [], 'not before what was queued towards it arrived');
    clock.advance(37.5);
    assert.deepEqual(
      ph.writes.map(([, d]) => d.toString()),
      ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'last words'],
    );
    assert.deepEqual(ph.disconnects, ['central']);
    assert.deepEqual(ch.disconnects, [], 'the side that disconnected hears nothing');
    assert.deepEqual(ch.notes, []);
    assert.deepEqual(closed, ['central']);
    assert.equal(clock.pending, 0);
  });

  test('the peripheral disconnects: the central hears "peripheral"; both can connect again', async () => {
    const { clock, medium, p, c, link, ph, ch } = await connected();
    const closed: DisconnectReason[] = [];
    link.on('closed', (r) => closed.push(r));
    link.disconnect('peripheral');
    assert.deepEqual(p.links(), []);
    clock.advance(37.5);
    assert.deepEqual(ch.disconnects, ['peripheral']);
    assert.deepEqual(ph.disconnects, []);
    assert.deepEqual(closed, ['peripheral']);
    assert.deepEqual(c.links(), []);
    assert.deepEqual(medium.links(), []);
    p.advertise(params('again'), SERVICES, ph);
    const next = c.connect(p.address, 0, { handler: ch, mtu: 23, timeoutMs: 1000 });
    clock.advance(100);
    assert.equal((await next).peripheral.name, 'again');
  });

  test('out of range (setRssi -95): both sides hear "timeout" after the supervision timeout; back in time, the link lives', async () => {
    const { clock, link, p, ph, ch } = await connected();
    p.setRssi(-95);
    link.write('ff01', Buffer.from('held'));
    clock.advance(4000);
    assert.deepEqual(ph.writes, [], 'nothing moves out of range');
    p.setRssi(-60);
    clock.advance(37.5);
    assert.deepEqual(ph.writes, [['ff01', Buffer.from('held')]]);
    p.setRssi(-95);
    const closed: DisconnectReason[] = [];
    link.on('closed', (r) => closed.push(r));
    clock.advance(4999);
    assert.equal(link.open, true);
    clock.advance(1);
    assert.equal(link.open, false);
    assert.deepEqual(ph.disconnects, ['timeout']);
    assert.deepEqual(ch.disconnects, ['timeout']);
    assert.deepEqual(closed, ['timeout']);
    assert.equal(clock.pending, 0);
  });

  test('the supervision timeout comes from the params and is scaled', async () => {
    const { clock, medium } = makeMedium(2);
    const p = medium.attach({ address: 'aa0000000001', addressType: 0 });
    const c = medium.attach({ address: 'cc0000000001', addressType: 0 });
    p.advertise(params('p'), SERVICES, new Peripheral());
    const ch = new Central();
    const pending = c.connect(p.address, 0, { handler: ch, mtu: 23, timeoutMs: 1000, params: { supervisionTimeoutMs: 1000 } });
    clock.advance(200);
    await pending;
    c.setRssi(-100);
    clock.advance(1999);
    assert.deepEqual(ch.disconnects, []);
    clock.advance(1);
    assert.deepEqual(ch.disconnects, ['timeout']);
  });

  test('detach: the detached side hears nothing, the other side "timeout" after the supervision timeout', async () => {
    const { clock, medium, link, p, c, ph, ch } = await connected();
    c.detach();
    assert.deepEqual(c.links(), []);
    assert.deepEqual(p.links(), [link]);
    clock.advance(5000);
    assert.deepEqual(ph.disconnects, ['timeout']);
    assert.deepEqual(ch.disconnects, []);
    assert.deepEqual(p.links(), []);
    assert.equal(clock.pending, 0);
    // The address is free again: a module reset re-attaches.
    const again = medium.attach({ address: c.address, addressType: 0 });
    assert.deepEqual(again.links(), []);
    await flush();
  });
});
