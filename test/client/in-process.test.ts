// The AT client over the in-process wire and wires the test controls: answers, ERROR, echo,
// URCs among answers, timeouts, aborts, close, a module that sends one byte at a time.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { AtAbortError, AtClosedError, AtCommandError, AtTimeoutError, type Urc } from '../../src/client/index.ts';
import { cleanUp, client, controlledWire, joinOffice, module } from './helpers.ts';

afterEach(cleanUp);

const VERSION = /^\+QVERSION:FC41D\w+\.bin_\d+$/;

test('AT+QVERSION: its information line and OK; the echo (factory default) is left out', async () => {
  const m = module();
  let echoed = 0;
  m.on('output', (_bytes, info) => info.kind === 'echo' && echoed++);
  const c = await client({ module: m });
  const r = await c.command('AT+QVERSION');
  assert.equal(r.final, 'OK');
  assert.equal(r.ok, true);
  assert.equal(r.lines.length, 1);
  assert.match(r.lines[0], VERSION);
  assert.ok(echoed > 0, 'the module echoed');
  assert.deepEqual(await c.expectOk('AT+QVERSION'), r.lines);
});

test('ERROR is a result of command(), an AtCommandError of expectOk()', async () => {
  const c = await client({ module: module() });
  assert.deepEqual(await c.command('AT+QNOSUCH'), { lines: [], final: 'ERROR', ok: false });
  await assert.rejects(c.expectOk('AT+QNOSUCH'), (e: unknown) => e instanceof AtCommandError && e.result.final === 'ERROR');
  // The queue goes on.
  assert.equal((await c.command('AT')).final, 'OK');
});

test('echo off (ATE0) and on again (AT+QECHO=1), and a module that boots with echo off', async () => {
  const m = module();
  const c = await client({ module: m });
  assert.deepEqual(await c.command('ATE0'), { lines: [], final: 'OK', ok: true });
  assert.match((await c.expectOk('AT+QVERSION'))[0], VERSION);
  assert.deepEqual(await c.command('AT+QECHO=1'), { lines: [], final: 'OK', ok: true });
  assert.match((await c.expectOk('AT+QVERSION'))[0], VERSION);
  const quiet = await client({ module: module({ echo: false }) });
  assert.match((await quiet.expectOk('AT+QVERSION'))[0], VERSION);
  assert.deepEqual(await quiet.command('AT+QNOSUCH'), { lines: [], final: 'ERROR', ok: false });
});

test('a URC that arrives while a command waits for its answer is an event, not an answer line', async () => {
  const m = module();
  const wire = controlledWire(m);
  const c = await client(wire);
  const urcs: Urc[] = [];
  c.on('urc', (u) => urcs.push(u));
  await c.expectOk('AT+QSTAAPINFO=Office,correct-horse');
  // Hold the module's output back: its +QSTASTAT URCs and the answer to AT+QVERSION then reach
  // the client together, the URCs first, while AT+QVERSION is waiting.
  wire.hold();
  const got = new Promise<void>((resolve) => m.on('output', (_b, info) => info.line === '+QSTASTAT:GOT_IP' && resolve()));
  await got;
  const answer = c.command('AT+QVERSION');
  await new Promise<void>((resolve) => m.on('output', (_b, info) => info.kind === 'final' && resolve()));
  assert.equal(urcs.length, 0);
  wire.release();
  const r = await answer;
  assert.equal(r.lines.length, 1);
  assert.match(r.lines[0], VERSION);
  assert.deepEqual(
    urcs.map((u) => [u.name, u.params]),
    [
      ['+QSTASTAT', ['WLAN_CONNECTED']],
      ['+QSTASTAT', ['GOT_IP']],
    ],
  );
  assert.equal((await c.waitUrc('+QSTASTAT:GOT_IP')).line, '+QSTASTAT:GOT_IP', 'waitUrc also finds it just after');
});

