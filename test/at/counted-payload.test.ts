// Inline payloads are counted, not quote-delimited (FIDELITY.md "Data mode"): <len> bytes after
// the opening quote, whatever they hold, then the closing quote; else ERROR, and the next command works.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Fc41dModule } from '../../src/device/module.ts';
import { engineRig, ERROR, OK, recordingPeer, T, tcpModule, writeAs } from './rig.ts';
import { tcpip } from '../../src/tcpip/feature.ts';

const hex = (s: string | Buffer) => Buffer.from(typeof s === 'string' ? Buffer.from(s, 'latin1') : s).toString('hex');

test('engine: a counted payload may hold quotes, commas, `;`, CR, LF and backspaces, one write or bytewise', async () => {
  for (const bytewise of [false, true]) {
    const { host, state } = await engineRig();
    for (const payload of ['{"a":"b"}', 'a","b', 'x;+X;', 'a\r\nb\r', '\b\b', '', '"']) {
      await writeAs(host, `AT+PUB=${payload.length},"${payload}"\r\n`, bytewise);
      assert.equal(await host.expect(OK), `\r\n+PUB: ${hex(payload)}\r\n${OK}`, JSON.stringify(payload));
    }
    assert.deepEqual(state.calls.length, 7);
    await writeAs(host, 'AT+PUB=3,"a;b";+X\r', bytewise);
    assert.equal(await host.expect(OK), `\r\n+PUB: ${hex('a;b')}\r\n\r\n+X: 1\r\n${OK}`);
    assert.equal(await host.collect(30), '');
  }
});

test('engine: bytes are taken raw, not read as UTF-8', async () => {
  const { host, state } = await engineRig();
  const payload = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
  host.write(Buffer.concat([Buffer.from('AT+PUB=5,"'), payload, Buffer.from('"\r')]));
  await host.expect(OK);
  assert.deepEqual(state.payloads[0], payload);
});

test('engine: a payload shorter or longer than its count is ERROR; the next command works', async () => {
  const { host, state } = await engineRig();
  host.write('AT+PUB=3,"abcdef"\r');
  assert.equal(await host.expect(ERROR), ERROR);
  host.write('AT+X\r');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
  // Too long, the next command in the same write: the line ends at `"` CR, the rest is read again.
  host.write('AT+PUB=8,"abc"\r\nAT+X\r\n');
  assert.equal(await host.expect(OK), ERROR + '\r\n+X: 1\r\n' + OK);
  assert.equal(await host.collect(30), '');
  assert.deepEqual(state.payloads, []);
});

test('engine: a host that stops inside a counted payload gets ERROR after the idle time', async () => {
  const { host } = await engineRig({ payloadIdleMs: 100 });
  host.write('AT+PUB=9,"abc"\r');
  assert.equal(await host.collect(50), '');
  assert.equal(await host.expect(ERROR, 500), ERROR);
  host.write('AT+X\r');
  assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
});

test('engine: a quote that does not open a counted argument is an ordinary string', async () => {
  const { host, state } = await engineRig();
  host.write('AT+X="a,b"\r');
  assert.equal(await host.expect(/\r\n(OK|ERROR)\r\n/), '\r\n+X: 1\r\n' + OK);
  host.write('AT+PUB=x,"ab"\r'); // no valid count: not counted, and the handler sees no payload
  assert.equal(await host.expect(ERROR), ERROR);
  assert.deepEqual(state.payloads, []);
});

test('registry: AT+QISEND and AT+QSSLSEND declare counted data; hex doubles the count', () => {
  const module = new Fc41dModule({ bootMs: 5, echo: false, powerOnAttach: false });
  try {
    assert.equal(module.registry.countedLength('AT+QISEND=0,9,'), 9);
    assert.equal(module.registry.countedLength('AT+QSSLSEND=3, 12 ,'), 12);
    assert.equal(module.registry.countedLength('AT+QVERSION;+QISEND=0,9,'), 9);
    assert.equal(module.registry.countedLength('AT+QISEND=0,9'), null, 'not at an argument start');
    assert.equal(module.registry.countedLength('AT+QISEND=0,1461,'), null, 'count out of range');
    assert.equal(module.registry.countedLength('AT+QISEND=0,'), null, 'the length comes first');
    assert.equal(module.registry.countedLength('AT+QICFG='), null);
    assert.equal(module.registry.countedLength('AT+QSTAAPINFO='), null);
    module.service(tcpip).config.datatype = 1;
    assert.equal(module.registry.countedLength('AT+QISEND=0,9,'), 18);
  } finally {
    module.dispose();
  }
});

test('TCP transport: AT+QISEND inline JSON, `","`, CRLF, `;`, binary, bytewise; wrong lengths → ERROR', async () => {
  const peer = await recordingPeer();
  const m = await tcpModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    const payloads = ['{"a":"b"}', 'x","y', 'l1\r\nl2\r\n', 'a;+QICLOSE=0;', '\xff\x00\x80"\r'];
    let expected = '';
    for (const [i, payload] of payloads.entries()) {
      await writeAs(m.host, `AT+QISEND=0,${payload.length},"${payload}"\r\n`, i % 2 === 1);
      assert.equal(await m.host.expect(OK, T), `\r\n+QISEND: ${payload.length}\r\n${OK}`, JSON.stringify(payload));
      expected += payload;
    }
    assert.equal((await m.at('AT+QISEND=0,3,"abcdef"')).final, 'ERROR', 'shorter than the data');
    assert.equal((await m.at('AT')).final, 'OK');
    m.host.write('AT+QISEND=0,9,"abc"\r\nAT+QISTATE=0\r\n'); // longer: ERROR, and AT+QISTATE is still run
    assert.equal(await m.host.expect(ERROR, T), ERROR);
    assert.match(await m.host.expect(OK, T), /^\r\n\+QISTATE: 0,"TCP"/);
    // Hex: 2·len characters, checked as hex.
    assert.equal((await m.at('AT+QICFG="datatype",1')).final, 'OK');
    assert.equal((await m.at('AT+QISEND=0,3,"0D0A22"')).final, 'OK');
    expected += '\r\n"';
    assert.equal((await m.at('AT+QISEND=0,2,"0D0A22"')).final, 'ERROR');
    assert.equal((await m.at('AT+QISEND=0,1,"ZZ"')).final, 'ERROR');
    await sleep(50);
    assert.equal(peer.received.toString('latin1'), expected);
    assert.equal(await m.host.collect(30), '');
  } finally {
    await m.close();
    await peer.close();
  }
});
