// Example 4.3.2 against a real echo server named through the world's hosts map: buffer mode
// (§2.3.2, 2.3.4, 2.3.5, 3.3.1, 3.3.2, 3.3.4), direct push, the UDP SERVICE forms, counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedModule, T, tcpEcho, udpEcho } from './helpers.ts';

test('buffer mode: +QIOPEN: 0,0, +QISEND: 10, "recv" URC, +QIRD:10 and the bytes, close', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({ 'echo.test': { address: '127.0.0.1', ports: { '7': echo.port } } });
  try {
    assert.deepEqual(await m.at('AT+QIOPEN=0,"TCP","echo.test",7,0,0'), { lines: [], final: 'OK' });
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    assert.deepEqual(await m.at('AT+QISEND=0,10,"1234567890"'), { lines: ['+QISEND: 10'], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "recv",0\r\n', T);
    m.host.send('AT+QIRD=0,10');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QIRD:10\r\n\r\n1234567890\r\n\r\nOK\r\n');
    assert.deepEqual(await m.at('AT+QIRD=0,0'), { lines: ['+QIRD:10,10,0'], final: 'OK' });
    assert.deepEqual(await m.at('AT+QIRD=0,10'), { lines: ['+QIRD:0'], final: 'OK' });
    const state = await m.at('AT+QISTATE=0');
    assert.match(state.lines[0], /^\+QISTATE: 0,"TCP","127\.0\.0\.1",\d+,\d+,2$/);
    assert.deepEqual(await m.at('AT+QICLOSE=0'), { lines: [], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "closed",0\r\n', T);
    assert.deepEqual(await m.at('AT+QISTATE'), { lines: [], final: 'OK' });
  } finally {
    m.close();
    await echo.close();
  }
});

test('direct push: +QIURC: "recv",0,10 with the data', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({ 'echo.test': '127.0.0.1' });
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","echo.test",${echo.port},0,1`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    assert.deepEqual(await m.at('AT+QISEND=0,10,"0123456789"'), { lines: ['+QISEND: 10'], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "recv",0,10\r\n0123456789\r\n', T);
  } finally {
    m.close();
    await echo.close();
  }
});

test('UDP SERVICE: send to a destination, read with the sender, in buffer and direct-push mode', async () => {
  const echo = await udpEcho();
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QIOPEN=1,"UDP SERVICE","127.0.0.1",0,2020,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 1,0\r\n', T);
    assert.deepEqual(await m.at(`AT+QISEND=1,10,"1234567890","127.0.0.1",${echo.port}`), { lines: ['+QISEND: 10'], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "recv",1\r\n', T);
    m.host.send('AT+QIRD=1,10');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), `\r\n+QIRD:10,"127.0.0.1",${echo.port}\r\n\r\n1234567890\r\n\r\nOK\r\n`);
    assert.equal((await m.at('AT+QISEND=1,10,"1234567890"')).final, 'ERROR', 'UDP SERVICE needs a destination');
    assert.deepEqual(await m.at('AT+QIGETERROR'), { lines: ['+QIGETERROR: 550,Invalid parameter'], final: 'OK' });
    assert.equal((await m.at('AT+QISWTMD=1,1')).final, 'OK');
    assert.equal((await m.at(`AT+QISEND=1,10,"0123456789","127.0.0.1",${echo.port}`)).final, 'OK');
    await m.host.expect(`\r\n+QIURC: "recv",1,10,"127.0.0.1",${echo.port}\r\n0123456789\r\n`, T);
    assert.equal((await m.at('AT+QICLOSE=1')).final, 'OK');
  } finally {
    m.close();
    await echo.close();
  }
});

