/**
 * The AT engine on its own, through an in-memory duplex, with a tiny dispatcher instead of
 * the FC41D's commands. Exact bytes are checked here; transcripts only check lines.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineOptions } from '../../src/at/engine.ts';
import { MAX_LINE_BYTES, PROMPT_SEND } from '../../src/at/framing.ts';
import { createModule } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { engineRig, ERROR, OK } from './rig.ts';

const GUARD_MS = 100;

/** The engine with the test commands of rig.ts; a short data-mode idle time for the timeout tests. */
const rig = (opts: Partial<EngineOptions> = {}) => engineRig({ guardMs: GUARD_MS, ...opts }, { sendIdleMs: 100 });

test('a line sent one byte per write is answered once, only after its CR', async () => {
  const { host } = await rig();
  for (const ch of 'AT+X') {
    host.write(ch);
    await sleep(1);
  }
  assert.equal(host.unread, '', 'no answer to a fragment');
  host.write('\r');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
});

test('CR-only lines get nothing; several lines in one chunk are answered in order', async () => {
  const { host, state } = await rig();
  host.write('\r\r\r');
  assert.equal(await host.collect(30), '');
  host.write('AT+X\rAT\rAT+FAIL\rAT+X\r');
  assert.equal(await host.expect(/(\r\n[^\r]*\r\n){5}/), `\r\n+X: 1\r\n${OK}${OK}${ERROR}\r\n+X: 1\r\n`);
  assert.equal(await host.expect(OK), OK);
  assert.deepEqual(state.calls, ['+X', '+FAIL', '+X']);
});

test('LF is ignored wherever it appears', async () => {
  const { host } = await rig();
  host.write('\n\n\n');
  assert.equal(await host.collect(30), '');
  host.write('\nA\nT\n+\nX\n\r\n');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
  assert.equal(await host.collect(30), '');
});

test('backspace deletes the byte before it, and does nothing on an empty line', async () => {
  const { host } = await rig();
  host.write('AT+XY\b\r');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
  host.write('\b\b\bAT\r');
  assert.equal(await host.expect(OK), OK);
  host.write('AT+Q\b\b\bX\r'); // "AT+Q", three deleted, then "X": "AX" is no command line
  assert.equal(await host.expect(ERROR), ERROR);
});

test('echo sends each byte back as it is read, CR included, before the answer', async () => {
  const { host, state } = await rig();
  state.echo = true;
  host.write('AT\r');
  assert.equal(await host.expect(OK), 'AT\r' + OK);
  host.write('\r');
  assert.equal(await host.collect(30), '\r');
});

test('echo: the LF of a CRLF written with its line is echoed with it, before the answer, never after OK', async () => {
  const { host, state } = await rig();
  state.echo = true;
  for (let i = 0; i < 3; i++) {
    host.write('AT\r\n');
    assert.equal(await host.expect(OK), 'AT\r\n' + OK);
  }
  host.write('AT\r\nAT+X\r\n');
  assert.equal(await host.expect(OK), 'AT\r\n' + OK);
  assert.equal(await host.expect(OK), 'AT+X\r\n\r\n+X: 1\r\n' + OK);
  assert.equal(await host.collect(30), '');
});

test('an overlong line is answered ERROR without being dispatched, and the next line works', async () => {
  const { host, state } = await rig();
  const over = 'AT+LEN=' + 'x'.repeat(MAX_LINE_BYTES - 'AT+LEN='.length + 1);
  host.write(over + '\r');
  assert.equal(await host.expect(ERROR), ERROR);
  assert.deepEqual(state.calls, []);
  // The same in pieces with LFs inside; backspaces after the limit do not bring the line back.
  for (let i = 0; i < over.length; i += 1000) host.write(over.slice(i, i + 1000) + '\n');
  host.write('\b\b\b\r');
  assert.equal(await host.expect(ERROR), ERROR);
  assert.equal(await host.collect(30), '');
  host.write('AT\r');
  assert.equal(await host.expect(OK), OK);
  // Exactly MAX_LINE_BYTES fits.
  host.write(over.slice(0, MAX_LINE_BYTES) + '\r');
  assert.equal(await host.expect(OK), `\r\n+LEN: ${MAX_LINE_BYTES - 2}\r\n` + OK);
});

test('a URC raised during a slow command goes out after its final result, never inside it', async () => {
  const { engine, host, release } = await rig();
  host.write('AT+SLOW\r');
  await host.expect('\r\n+SLOW: start\r\n');
  engine.urc('+URC: 1');
  engine.urc('+URC: 2');
  host.write('AT+X\r'); // held until the slow command has answered
  assert.equal(await host.collect(30), '');
  release();
  assert.equal(
    await host.expect('\r\n+X: 1\r\n' + OK),
    `\r\n+SLOW: end\r\n${OK}\r\n+URC: 1\r\n\r\n+URC: 2\r\n\r\n+X: 1\r\n${OK}`,
  );
});

