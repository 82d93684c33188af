// Transparent mode (§2.3.2 access mode 2, §2.3.7, §2.3.10, §2.3.11, §3.3.7, example 4.3.1)
// against a real TCP echo server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { connectedModule, T, tcpEcho } from './helpers.ts';

test('CONNECT, echo, +++ after 1 s of silence → OK, ATO → CONNECT, +++, AT+QICLOSE', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule({ 'echo.test': '127.0.0.1' });
  try {
    m.host.send(`AT+QIOPEN=0,"TCP","echo.test",${echo.port},2020,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('hello transparent world');
    assert.equal(await m.host.expect('hello transparent world', T), 'hello transparent world');
    await new Promise((r) => setTimeout(r, 1100));
    m.host.write('+++');
    await m.host.expect('\r\nOK\r\n', 5000);
    assert.deepEqual(await m.at('AT+QISTATE=0'), { lines: [`+QISTATE: 0,"TCP","127.0.0.1",${echo.port},2020,2`], final: 'OK' });
    // Data the peer sends while the line is in command mode waits for ATO.
    echo.sockets[0].write('while away');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await m.host.collect(50), '', 'nothing reaches the host in command mode');
    m.host.send('ATO');
    assert.equal(await m.host.expect('while away', T), '\r\nCONNECT\r\nwhile away');
    m.host.write('again');
    await m.host.expect('again', T);
    await new Promise((r) => setTimeout(r, 1100));
    m.host.write('+++');
    await m.host.expect('\r\nOK\r\n', 5000);
    assert.deepEqual(await m.at('AT+QICLOSE=0'), { lines: [], final: 'OK' });
    await m.host.expect('\r\n+QIURC: "closed",0\r\n', T);
    assert.deepEqual(await m.at('ATO'), { lines: [], final: 'NO CARRIER' });
  } finally {
    m.close();
    await echo.close();
  }
});

test('the peer closing in transparent mode gives NO CARRIER, and the module is back in command mode', async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    m.host.send(`AT+QIOPEN=0,"TCP","127.0.0.1",${echo.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('x');
    await m.host.expect('x', T);
    echo.sockets[0].end('bye');
    assert.equal(await m.host.expect('\r\nNO CARRIER\r\n', T), 'bye\r\nNO CARRIER\r\n');
    assert.deepEqual(await m.at('AT'), { lines: [], final: 'OK' });
    assert.deepEqual(await m.at('ATO'), { lines: [], final: 'NO CARRIER' });
    assert.equal((await m.at('AT+QICLOSE=0')).final, 'OK');
  } finally {
    m.close();
    await echo.close();
  }
});

test('1 MiB of random bytes round-trips unchanged through transparent mode', { timeout: 60_000 }, async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    m.host.send(`AT+QIOPEN=3,"TCP","127.0.0.1",${echo.port},0,2`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    const data = randomBytes(1024 * 1024);
    const received: Buffer[] = [];
    let got = 0;
    const done = new Promise<void>((resolve) => {
      m.stream.on('data', (chunk: Buffer) => {
        received.push(chunk);
        got += chunk.length;
        if (got >= data.length) resolve();
      });
    });
    for (let i = 0; i < data.length; i += 4096) m.host.write(data.subarray(i, i + 4096));
    await done;
    assert.equal(Buffer.compare(Buffer.concat(received).subarray(0, data.length), data), 0);
    assert.equal(got, data.length);
  } finally {
    m.close();
    await echo.close();
  }
});

test('1 MiB of random bytes round-trips unchanged through hex AT+QISEND / AT+QIRD', { timeout: 60_000 }, async () => {
  const echo = await tcpEcho();
  const m = await connectedModule();
  try {
    assert.equal((await m.at('AT+QICFG="datatype",1')).final, 'OK');
    assert.equal((await m.at(`AT+QIOPEN=4,"TCP","127.0.0.1",${echo.port},0,0`)).final, 'OK');
    await m.host.expect('\r\n+QIOPEN: 4,0\r\n', T);
    const data = randomBytes(1024 * 1024);
    const back: Buffer[] = [];
    let got = 0;
    const readAll = async () => {
      for (;;) {
        m.host.send('AT+QIRD=4,1500');
        const text = await m.host.expect(/\r\n(OK|ERROR)\r\n/, T);
        const head = /\+QIRD:(\d+)\r\n/.exec(text);
        assert.ok(head, text);
        const n = Number(head[1]);
        if (n === 0) return;
        const hex = /\r\n\r\n([0-9A-F]+)\r\n\r\nOK\r\n$/.exec(text);
        assert.ok(hex && hex[1].length === 2 * n, `hex of ${n} bytes`);
        back.push(Buffer.from(hex[1], 'hex'));
        got += n;
      }
    };
    for (let i = 0; i < data.length; i += 1460) {
      const part = data.subarray(i, i + 1460);
      const r = await m.at(`AT+QISEND=4,${part.length},"${part.toString('hex')}"`);
      assert.deepEqual(r, { lines: [`+QISEND: ${part.length}`], final: 'OK' });
      if (i % (64 * 1460) === 0) await readAll();
    }
    const deadline = Date.now() + T;
    while (got < data.length && Date.now() < deadline) {
      await readAll();
      if (got < data.length) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(got, data.length);
    assert.equal(Buffer.compare(Buffer.concat(back), data), 0);
  } finally {
    m.close();
    await echo.close();
  }
});
