// The service's small parts on their own: the receive buffer (stream and datagram), the id
// table, host strings, and the hosts-map-first resolution.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdTable, validId } from '../../src/net/ids.ts';
import { RecvBuffer } from '../../src/net/recv-buffer.ts';
import { hostKind, resolveNow, resolveTarget } from '../../src/net/resolve.ts';
import { SendCounter } from '../../src/net/send-counter.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';

describe('RecvBuffer', () => {
  test('stream: reads across chunk boundaries, in order; space and counters', () => {
    const b = new RecvBuffer(10, false);
    b.push(Buffer.from('abc'));
    b.push(Buffer.from('defg'));
    assert.equal(b.space, 3);
    assert.equal(b.read(2).data.toString(), 'ab');
    assert.equal(b.read(4).data.toString(), 'cdef');
    assert.deepEqual(b.counters(), { total: 7, read: 6, unread: 1 });
    assert.equal(b.read(100).data.toString(), 'g');
    assert.equal(b.read(100).data.length, 0);
    assert.equal(b.read(0).data.length, 0);
    assert.equal(b.space, 10);
  });

  test('datagrams: one per read with its sender, cut to max, dropped whole when full', () => {
    const b = new RecvBuffer(8, true);
    const from = { address: '10.0.0.2', port: 99 };
    assert.equal(b.pushDatagram(Buffer.from('12345'), from), true);
    assert.equal(b.pushDatagram(Buffer.from('6789'), from), false, 'does not fit: dropped');
    assert.equal(b.pushDatagram(Buffer.from('ab'), { address: '10.0.0.3', port: 7 }), true);
    assert.equal(b.pushDatagram(Buffer.alloc(0), from), true, 'empty datagrams are ignored');
    assert.deepEqual(b.counters(), { total: 7, read: 0, unread: 7, droppedDatagrams: 1, droppedBytes: 4 });
    assert.deepEqual(b.read(3), { data: Buffer.from('123'), from });
    assert.deepEqual(b.read(10), { data: Buffer.from('ab'), from: { address: '10.0.0.3', port: 7 } });
    assert.deepEqual(b.counters(), { total: 7, read: 7, unread: 0, droppedDatagrams: 1, droppedBytes: 4 });
  });
});

test('SendCounter: unacked is what the kernel has not taken yet', () => {
  const c = new SendCounter();
  c.add(10);
  c.add(5);
  c.ack(10);
  assert.deepEqual(c.counters(), { total: 15, acked: 10, unacked: 5 });
});

test('IdTable: lowest free id, in-order values, release only of the same entry', () => {
  const t = new IdTable<string>();
  assert.equal(t.lowestFree(), 0);
  for (let i = 0; i < 12; i++) t.set(i, `s${i}`);
  assert.equal(t.lowestFree(), undefined);
  t.release(4, 'other');
  assert.equal(t.has(4), true);
  t.release(4, 's4');
  t.release(2, 's2');
  assert.equal(t.lowestFree(), 2);
  assert.deepEqual(t.values().slice(0, 3), ['s0', 's1', 's3']);
  assert.equal(validId(0) && validId(11) && !validId(12) && !validId(-1) && !validId(1.5), true);
});

describe('host strings and resolution', () => {
  test('hostKind', () => {
    for (const h of ['1.2.3.4', '255.255.255.255', '127.0.0.1']) assert.equal(hostKind(h), 'ipv4', h);
    for (const h of ['echo.test', 'a', 'my_host.local', 'xn--bcher-kva.example', 'host.example.']) assert.equal(hostKind(h), 'name', h);
    for (const h of ['', ' ', '0.0.0.0', '1.2.3.256', '1.2.3', '::1', 'a b', 'a..b', '-a.b', 'a-.b', 'é.example', 'x'.repeat(254)])
      assert.equal(hostKind(h), 'bad', JSON.stringify(h));
  });

  test('the hosts map comes first, also for literal addresses; then literals; names need DNS', async () => {
    const world = new World(
      parseWorld({ hosts: { 'echo.test': { address: '127.0.0.1', ports: { '7': 4007 } }, '192.0.2.10': '127.0.0.1' } }),
    );
    assert.deepEqual(resolveNow(world, 'Echo.Test', 7), { ok: true, address: '127.0.0.1', port: 4007 });
    assert.deepEqual(resolveNow(world, 'echo.test', 8), { ok: true, address: '127.0.0.1', port: 8 });
    assert.deepEqual(resolveNow(world, '192.0.2.10', 80), { ok: true, address: '127.0.0.1', port: 80 });
    assert.deepEqual(resolveNow(world, '10.1.2.3', 80), { ok: true, address: '10.1.2.3', port: 80 });
    assert.equal((resolveNow(world, 'other.example', 80) as { result: number }).result, 550);
    assert.deepEqual(await resolveTarget(world, 'other.example', 80, async () => '10.9.9.9'), { ok: true, address: '10.9.9.9', port: 80 });
    const failed = await resolveTarget(world, 'other.example', 80, async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND other.example'), { code: 'ENOTFOUND' });
    });
    assert.equal(failed.ok, false);
    assert.equal((failed as { result: number }).result, 551);
  });
});
