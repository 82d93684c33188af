/**
 * The MQTT and HTTP commands as real drivers send them: lines ending in `\r\n` or `\r`, written
 * at once or one byte per write, and a stray CRLF after counted data (the prompt form of
 * AT+QMTPUB, an inline AT+QMTPUB payload, an AT+QHTTPPOST body).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBroker } from './mqtt/at-rig.ts';
import { testServer } from './http/at-rig.ts';
import { connectedModule } from './tcpip/helpers.ts';
import { writeAs } from './helpers/wires.ts';

const T = 10_000;

for (const ending of ['\r\n', '\r']) {
  for (const bytewise of [false, true]) {
    const style = `${JSON.stringify(ending)}${bytewise ? ', one byte per write' : ''}`;

    test(`MQTT over a driver's line discipline (${style})`, async () => {
      const broker = await startBroker();
      const m = await connectedModule({ 'broker.test': { address: '127.0.0.1', ports: { '1883': broker.port } } });
      const send = (text: string | Buffer) => writeAs(m.host, text, bytewise);
      try {
        await send(`AT+QMTOPEN=0,"broker.test",1883${ending}`);
        assert.equal(await m.host.expect('+QMTOPEN: 0,0\r\n', T), '\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n');
        await send(`AT+QMTCONN=0,"drv"${ending}`);
        await m.host.expect('+QMTCONN: 0,0,0\r\n', T);
        await send(`AT+QMTSUB=0,1,"d",1${ending}`);
        await m.host.expect('+QMTSUB: 0,1,0,1\r\n', T);
        // Inline payload with CR/LF and quotes inside, then a stray CRLF.
        await send(`AT+QMTPUB=0,2,1,0,"d",7,"a\r\n"b,c"${ending}\r\n`);
        await m.host.expect(/\+QMTRECV: 0,\d+,"d",7,"a\r\n"b,c"\r\n/, T);
        // The prompt form, a stray CRLF after the counted bytes.
        await send(`AT+QMTPUB=0,3,1,0,"d",4${ending}`);
        await m.host.expect('\r\n> ', T);
        await send('x\r\ny\r\n');
        await m.host.expect(/\+QMTRECV: 0,\d+,"d",4,"x\r\ny"\r\n/, T);
        await send(`AT${ending}`);
        assert.match(await m.host.expect(/\r\n(OK|ERROR)\r\n/, T), /\r\nOK\r\n$/, 'the stray CRLF was no command');
      } finally {
        m.close();
        await broker.close();
      }
    });

    test(`HTTP over a driver's line discipline (${style})`, async () => {
      const server = await testServer((req, res) => res.end(`got ${req.body.length}`));
      const m = await connectedModule({ 'web.test': { address: '127.0.0.1', ports: { '80': server.port } } });
      const send = (text: string | Buffer) => writeAs(m.host, text, bytewise);
      try {
        await send(`AT+QHTTPCFG="url","http://web.test/p"${ending}`);
        await m.host.expect('\r\nOK\r\n', T);
        await send(`AT+QHTTPPOST=6,10,60${ending}`);
        await m.host.expect('\r\nCONNECT\r\n', T);
        await send('ab\r\ncd\r\n'); // 6 bytes of body, then the driver's CRLF
        assert.equal(await m.host.expect('+QHTTPPOST: 0,200,5\r\n', T), '\r\nOK\r\n\r\n+QHTTPPOST: 0,200,5\r\n');
        assert.equal(server.requests[0].body.toString(), 'ab\r\ncd');
        await send(`AT+QHTTPREAD${ending}`);
        assert.equal(await m.host.expect('+QHTTPREAD: 0\r\n', T), '\r\nCONNECT\r\ngot 6\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n');
      } finally {
        m.close();
        await server.close();
      }
    });
  }
}