test('hex datatype: QISEND and QIRD carry hex; counters of AT+QISEND=<id>,0', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QICFG="datatype",1')).final, 'OK');
    assert.deepEqual(await m.at('AT+QICFG="datatype"'), { lines: ['+QICFG: "datatype",1'], final: 'OK' });
    assert.equal((await m.at(`AT+QIOPEN=2,"TCP","127.0.0.1",${echo.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 2,0\r\n', T);
    assert.deepEqual(await m.at('AT+QISEND=2,4,"00FF0D0A"'), { lines: ['+QISEND: 4'], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "recv",2\r\n', T); // before the next commands: it must not land among their lines
    assert.equal((await m.at('AT+QISEND=2,4,"00FF0D"')).final, 'ERROR', 'length and data disagree');
    assert.equal((await m.at('AT+QISEND=2,1,"ZZ"')).final, 'ERROR', 'not hex');
    m.host.send('AT+QIRD=2,100');
    assert.equal(await m.host.expect('\r\nOK\r\n', T), '\r\n+QIRD:4\r\n\r\n00FF0D0A\r\n\r\nOK\r\n');
    const sent = await m.at('AT+QISEND=2,0');
    assert.match(sent.lines[0], /^\+QISEND: 4,\d+,\d+$/);
  } finally {
    m.close();
    await echo.close();
  }
});

test('without a Wi-Fi address an open fails with 556, and AT+QIGETERROR says so', async () => {
  const m = await connectedModule({}, { join: false });
  try {
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","127.0.0.1",7,0,0')).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,556\r\n', T);
    assert.deepEqual(await m.at('AT+QIGETERROR'), { lines: ['+QIGETERROR: 556,Operation not allowed'], final: 'OK' });
    assert.equal((await m.at('AT+QIOPEN=0,"TCP","127.0.0.1",7,0,2')).final, 'ERROR', 'transparent open answers ERROR');
  } finally {
    m.close();
  }
});

test('unknown ids and wrong states answer ERROR with the chapter-5 code', async () => {
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QISEND=5,3,"abc"')).final, 'ERROR');
    assert.deepEqual((await m.at('AT+QIGETERROR')).lines, ['+QIGETERROR: 554,Socket ID not exist']);
    assert.equal((await m.at('AT+QIRD=5,10')).final, 'ERROR');
    assert.equal((await m.at('AT+QICLOSE=5')).final, 'ERROR');
    assert.equal((await m.at('AT+QIOPEN=0,"TCP LISTENER","127.0.0.1",0,2021,2')).final, 'ERROR', 'a listener cannot be transparent');
    assert.deepEqual((await m.at('AT+QIGETERROR')).lines, ['+QIGETERROR: 557,Operation not supported']);
    assert.equal((await m.at('AT+QIOPEN=12,"TCP","127.0.0.1",7,0,0')).final, 'ERROR', 'ids are 0-11');
    assert.equal(await m.host.collect(50), '');
  } finally {
    m.close();
  }
});

test('the prompt form of AT+QISEND: "> ", exactly <len> raw bytes, SEND OK; what follows is the next command', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    assert.equal((await m.at(`AT+QIOPEN=0,"TCP","127.0.0.1",${echo.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 0,0\r\n', T);
    m.host.send('AT+QISEND=0,6');
    await m.host.expect('\r\n> ', T);
    m.host.write(Buffer.from([0x00, 0x0d, 0x0a, 0xff, 0x2b, 0x41])); // binary, CR/LF included
    m.host.write('AT\r');
    await m.host.expect('\r\nSEND OK\r\n', T);
    await m.host.expect('\r\nOK\r\n', T);
    await m.host.expect('\r\n+QIURC: "recv",0\r\n', T);
    m.host.send('AT+QIRD=0,10');
    const text = await m.host.expect('\r\nOK\r\n', T);
    assert.equal(Buffer.from(text, 'latin1').toString('hex'), Buffer.from('\r\n+QIRD:6\r\n\r\n\x00\r\n\xff+A\r\n\r\nOK\r\n', 'latin1').toString('hex'));
  } finally {
    m.close();
    await echo.close();
  }
});
