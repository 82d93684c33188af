/** The baud-rate pacer (src/device/pacer.ts) on a hand-driven clock, so the timing is exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputPacer, PACER_BACKLOG_BYTES } from '../../src/device/pacer.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

/** A pacer whose deliveries are recorded with the time they happened. */
function paced(baud: number) {
  const clock = new FakeClock();
  const deliveries: { at: number; bytes: Buffer }[] = [];
  let writable = 0;
  let rate = baud;
  const pacer = new OutputPacer(
    clock,
    () => rate,
    (bytes) => deliveries.push({ at: clock.now(), bytes: Buffer.from(bytes) }),
    () => writable++,
  );
  const delivered = () => deliveries.reduce((n, d) => n + d.bytes.length, 0);
  return { clock, pacer, deliveries, delivered, writable: () => writable, setBaud: (b: number) => (rate = b) };
}

test('pacer: a big chunk streams out from the first millisecond, not as one write at the end', () => {
  const p = paced(115200); // 11.52 bytes per ms
  p.pacer.send(Buffer.alloc(24 * 1024, 0x41));
  p.clock.advance(1);
  assert.ok(p.delivered() >= 11 && p.delivered() <= 12, `after 1 ms: ${p.delivered()} bytes`);
  p.clock.advance(1);
  assert.ok(p.delivered() >= 23 && p.delivered() <= 24, `after 2 ms: ${p.delivered()} bytes`);
  // Never more than 1 ms between deliveries while bytes wait.
  p.clock.advance(3000);
  assert.equal(p.delivered(), 24 * 1024);
  for (let i = 1; i < p.deliveries.length; i++) {
    assert.ok(p.deliveries[i].at - p.deliveries[i - 1].at <= 1, `gap at delivery ${i}`);
  }
});

test('pacer: the rate is exact over simulated seconds, at standard and odd rates', () => {
  for (const baud of [9600, 115200, 921600, 1842000]) {
    const p = paced(baud);
    const seconds = 7;
    const perSecond = baud / 10;
    p.pacer.send(Buffer.alloc(Math.ceil(perSecond * (seconds + 1))));
    p.clock.advance(seconds * 1000);
    const expected = perSecond * seconds;
    assert.ok(Math.abs(p.delivered() - expected) <= 1, `${baud} baud: ${p.delivered()} bytes in ${seconds} s, expected ${expected}`);
  }
});

test('pacer: bytes keep their order across many sends, and each comes after the wire time of those before', () => {
  const p = paced(9600); // 0.96 bytes per ms
  const sent: number[] = [];
  for (let i = 0; i < 300; i++) {
    const chunk = Buffer.from([i & 0xff, (i * 7) & 0xff, (i * 13) & 0xff].slice(0, 1 + (i % 3)));
    sent.push(...chunk);
    p.pacer.send(chunk);
    if (i % 10 === 0) p.clock.advance(3);
  }
  p.clock.advance(10_000);
  assert.deepEqual([...Buffer.concat(p.deliveries.map((d) => d.bytes))], sent);
  let count = 0;
  for (const d of p.deliveries) {
    count += d.bytes.length;
    assert.ok(d.at + 1e-9 >= (count * 1000) / 960, `byte ${count} came at ${d.at} ms, before its wire time`);
  }
});

test('pacer: an idle line saves no credit; a slow rate is not polled every millisecond', () => {
  const p = paced(300); // 30 bytes per s: one byte every 33.3 ms
  p.pacer.send(Buffer.from('AB'));
  p.clock.advance(5000);
  assert.equal(p.delivered(), 2);
  p.pacer.send(Buffer.from('CDEF'));
  p.clock.advance(34);
  assert.equal(p.delivered(), 3, 'after a long idle time the next bytes still take their wire time');
  assert.equal(p.clock.pending, 1);
  p.clock.advance(200);
  assert.equal(p.delivered(), 6);
  assert.ok(p.deliveries.length <= 6, 'one delivery per byte at most, no empty ticks');
});

test('pacer: holds more than the bound → backlogged; below it again → writable once', () => {
  const p = paced(115200);
  p.pacer.send(Buffer.alloc(PACER_BACKLOG_BYTES));
  assert.equal(p.pacer.backlogged, false, 'up to the bound is not a backlog');
  p.pacer.send(Buffer.alloc(10_000));
  assert.equal(p.pacer.backlogged, true);
  assert.equal(p.pacer.queued, PACER_BACKLOG_BYTES + 10_000);
  p.clock.advance(100);
  assert.equal(p.writable(), 0);
  p.clock.advance(1000); // 11520 bytes gone: below the bound
  assert.equal(p.pacer.backlogged, false);
  assert.equal(p.writable(), 1);
  p.clock.advance(1000);
  assert.equal(p.writable(), 1);
});

test('pacer: prepend puts held bytes first; clear drops everything and stops the timer', () => {
  const p = paced(115200);
  p.pacer.send(Buffer.from('world'));
  p.pacer.prepend(Buffer.from('hello '));
  p.clock.advance(10);
  assert.equal(Buffer.concat(p.deliveries.map((d) => d.bytes)).toString(), 'hello world');
  p.pacer.send(Buffer.alloc(1000));
  p.pacer.clear();
  assert.equal(p.pacer.queued, 0);
  assert.equal(p.clock.pending, 0);
});

test('pacer: a baud change applies from the next tick', () => {
  const p = paced(115200);
  p.pacer.send(Buffer.alloc(100_000));
  p.clock.advance(1000);
  assert.ok(Math.abs(p.delivered() - 11520) <= 1);
  p.setBaud(9600);
  p.clock.advance(1000);
  assert.ok(Math.abs(p.delivered() - 11520 - 960) <= 2, `${p.delivered()}`);
});
