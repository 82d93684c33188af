// The command line's terminator never leaks into data mode or transparent mode (FIDELITY.md
// "Data mode and the line terminator"): `\r`, `\r\n` and `\r\r` hosts, one write or one byte per
// write; and a CR/LF after a counted body is ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pki } from '../ssl/certs.ts';
import { tcpEcho } from '../tcpip/helpers.ts';
import { CONNECT, ENDINGS, engineRig, OK, PROMPT, recordingPeer, T, tcpModule, writeAs } from './rig.ts';

const variants = Object.entries(ENDINGS).flatMap(([name, end]) =>
  [false, true].map((bytewise) => ({ name: `${name}${bytewise ? ', one byte per write' : ', one write'}`, end, bytewise })),
);

for (const { name, end, bytewise } of variants) {
  test(`engine, ${name}: > then the payload, nothing more, and the next command works`, async () => {
    const { host, state } = await engineRig();
    await writeAs(host, `AT+X${end}`, bytewise); // the host has ended a line before
    assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
    await writeAs(host, `AT+SEND=5${end}`, bytewise);
    assert.equal(await host.expect(PROMPT), PROMPT);
    await writeAs(host, 'hello', bytewise);
    assert.equal(await host.expect('\r\nSEND OK\r\n'), `\r\n+GOT: ${Buffer.from('hello').toString('hex')}\r\n\r\nSEND OK\r\n`);
    await writeAs(host, `AT+X${end}`, bytewise);
    assert.equal(await host.expect(OK), '\r\n+X: 1\r\n' + OK);
    assert.equal(await host.collect(30), '');
    assert.deepEqual(state.payloads.map(String), ['hello']);
  });

  test(`engine, ${name}: CONNECT data mode and transparent mode (enter and ATO) get no terminator byte`, async () => {
    const { host, state, session } = await engineRig();
    await writeAs(host, `AT+X${end}`, bytewise);
    await host.expect(OK);
    await writeAs(host, `AT+UP=3${end}`, bytewise);
    await host.expect(CONNECT);
    await writeAs(host, 'abc', bytewise);
    await host.expect('\r\nSEND OK\r\n');
    await writeAs(host, `AT+OPEN${end}`, bytewise);
    assert.equal(await host.expect(CONNECT), CONNECT);
    await writeAs(host, 'xyz', bytewise);
    await sleep(150);
    host.write('+++');
    assert.equal(await host.expect(OK, 1000), OK);
    await writeAs(host, `ATO${end}`, bytewise);
    assert.equal(await host.expect(CONNECT), CONNECT);
    await writeAs(host, 'uvw', bytewise);
    await sleep(20);
    assert.deepEqual(state.payloads.map(String), ['abc']);
    assert.equal(session.received.toString('latin1'), 'xyzuvw');
    assert.equal(await host.collect(30), '', 'no stray byte after CONNECT');
  });
}

test('engine: the LF of a CRLF may come after the prompt, in a write of its own', async () => {
  const { host, state } = await engineRig();
  host.write('AT+SEND=3\r');
  await host.expect(PROMPT);
  host.write('\n');
  await sleep(10);
  host.write('abc');
  await host.expect('\r\nSEND OK\r\n');
  assert.deepEqual(state.payloads.map(String), ['abc']);
});

test('engine: a CR host keeps a CR that starts the data; a CRLF host keeps a CR too', async () => {
  const { host, state } = await engineRig();
  host.write('AT+X\r');
  await host.expect(OK);
  host.write('AT+SEND=2\r');
  await host.expect(PROMPT);
  host.write('\rz');
  await host.expect('\r\nSEND OK\r\n');
  host.write('AT+X\r\nAT+SEND=3\r\n\r\nz');
  await host.expect('\r\nSEND OK\r\n');
  assert.deepEqual(state.payloads.map((p) => p.toString('latin1')), ['\rz', '\r\nz']);
});

test('engine: a CR/LF after a counted body is ignored, in one write or bytewise', async () => {
  for (const bytewise of [false, true]) {
    const { host, state } = await engineRig();
    await writeAs(host, 'AT+SEND=5\r\n', bytewise);
    await host.expect(PROMPT);
    await writeAs(host, 'hello\r\n', bytewise);
    await writeAs(host, 'AT+X\r\n', bytewise);
    assert.equal(await host.expect(OK), '\r\n+GOT: 68656c6c6f\r\n\r\nSEND OK\r\n\r\n+X: 1\r\n' + OK);
    assert.equal(await host.collect(30), '', 'no ERROR, nothing joined');
    assert.deepEqual(state.calls, ['+SEND=5', '+X']);
  }
});