test('URCs are dropped while disabled; `always` ones still go out', async () => {
  const { engine, host, state } = await rig();
  state.urc = false;
  engine.urc('+URC: dropped');
  engine.urc('+URC: forced', { always: true });
  assert.equal(await host.collect(30), '\r\n+URC: forced\r\n');
  state.urc = true;
  engine.urc('+URC: back');
  assert.equal(await host.collect(30), '\r\n+URC: back\r\n');
});

test('AT+QURCCFG=0 drops the module\'s URCs, =1 lets them through again', async () => {
  const m = createModule({ bootMs: 5, echo: false });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  assert.equal((await host.command('AT+QURCCFG=0')).final, 'OK');
  m.module.urc('+QSTASTAT:WLAN_DISCONNECTED');
  assert.equal(await host.collect(30), '');
  assert.equal((await host.command('AT+QURCCFG=1')).final, 'OK');
  m.module.urc('+QSTASTAT:WLAN_CONNECTED');
  assert.equal(await host.collect(30), '\r\n+QSTASTAT:WLAN_CONNECTED\r\n');
  m.close();
});

test('chained commands run in order until one does not answer OK', async () => {
  const { host, state } = await rig();
  host.write('AT+X;+FAIL;+X\r');
  assert.equal(await host.expect(ERROR), '\r\n+X: 1\r\n' + ERROR);
  assert.deepEqual(state.calls, ['+X', '+FAIL']);
});

test('a handler that throws is answered ERROR and reported; the engine keeps working', async () => {
  const { host, state } = await rig();
  host.write('AT+THROW\r');
  assert.equal(await host.expect(ERROR), ERROR);
  assert.equal(state.errors.length, 1);
  host.write('AT\r');
  assert.equal(await host.expect(OK), OK);
});

test('a throwing afterResponse hook does not strand the input queued behind its line', async () => {
  const { host, state } = await rig();
  host.write('AT+AFTERTHROW\rAT+X\r');
  assert.equal(await host.expect(OK), OK);
  assert.equal(await host.expect(OK, 500), '\r\n+X: 1\r\n' + OK, 'AT+X, sent in the same chunk, must be answered');
  assert.equal(state.errors.length, 1);
});

test('reset forgets the running command, the line and the URCs; input is dropped until boot', async () => {
  const { engine, host, release } = await rig();
  host.write('AT+SLOW\r');
  await host.expect('\r\n+SLOW: start\r\n');
  engine.urc('+URC: lost');
  host.write('AT+X\rAT+');
  engine.reset();
  release();
  host.write('X\r');
  assert.equal(await host.collect(30), '');
  assert.equal(engine.isPowered, false);
  engine.boot();
  host.write('AT+X\r');
  assert.equal(await host.expect(OK), '\r\nready\r\n\r\n+X: 1\r\n' + OK);
});

// Data mode: the `> ` prompt, then exactly N raw bytes.

test('data mode takes exactly N raw bytes, unechoed; the rest of the chunk is the next line', async () => {
  const { host, state } = await rig();
  state.echo = true;
  host.write('AT+SEND=5\r');
  assert.equal(await host.expect(PROMPT_SEND.toString('latin1')), 'AT+SEND=5\r' + PROMPT_SEND.toString('latin1'));
  host.write(Buffer.from([0x0d, 0x0a, 0x00, 0xff, 0x2b, ...Buffer.from('AT+X\r')]));
  assert.equal(await host.expect('\r\nSEND OK\r\n'), '\r\n+GOT: 0d0a00ff2b\r\n\r\nSEND OK\r\n');
  assert.equal(await host.expect(OK), 'AT+X\r\r\n+X: 1\r\n' + OK);
});

test('data mode: bytes in the command\'s own chunk, or one per write, count too', async () => {
  const { host } = await rig();
  host.write('AT+SEND=3\rabcAT\r');
  assert.equal(await host.expect(OK), `${PROMPT_SEND.toString('latin1')}\r\n+GOT: 616263\r\n\r\nSEND OK\r\n${OK}`);
  host.write('AT+SEND=3\r');
  await host.expect(PROMPT_SEND.toString('latin1'));
  for (const b of 'xyz') {
    host.write(b);
    await sleep(5);
  }
  assert.equal(await host.expect('\r\nSEND OK\r\n'), '\r\n+GOT: 78797a\r\n\r\nSEND OK\r\n');
});

test('data mode: the idle timeout ends a short transfer incomplete; the timer restarts with each byte', async () => {
  const { host } = await rig();
  host.write('AT+SEND=5\r');
  await host.expect(PROMPT_SEND.toString('latin1'));
  host.write('ab');
  const started = performance.now();
  assert.equal(await host.expect('\r\nSEND FAIL\r\n', 1000), '\r\n+GOT: 6162\r\n\r\nSEND FAIL\r\n');
  assert.ok(performance.now() - started >= 90, 'not before the idle timeout');
  host.write('AT\r');
  assert.equal(await host.expect(OK), OK);

  host.write('AT+SEND=3\r');
  await host.expect(PROMPT_SEND.toString('latin1'));
  for (const b of 'uvw') {
    host.write(b);
    await sleep(60); // 3 × 60 ms is longer than the 100 ms timeout, but no gap is
  }
  assert.equal(await host.expect('\r\nSEND OK\r\n'), '\r\n+GOT: 757677\r\n\r\nSEND OK\r\n');
});

