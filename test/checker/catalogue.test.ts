/**
 * The checker as a whole: the rules catalogue, the one-line format, and that watching changes
 * nothing — the same hostile byte stream gives a module with a checker exactly the output of one
 * without, and never makes the checker fail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { CHECK_RULES, DriverChecker, escapeText, formatViolation, type RuleId } from '../../src/checker/index.ts';
import { Fc41dModule } from '../../src/index.ts';
import { seededRandom } from '../../src/random.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { officeWorld } from '../behaviour/setup.ts';

const IDS: Record<RuleId, true> = {
  'command-before-final': true,
  'data-before-prompt': true,
  'mixed-terminators': true,
  'missing-terminator': true,
  'line-too-long': true,
  'counted-length': true,
  'command-before-ready': true,
  'rapid-retry': true,
  'unread-data': true,
  'escape-guard': true,
};

test('CHECK_RULES lists every rule once, each with a summary', () => {
  assert.deepEqual(CHECK_RULES.map((r) => r.id).sort(), Object.keys(IDS).sort());
  for (const rule of CHECK_RULES) assert.ok(rule.summary.length > 20, rule.id);
});

test('formatViolation: module, time since attach, rule, line, why', () => {
  const v = { rule: 'command-before-final' as const, module: 'module 0', atMs: 1234, time: new Date(0).toISOString(), line: 'AT+QSTASTAT', message: 'the previous command had no final result yet' };
  assert.equal(formatViolation(v), 'module 0 +1234ms command-before-final: AT+QSTASTAT (the previous command had no final result yet)');
  assert.equal(formatViolation({ ...v, line: 'x'.repeat(100) }), `module 0 +1234ms command-before-final: ${'x'.repeat(60)}… (the previous command had no final result yet)`);
  assert.equal(escapeText(Buffer.from('A\r\n\x00\xff"\\', 'latin1')), 'A\\r\\n\\x00\\xff"\\\\');
  assert.equal(escapeText('y'.repeat(200)), `${'y'.repeat(120)}…`);
});

/** A module on a fake clock with a recording host; `watch` adds a checker. */
function rig(watch: boolean) {
  const clock = new FakeClock();
  const module = new Fc41dModule({ clock, bootMs: 5, echo: true, world: officeWorld(), guardMs: 50 });
  const checker = watch ? new DriverChecker(module) : null;
  const out: Buffer[] = [];
  const host = module.attach((b) => void out.push(Buffer.from(b)));
  return { clock, module, checker, out, host };
}

/** Hostile bytes: fragments of real commands (counted ones too), CR/LF/quotes/pluses and noise. */
function hostileChunks(seed: number, n: number): Buffer[] {
  const random = seededRandom(seed);
  const pieces = ['AT', 'AT+QVERSION', 'AT+QISEND=0,5', 'AT+QISEND=0,3,"', 'AT+QMTPUB=0,0,0,0,"t",4', '+++', '"', ',', '\r', '\n', '\r\n', 'hello', 'AT+QRST', 'AT+QECHO=1', '\x08', 'ATO', 'AT+QIRD=0,10', 'x'.repeat(600)];
  const chunks: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    const k = 1 + Math.floor(random() * 4);
    for (let j = 0; j < k; j++) {
      parts.push(random() < 0.85 ? pieces[Math.floor(random() * pieces.length)] : String.fromCharCode(Math.floor(random() * 256)));
    }
    chunks.push(Buffer.from(parts.join(''), 'latin1'));
  }
  return chunks;
}

test('watching changes nothing: the same hostile input gives the same output with and without a checker', async () => {
  for (const seed of [1, 2, 3]) {
    const plain = rig(false);
    const watched = rig(true);
    const chunks = hostileChunks(seed, 400);
    for (const r of [plain, watched]) r.clock.advance(5);
    for (const chunk of chunks) {
      for (const r of [plain, watched]) r.host.write(chunk);
      await tick();
      for (const r of [plain, watched]) r.clock.advance(7);
    }
    for (const r of [plain, watched]) r.clock.advance(20_000);
    await tick();
    assert.ok(Buffer.concat(plain.out).length > 1000, 'the module said a lot');
    assert.ok(Buffer.concat(watched.out).equals(Buffer.concat(plain.out)), `seed ${seed}: same bytes out`);
    const violations = watched.checker!.finish();
    assert.deepEqual(watched.checker!.errors, [], `seed ${seed}: the checker never failed`);
    assert.ok(violations.length > 0, 'a hostile host breaks rules');
    for (const v of violations) assert.ok(IDS[v.rule] && v.line.length > 0 && v.message.length > 0, JSON.stringify(v));
    for (const r of [plain, watched]) r.module.dispose();
  }
});
