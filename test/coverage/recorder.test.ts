/**
 * CoverageRecorder over real modules: each form and outcome counted under the declared name, chained
 * lines split as the engine splits them, aliases under their declaration, unknown commands flagged,
 * result codes from real sockets, URCs by prefix and keyword.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { CoverageRecorder } from '../../src/coverage/index.ts';
import { coveredModule, T } from './rig.ts';
import { closedPort } from '../helpers/http-servers.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

test('each form is counted once per use, with the final result it got', async () => {
  const m = await coveredModule();
  try {
    assert.equal((await m.at('AT+QECHO=?')).final, 'OK');
    assert.equal((await m.at('AT+QISTATE?')).final, 'OK');
    assert.equal((await m.at('AT+QECHO=0')).final, 'OK');
    assert.equal((await m.at('AT+QECHO=7')).final, 'ERROR');
    assert.equal((await m.at('AT+QVERSION')).final, 'OK');
    assert.equal((await m.at('AT+QVERSION')).final, 'OK');
    assert.equal((await m.at('ATE0')).final, 'OK');
    const report = m.recorder.report();
    assert.deepEqual(report.commands['AT+QECHO'], { forms: { test: 1, write: 2 }, outcomes: { ERROR: 1, OK: 2 } });
    assert.deepEqual(report.commands['AT+QISTATE'], { forms: { read: 1 }, outcomes: { OK: 1 } });
    assert.deepEqual(report.commands['AT+QVERSION'], { forms: { exec: 2 }, outcomes: { OK: 2 } });
    assert.deepEqual(report.commands.ATE, { forms: { write: 1 }, outcomes: { OK: 1 } });
    assert.deepEqual(Object.keys(report.commands), ['AT+QECHO', 'AT+QISTATE', 'AT+QVERSION', 'ATE'], 'nothing else, keys sorted');
    assert.deepEqual(report.urcs, {});
  } finally {
    m.close();
  }
});

test('chained lines: AT;AT+QVERSION counts AT+QVERSION; a line stops at its first failure and the rest is not counted', async () => {
  const m = await coveredModule();
  try {
    assert.equal((await m.at('AT;AT+QVERSION')).final, 'OK');
    assert.equal((await m.at('AT+QVERSION;+QWLMAC')).final, 'OK');
    // Rejected by the registry (bad argument): AT+QVERSION after it never ran.
    assert.equal((await m.at('AT+QECHO=7;+QVERSION')).final, 'ERROR');
    // ERROR from the handler itself (not associated), after a command that printed its response.
    assert.equal((await m.at('AT+QVERSION;+QGETWIFISTATE')).final, 'ERROR');
    // The same, first on the line: AT+QWLMAC after it never ran.
    assert.equal((await m.at('AT+QGETWIFISTATE;+QWLMAC')).final, 'ERROR');
    const { commands } = m.recorder.report();
    assert.deepEqual(commands['AT+QVERSION'], { forms: { exec: 3 }, outcomes: { OK: 3 } });
    assert.deepEqual(commands['AT+QWLMAC'], { forms: { exec: 1 }, outcomes: { OK: 1 } });
    assert.deepEqual(commands['AT+QECHO'], { forms: { write: 1 }, outcomes: { ERROR: 1 } });
    assert.deepEqual(commands['AT+QGETWIFISTATE'], { forms: { exec: 2 }, outcomes: { ERROR: 2 } });
  } finally {
    m.close();
  }
});

test('an alias counts under its declaration; an unknown command under its own name, flagged, with its ERROR', async () => {
  const m = await coveredModule();
  try {
    assert.equal((await m.at('AT+QSTASTSTOP')).final, 'OK'); // FIDELITY.md alias of AT+QSTASTOP
    assert.equal((await m.at('AT+QSTASTOP')).final, 'OK');
    assert.equal((await m.at('AT+FOO')).final, 'ERROR');
    assert.equal((await m.at('AT+QVERSION;+FOO=1')).final, 'ERROR');
    const { commands } = m.recorder.report();
    assert.deepEqual(commands['AT+QSTASTOP'], { forms: { exec: 2 }, outcomes: { OK: 2 } });
    assert.equal(commands['AT+QSTASTSTOP'], undefined);
    assert.deepEqual(commands['AT+FOO'], { forms: { write: 1, exec: 1 }, outcomes: { ERROR: 2 }, unknown: true });
    assert.deepEqual(commands['AT+QVERSION'], { forms: { exec: 1 }, outcomes: { OK: 1 } });
  } finally {
    m.close();
  }
});

test('joining Office in the default world: +QSTASTAT URCs by keyword; AT+QIOPEN to a refused port gets outcome 551; SEND OK and +QIURC: "recv" from a real peer', async () => {
  const m = await coveredModule();
  const echo = createServer((socket) => socket.on('data', (data) => socket.write(data)).on('error', () => {}));
  try {
    assert.equal((await m.at('AT+QSTAAPINFO=Office,correct-horse')).final, 'OK');
    await m.host.expect('+QSTASTAT:GOT_IP\r\n', T);
    const refused = await closedPort();
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${refused},0,0`)).final, 'OK');
    await m.host.expect('+QIOPEN: 0,551\r\n', T);
    const port = await listen(echo);
    assert.equal((await m.at(`AT+QIOPEN=1,"TCP","127.0.0.1",${port},0,0`)).final, 'OK');
    await m.host.expect('+QIOPEN: 1,0\r\n', T);
    m.host.send('AT+QISEND=1,5');
    await m.host.expect('> ', T);
    m.host.write('hello');
    await m.host.expect('SEND OK\r\n', T);
    await m.host.expect('+QIURC: "recv",1\r\n', T);

    const report = m.recorder.report();
    assert.deepEqual(report.commands['AT+QIOPEN'], { forms: { write: 2 }, outcomes: { '0': 1, '551': 1, OK: 2 } });
    assert.deepEqual(report.commands['AT+QISEND'], { forms: { write: 1 }, outcomes: { 'SEND OK': 1 } });
    assert.deepEqual(report.commands['AT+QSTAAPINFO'], { forms: { write: 1 }, outcomes: { OK: 1 } });
    assert.deepEqual(report.urcs, { '+QIOPEN': 2, '+QIURC: "recv"': 1, '+QSTASTAT:GOT_IP': 1, '+QSTASTAT:WLAN_CONNECTED': 1 });
  } finally {
    m.close();
    await new Promise((resolve) => echo.close(resolve));
  }
});

test('one recorder over two modules adds them up; after detach a module is no longer counted; a reset mid-line is no crash', async () => {
  const recorder = new CoverageRecorder();
  const a = await coveredModule({ label: 'module 0' }, recorder);
  const b = await coveredModule({ label: 'module 1' }, recorder);
  try {
    await a.at('AT+QVERSION');
    await b.at('AT+QVERSION');
    assert.equal((await a.at('AT+QRST')).final, 'OK');
    await a.host.expect('\r\nready\r\n', T);
    b.detach();
    await b.at('AT+QVERSION');
    await b.at('AT+QWLMAC');
    // Power cut while AT+QWSCAN scans: the line never gets a final result.
    a.host.send('AT+QWSCAN');
    assert.equal(await a.host.collect(30), '', 'still scanning');
    a.module.powerOff();
    a.module.powerOn();
    await a.host.expect('\r\nready\r\n', T);
    assert.equal((await a.at('AT+QVERSION')).final, 'OK');
    const { commands } = recorder.report();
    assert.deepEqual(commands['AT+QVERSION'], { forms: { exec: 3 }, outcomes: { OK: 3 } });
    assert.deepEqual(commands['AT+QRST'], { forms: { exec: 1 }, outcomes: { OK: 1 } });
    assert.equal(commands['AT+QWLMAC'], undefined, 'module 1 was detached');
    assert.deepEqual(commands['AT+QWSCAN'], { forms: { exec: 1 }, outcomes: {} }, 'sent, cut short: no outcome');
  } finally {
    a.close();
    b.close();
  }
});