test('engine: bytes in the command\'s own write after CRLF are the data, the LF is not', async () => {
  const { host, state } = await engineRig();
  host.write('AT+SEND=3\r\nabcAT+X\r\n');
  assert.equal(await host.expect(OK), `${PROMPT}\r\n+GOT: 616263\r\n\r\nSEND OK\r\n\r\n+X: 1\r\n${OK}`);
  assert.deepEqual(state.payloads.map(String), ['abc']);
});

test('engine: a data-mode command at the end of a chain gets no terminator byte', async () => {
  const { host, state } = await engineRig();
  host.write('AT+X;+SEND=3\r\n');
  await host.expect(PROMPT);
  host.write('abc');
  assert.equal(await host.expect('\r\nSEND OK\r\n'), '\r\n+GOT: 616263\r\n\r\nSEND OK\r\n');
  assert.deepEqual(state.payloads.map(String), ['abc']);
});

// The same through the whole module, over the real TCP transport.

for (const { name, end, bytewise } of variants) {
  test(`TCP transport, ${name}: AT+QISEND prompt form sends exactly the payload; AT+QICLOSE works`, async () => {
    const peer = await recordingPeer();
    const m = await tcpModule();
    try {
      await writeAs(m.host, `AT+QIOPEN=0,"TCP","127.0.0.1",${peer.port},0,0${end}`, bytewise);
      await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
      await writeAs(m.host, `AT+QISEND=0,11${end}`, bytewise);
      await m.host.expect(PROMPT, T);
      await writeAs(m.host, 'Hello World', bytewise);
      assert.equal(await m.host.expect('\r\nSEND OK\r\n', T), '\r\nSEND OK\r\n');
      await writeAs(m.host, `AT+QICLOSE=0${end}`, bytewise);
      assert.equal(await m.host.expect('\r\n+QIURC: "closed",0\r\n', T), OK + '\r\n+QIURC: "closed",0\r\n');
      await sleep(30);
      assert.equal(peer.received.toString('latin1'), 'Hello World');
      assert.equal(await m.host.collect(30), '');
    } finally {
      await m.close();
      await peer.close();
    }
  });

  test(`TCP transport, ${name}: transparent mode (QIOPEN …,2, ATO, QISWTMD …,2) gets no terminator byte`, async () => {
    const echo = await tcpEcho();
    const m = await tcpModule();
    try {
      await writeAs(m.host, `AT${end}`, bytewise);
      await m.host.expect(OK, T);
      await writeAs(m.host, `AT+QIOPEN=1,"TCP","127.0.0.1",${echo.port},0,2${end}`, bytewise);
      assert.equal(await m.host.expect(CONNECT, T), CONNECT);
      m.host.write('abc');
      assert.equal(await m.host.expect('abc', T), 'abc', 'CONNECT\\r\\n then only the echoed data');
      await sleep(150);
      m.host.write('+++');
      await m.host.expect(OK, T);
      await writeAs(m.host, `ATO${end}`, bytewise);
      assert.equal(await m.host.expect(CONNECT, T), CONNECT);
      m.host.write('def');
      assert.equal(await m.host.expect('def', T), 'def');
      await sleep(150);
      m.host.write('+++');
      await m.host.expect(OK, T);
      await writeAs(m.host, `AT+QISWTMD=1,0${end}`, bytewise);
      await m.host.expect(OK, T);
      await writeAs(m.host, `AT+QISWTMD=1,2${end}`, bytewise);
      assert.equal(await m.host.expect(CONNECT, T), CONNECT);
      m.host.write('ghi');
      assert.equal(await m.host.expect('ghi', T), 'ghi');
      await sleep(30);
      assert.equal(await m.host.collect(30), '');
      assert.equal(echo.sockets.length, 1);
    } finally {
      await m.close();
      await echo.close();
    }
  });
}

test('TCP transport, CRLF bytewise: AT+QSSLCERT upload stores exactly the PEM; a CRLF after it is ignored', async () => {
  const m = await tcpModule();
  try {
    const pem = pki().ca.cert;
    await writeAs(m.host, `AT+QSSLCERT="CA",2,${pem.length}\r\n`, true);
    await m.host.expect(CONNECT, T);
    m.host.write(Buffer.concat([pem, Buffer.from('\r\n')]));
    assert.equal(await m.host.expect(OK, T), OK);
    await writeAs(m.host, 'AT+QSSLCERT="CA",1\r\n', false);
    const read = await m.host.expect(OK, T);
    assert.equal(read, `\r\n+QSSLCERT: "CA",${pem.length}\r\n\r\n${pem.toString('latin1')}\r\n${OK}`);
    assert.equal(await m.host.collect(30), '');
  } finally {
    await m.close();
  }
});
