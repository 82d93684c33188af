/**
 * BLE transparent mode (AT+QBLETRANMODE, FIDELITY.md): OK, then the line carries the link's data
 * both ways in packets of at most mtu − 3 bytes, with push-back instead of loss; `+++` goes back to
 * commands with the link up; the link ending gives NO CARRIER, then +QBLESTAT:DISCONNECTED.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { T } from '../helpers/wifi.ts';
import { type BleModule, clockedPair, connect, examplePeripheral, expectAt, expectRaw, until } from './rig.ts';

const KIB_64 = 64 * 1024;

/** Counts the times a module holds its host's input for a transparent connection (the UART's RTS). */
function countHolds(m: BleModule): { holds: number } {
  const counter = { holds: 0 };
  const original = m.module.holdInput.bind(m.module);
  m.module.holdInput = (hold, reason) => {
    if (hold && reason === 'transparent') counter.holds++;
    original(hold, reason);
  };
  return counter;
}


test('64 KiB each way at once between two modules, byte-exact, pushing back on both hosts', async () => {
  const { a, b, close } = await clockedPair();
  try {
    await examplePeripheral(a);
    await connect(a, b);
    await expectAt(a, 'AT+QBLETRANMODE=fff3'); // A notifies fff3
    await expectAt(b, 'AT+QBLETRANMODE=fff2'); // B writes fff2
    const holdsA = countHolds(a);
    const holdsB = countHolds(b);
    const toB = randomBytes(KIB_64);
    const toA = randomBytes(KIB_64);
    // B's host stops reading for a while: B's UART backs up, the link keeps A's data, A's host is held.
    b.stream.pause();
    a.host.write(toB);
    b.host.write(toA);
    await until(() => holdsA.holds > 0 && holdsB.holds > 0, 'both hosts held');
    await until(() => a.host.received.length >= KIB_64 / 2, 'half of B\'s data at A');
    assert.ok(b.host.received.length < KIB_64, 'B\'s host read nothing of it yet');
    b.stream.resume();
    // 64 KiB at BLE's pace takes seconds; a loaded machine (CLI tests beside it) may take several times as long.
    assert.ok((await a.host.expect(toA.toString('latin1'), 3 * T)).length === KIB_64, 'A got B\'s bytes, nothing else');
    assert.ok((await b.host.expect(toB.toString('latin1'), 3 * T)).length === KIB_64, 'B got A\'s bytes, nothing else');
    assert.equal(a.module.inputHeld, false);
    assert.equal(b.module.inputHeld, false);
  } finally {
    close();
  }
});

test('+++ goes back to commands with the link up; data then comes raw; ATO does not resume it', async () => {
  const { a, b, clock, close } = await clockedPair();
  try {
    await examplePeripheral(a);
    await connect(a, b);
    await expectAt(b, 'AT+QBLETRANMODE=fff2');
    b.host.write('over the air');
    await expectRaw(a.host, 'over the air');
    clock.advance(1000);
    b.host.write('+++');
    await tick();
    clock.advance(1000);
    assert.equal(await b.host.expect('\r\nOK\r\n', T), '\r\nOK\r\n');
    assert.deepEqual(await b.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:CONNECTED'], final: 'OK' });
    await expectAt(a, 'AT+QBLEGATTSNTFY=fff3,back in command mode');
    await expectRaw(b.host, 'back in command mode');
    assert.deepEqual(await b.at('ATO'), { lines: [], final: 'NO CARRIER' });
    // And in again.
    await expectAt(b, 'AT+QBLETRANMODE=fff2');
    b.host.write('again');
    await expectRaw(a.host, 'again');
  } finally {
    close();
  }
});

test('the link ending in transparent mode: NO CARRIER, then +QBLESTAT:DISCONNECTED, then commands', async () => {
  const { a, b, close } = await clockedPair();
  try {
    await examplePeripheral(a);
    await connect(a, b);
    await expectAt(a, 'AT+QBLETRANMODE=fff3');
    a.host.write('to the central');
    await expectRaw(b.host, 'to the central');
    await expectAt(b, 'AT+QBLEDISCONN');
    assert.equal(await a.host.expect('+QBLESTAT:DISCONNECTED\r\n', T), '\r\nNO CARRIER\r\n\r\n+QBLESTAT:DISCONNECTED\r\n');
    assert.equal(a.module.inputHeld, false);
    assert.deepEqual(await a.at('AT+QBLESTAT'), { lines: ['+QBLESTAT:ADVERTISING'], final: 'OK' });
  } finally {
    close();
  }
});

test('AT+QBLETRANMODE: ERROR unless connected and the UUID fits the side', async () => {
  const { a, b, close } = await clockedPair();
  try {
    await examplePeripheral(a);
    await expectAt(a, 'AT+QBLETRANMODE=fff3', 'ERROR'); // not connected
    await connect(a, b);
    await expectAt(b, 'AT+QBLETRANMODE=2a00', 'ERROR'); // the peer's, but not writable
    await expectAt(b, 'AT+QBLETRANMODE=fff9', 'ERROR'); // not the peer's
    await expectAt(b, 'AT+QBLETRANMODE=14', 'ERROR'); // a handle
    await expectAt(a, 'AT+QBLETRANMODE=ff01', 'ERROR'); // not one of ours
    await expectAt(a, 'AT+QBLETRANMODE=0000FFF3-0000-1000-8000-00805F9B34FB'); // ours, 128-bit spelling
    a.host.write('x');
    await expectRaw(b.host, 'x');
  } finally {
    close();
  }
});

test('AT+QBLEGATTSNTFY against a central that stopped reading: ERROR once the link holds 16 KiB, OK again after; nothing lost', async () => {
  const { a, b, close } = await clockedPair();
  try {
    await examplePeripheral(a);
    await connect(a, b);
    b.stream.pause();
    const sent: string[] = [];
    for (let i = 0; ; i++) {
      const chunk = String(i % 10).repeat(247);
      const { final } = await a.at(`AT+QBLEGATTSNTFY=fff3,${chunk}`);
      if (final === 'ERROR') break;
      sent.push(chunk);
      assert.ok(i < 200, 'the link never filled');
    }
    assert.ok(sent.length * 247 >= 16 * 1024, `${sent.length} notifications before ERROR`);
    b.stream.resume();
    const all = sent.join('');
    assert.ok((await b.host.expect(all, T)) === all, 'B got every notification answered OK, in order, and nothing else');
    // The link drained: OK again.
    let final = 'ERROR';
    for (let i = 0; i < 1000 && final === 'ERROR'; i++) {
      final = (await a.at('AT+QBLEGATTSNTFY=fff3,after')).final;
      if (final === 'ERROR') await tick();
    }
    assert.equal(final, 'OK');
    await expectRaw(b.host, 'after');
  } finally {
    close();
  }
});