test('join Office: waitUrc finds +QSTASTAT:GOT_IP even when it came with the OK', async () => {
  const c = await client({ module: module() });
  await joinOffice(c);
  const ip = await c.expectOk('AT+QGETIP=station');
  assert.match(ip[0], /^\+QGETIP:ip:\d+\.\d+\.\d+\.\d+,gateway:/);
});

test('timeout: AtTimeoutError; the late answer is not taken for the next command (echo on)', async () => {
  const m = module();
  const wire = controlledWire(m);
  const c = await client(wire);
  await c.expectOk('AT');
  wire.hold();
  await assert.rejects(c.command('AT+QVERSION', { timeoutMs: 100 }), (e: unknown) => e instanceof AtTimeoutError && e.timeoutMs === 100);
  const next = c.command('AT+QWLMAC');
  await new Promise((resolve) => setTimeout(resolve, 50));
  wire.release(); // AT+QVERSION's echo, line and OK come first, then AT+QWLMAC's
  const r = await next;
  assert.equal(r.final, 'OK');
  assert.equal(r.lines.length, 1);
  assert.match(r.lines[0], /^\+QWLMAC:/);
});

test('waitUrc: timeout, abort, and match', async () => {
  const c = await client({ module: module() });
  await assert.rejects(c.waitUrc('+QMTSTAT', { timeoutMs: 50 }), AtTimeoutError);
  const ac = new AbortController();
  const waiting = c.waitUrc('+QMTSTAT', { signal: ac.signal });
  ac.abort(new Error('not needed'));
  await assert.rejects(waiting, (e: unknown) => e instanceof AtAbortError && e.name === 'AbortError');
  const got = c.waitUrc('+QSTASTAT', { match: (u) => u.params[0] === 'GOT_IP' });
  await c.expectOk('AT+QSTAAPINFO=Office,correct-horse');
  assert.deepEqual((await got).params, ['GOT_IP']);
});

test('abort: a command on the wire and a queued one (never sent) reject with AbortError', async () => {
  const m = module();
  const wire = controlledWire(m);
  const c = await client(wire);
  const lines: string[] = [];
  m.on('line', (text) => lines.push(text));
  wire.hold();
  const ac = new AbortController();
  const first = c.command('AT+QVERSION', { signal: ac.signal });
  const queued = c.command('AT+QWLMAC', { signal: ac.signal });
  await new Promise((resolve) => setTimeout(resolve, 30));
  ac.abort();
  await assert.rejects(first, { name: 'AbortError' });
  await assert.rejects(queued, { name: 'AbortError' });
  await assert.rejects(c.command('AT', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  wire.release();
  assert.equal((await c.command('AT+QWLMAC')).final, 'OK');
  assert.deepEqual(lines, ['AT+QVERSION', 'AT+QWLMAC']);
});

test('close() rejects the command on the wire, the queued ones and waitUrc with AtClosedError', async () => {
  const m = module();
  const wire = controlledWire(m);
  const c = await client(wire);
  wire.hold();
  const closed = new Promise<void>((resolve) => c.once('close', resolve));
  const all = [c.command('AT+QVERSION'), c.command('AT'), c.waitUrc('+QSTASTAT')];
  await c.close();
  await closed;
  for (const p of all) await assert.rejects(p, AtClosedError);
  await assert.rejects(c.command('AT'), AtClosedError);
});

test('a module whose output comes one byte at a time: lines, finals, URCs and prompts intact', async () => {
  const m = module();
  const c = await client(controlledWire(m, { dribble: true }));
  const r = await c.command('AT+QVERSION');
  assert.match(r.lines[0], VERSION);
  assert.equal(r.lines.length, 1);
  assert.equal((await c.command('AT+QNOSUCH')).final, 'ERROR');
  await joinOffice(c);
  assert.match((await c.expectOk('AT+QGETIP=station'))[0], /^\+QGETIP:ip:/);
  // A prompt without CRLF: AT+QISEND on a socket that is not open answers ERROR before any prompt.
  assert.equal((await c.sendData('AT+QISEND=0,5', 'hello')).final, 'ERROR');
});