// Transparent mode (§2.3.10–2.3.11), with a 100 ms guard time to keep the tests fast.

async function transparent(opts: Partial<EngineOptions> = {}) {
  const r = await rig(opts);
  r.host.write('AT+OPEN\r');
  assert.equal(await r.host.expect('\r\nCONNECT\r\n'), '\r\nCONNECT\r\n');
  return r;
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

test('transparent mode passes every byte value through unchanged, both ways, unechoed', async () => {
  const { engine, host, state, session } = await transparent();
  state.echo = true;
  const sent = Buffer.concat([ALL_BYTES, Buffer.from('AT\r+++\r\n'), ALL_BYTES]);
  for (let i = 0; i < sent.length; i += 37) host.write(sent.subarray(i, i + 37));
  await sleep(20);
  assert.deepEqual(session.received, sent);
  assert.equal(engine.toHost(session, ALL_BYTES), true);
  assert.equal(await host.collect(GUARD_MS * 2), ALL_BYTES.toString('latin1'), 'nothing but the session\'s bytes');
});

test('+++ with guard silence before and after returns to command mode with OK', async () => {
  const { host, session } = await transparent();
  await sleep(GUARD_MS + 30);
  host.write('+++');
  assert.equal(await host.collect(GUARD_MS / 2), '', 'no OK before the silence after');
  assert.equal(await host.expect(OK, GUARD_MS * 3), OK);
  assert.equal(session.escapes, 1);
  assert.equal(session.received.length, 0, 'the escape is not data');
  host.write('AT+X\r');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
});

test('+++ followed at once by data, or preceded by data, is data', async () => {
  const { host, session } = await transparent();
  await sleep(GUARD_MS + 30);
  host.write('+++');
  host.write('x');
  host.write('a+++');
  assert.equal(await host.collect(GUARD_MS * 2.5), '');
  assert.equal(session.received.toString(), '+++xa+++');
  assert.equal(session.escapes, 0);
});

test('++ then silence releases the ++ as data and stays in transparent mode', async () => {
  const { host, session } = await transparent();
  await sleep(GUARD_MS + 30);
  host.write('++');
  await sleep(GUARD_MS * 2);
  assert.equal(session.received.toString(), '++');
  host.write('AT\r');
  assert.equal(await host.collect(GUARD_MS * 2), '', 'AT is data, not a command');
  assert.equal(session.received.toString(), '++AT\r');
});

test('URCs wait while transparent mode owns the line, then follow the OK', async () => {
  const { engine, host } = await transparent();
  engine.urc('+URC: held');
  await sleep(GUARD_MS + 30);
  assert.equal(host.unread, '');
  host.write('+++');
  assert.equal(await host.expect('\r\n+URC: held\r\n', GUARD_MS * 3), OK + '\r\n+URC: held\r\n');
});

test('ATO resumes the session with CONNECT; NO CARRIER when it has closed', async () => {
  const { host, session } = await transparent();
  await sleep(GUARD_MS + 30);
  host.write('+++');
  await host.expect(OK, GUARD_MS * 3);
  host.write('ATO\r');
  assert.equal(await host.expect('\r\nCONNECT\r\n'), '\r\nCONNECT\r\n');
  host.write('more');
  await sleep(20);
  assert.equal(session.received.toString(), 'more');
  await sleep(GUARD_MS + 30);
  host.write('+++');
  await host.expect(OK, GUARD_MS * 3);
  session.open = false;
  host.write('ATO\r');
  assert.equal(await host.expect('\r\nNO CARRIER\r\n'), '\r\nNO CARRIER\r\n');
});

test('endSession in transparent mode prints NO CARRIER; ATO then has nothing to resume', async () => {
  const { engine, host, session } = await transparent();
  host.write('data');
  engine.endSession(session);
  assert.equal(await host.expect('\r\nNO CARRIER\r\n'), '\r\nNO CARRIER\r\n');
  assert.equal(engine.toHost(session, Buffer.from('late')), false);
  host.write('AT\r');
  assert.equal(await host.expect(OK), OK);
  host.write('ATO\r');
  assert.equal(await host.expect('\r\nNO CARRIER\r\n'), '\r\nNO CARRIER\r\n');
  assert.equal(session.received.toString(), 'data');
});

test('the real 1000 ms guard: +++ after 1 s of silence answers OK 1 s later', async () => {
  const { host, session } = await transparent({ guardMs: undefined });
  await sleep(1050);
  host.write('+++');
  const sent = performance.now();
  assert.equal(await host.collect(900), '', 'nothing before the guard time has passed');
  assert.equal(await host.expect(OK, 1000), OK);
  assert.ok(performance.now() - sent >= 999, 'OK only after 1 s of silence');
  assert.equal(session.escapes, 1);
});
