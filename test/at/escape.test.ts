/** The `+++` detector (§2.3.11) on a hand-driven clock, so guard times are exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EscapeDetector } from '../../src/at/escape.ts';
import type { Clock } from '../../src/clock.ts';

const GUARD = 1000;

class FakeClock implements Clock {
  private t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time on, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

function detector() {
  const clock = new FakeClock();
  const out = { data: '', escapes: 0 };
  const d = new EscapeDetector(
    clock,
    GUARD,
    (bytes) => (out.data += bytes.toString('latin1')),
    () => out.escapes++,
  );
  const push = (s: string) => d.push(Buffer.from(s, 'latin1'));
  return { clock, out, d, push };
}

test('ordinary bytes pass straight through', () => {
  const { out, push } = detector();
  push('hello\r\n\x00\xff');
  assert.equal(out.data, 'hello\r\n\x00\xff');
});

test('+++ with a guard time of silence before and after is the escape', () => {
  for (const chunks of [['+++'], ['+', '+', '+'], ['++', '+']]) {
    const { clock, out, push } = detector();
    clock.advance(GUARD);
    for (const c of chunks) {
      push(c);
      clock.advance(100);
    }
    clock.advance(GUARD - 101);
    assert.equal(out.escapes, 0, 'not before a full guard time after the last +');
    clock.advance(1);
    assert.deepEqual(out, { data: '', escapes: 1 }, chunks.join('|'));
  }
});

test('+++ without silence before it is data', () => {
  const { clock, out, push } = detector();
  clock.advance(GUARD);
  push('x');
  clock.advance(GUARD - 1);
  push('+++');
  clock.advance(GUARD * 3);
  assert.deepEqual(out, { data: 'x+++', escapes: 0 });
});

test('+++ inside a chunk is data even after silence', () => {
  const { clock, out, push } = detector();
  clock.advance(GUARD);
  push('a+++');
  clock.advance(GUARD * 2);
  assert.deepEqual(out, { data: 'a+++', escapes: 0 });
});

test('+++ followed by anything within the guard time is data, in order', () => {
  for (const after of ['x', '\r', '\n', '+']) {
    const { clock, out, push } = detector();
    clock.advance(GUARD);
    push('+++');
    clock.advance(GUARD - 1);
    push(after);
    clock.advance(GUARD * 2);
    assert.deepEqual(out, { data: '+++' + after, escapes: 0 }, JSON.stringify(after));
  }
});

test('held + are released as data when the next one does not come within the guard time', () => {
  const { clock, out, push } = detector();
  clock.advance(GUARD);
  push('++');
  clock.advance(GUARD - 1);
  assert.equal(out.data, '', 'still held');
  clock.advance(1);
  assert.deepEqual(out, { data: '++', escapes: 0 });
  // Slow pluses, each after a guard time of silence, are each data.
  for (let i = 0; i < 3; i++) {
    clock.advance(GUARD);
    push('+');
  }
  clock.advance(GUARD);
  assert.deepEqual(out, { data: '+++++', escapes: 0 });
});

test('restart() begins a new silence: +++ right after it is data', () => {
  const { clock, out, d, push } = detector();
  clock.advance(GUARD * 5);
  d.restart();
  push('+++');
  clock.advance(GUARD * 2);
  assert.deepEqual(out, { data: '+++', escapes: 0 });
});

test('stop() cancels a pending escape', () => {
  const { clock, out, d, push } = detector();
  clock.advance(GUARD);
  push('+++');
  d.stop();
  clock.advance(GUARD * 2);
  assert.equal(out.escapes, 0);
});

test('after an escape, the next +++ needs its own silence', () => {
  const { clock, out, push } = detector();
  clock.advance(GUARD);
  push('+++');
  clock.advance(GUARD);
  assert.equal(out.escapes, 1);
  clock.advance(GUARD);
  push('+++');
  clock.advance(GUARD);
  assert.deepEqual(out, { data: '', escapes: 2 });
});
