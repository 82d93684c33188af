/** The process's trace hub (src/trace-hub.ts): stamping, the bounded store, filters, subscribers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRACE_STORE_BYTES, TraceHub } from '../../src/trace-hub.ts';

test('records get wall-clock time and t; the store keeps the last N, oldest first; filters by module and time', () => {
  let now = Date.parse('2026-01-01T00:00:00.000Z');
  const hub = new TraceHub(3, () => now);
  for (let i = 0; i < 5; i++) {
    hub.write({ dir: 'in', command: `AT${i}` }, i % 2 === 0 ? 'module 0' : 'module 1');
    now += 1000;
  }
  const all = hub.records();
  assert.deepEqual(all.map((r) => r.command), ['AT2', 'AT3', 'AT4']);
  assert.equal(all[0]!.time, '2026-01-01T00:00:02.000Z');
  assert.equal(typeof all[0]!.t, 'number');
  assert.deepEqual(hub.records({ module: 'module 0' }).map((r) => r.command), ['AT2', 'AT4']);
  const t3 = Date.parse('2026-01-01T00:00:03.000Z');
  assert.deepEqual(hub.records({ since: t3 }).map((r) => r.command), ['AT3', 'AT4']);
  assert.deepEqual(hub.records({ until: t3 }).map((r) => r.command), ['AT2', 'AT3']);
  hub.write({ dir: 'info', world: { x: 1 } });
  assert.equal(hub.records().at(-1)!.module, undefined, 'a world record has no module');
});

test('the store also keeps to a byte budget: big data pushes old records out', () => {
  const hub = new TraceHub(1_000_000);
  const chunk = 'x'.repeat(1024 * 1024);
  for (let i = 0; i < 100; i++) hub.write({ dir: 'out', text: chunk, kind: 'data' });
  const kept = hub.records();
  assert.ok(kept.length < 100 && kept.length >= TRACE_STORE_BYTES / (chunk.length + 200) - 1, `${kept.length} records kept`);
  hub.write({ dir: 'in', command: 'AT' });
  assert.equal(hub.records().at(-1)!.command, 'AT');
});

test('a subscriber that throws does not stop the others; a closed hub records nothing; capacity 0 stores nothing', () => {
  const hub = new TraceHub(0);
  const seen: string[] = [];
  hub.subscribe(() => {
    throw new Error('broken subscriber');
  });
  const off = hub.subscribe((r) => seen.push(String(r.command)));
  hub.write({ dir: 'in', command: 'AT' });
  off();
  hub.write({ dir: 'in', command: 'AT+QRST' });
  assert.deepEqual(seen, ['AT']);
  assert.deepEqual(hub.records(), []);
  hub.close();
  hub.subscribe((r) => seen.push(String(r.command)));
  hub.write({ dir: 'in', command: 'AT+QVERSION' });
  assert.deepEqual(seen, ['AT']);
});
