/**
 * HTTP(S) over AT (§2.6, §3.6, example 4.6) against real local servers, with the formats of
 * FIDELITY.md ("HTTP as real modules do it").
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { clockedModule } from '../tcpip/helpers.ts';
import { pki } from '../ssl/certs.ts';
import { httpModule, T, testServer } from './at-rig.ts';

const OK = { lines: [], final: 'OK' };
const ERROR = { lines: [], final: 'ERROR' };

test('GET and READ: +QHTTPGET: 0,200,11, then CONNECT, the body, OK, +QHTTPREAD: 0', async () => {
  const server = await testServer((_req, res) => res.end('hello world'));
  const m = await httpModule(server);
  try {
    assert.deepEqual(await m.at('AT+QHTTPCFG="url","http://web.test/hello"'), OK);
    m.host.send('AT+QHTTPGET=60');
    assert.equal(await m.host.expect('+QHTTPGET: 0,200,11\r\n', T), '\r\nOK\r\n\r\n+QHTTPGET: 0,200,11\r\n');
    m.host.send('AT+QHTTPREAD=60');
    assert.equal(await m.host.expect('+QHTTPREAD: 0\r\n', T), '\r\nCONNECT\r\nhello world\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n');
    assert.equal(server.requests[0].method, 'GET');
    assert.equal(server.requests[0].url, '/hello');
    assert.deepEqual(await m.at('AT+QHTTPREAD'), ERROR, 'nothing left to read');
  } finally {
    m.close();
    await server.close();
  }
});

test('the Zephyr-style POST: a header sent verbatim, a 20-byte JSON body exactly, a stray CRLF ignored', async () => {
  const server = await testServer((req, res) => res.end(`got ${req.body.length}`));
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","http://web.test/api/v1/readings"');
    assert.deepEqual(await m.at('AT+QHTTPCFG="header","content_type","application/json"'), OK);
    const body = '{"t":21.5,"h":40}\r\n!';
    assert.equal(body.length, 20);
    m.host.send(`AT+QHTTPPOST=${body.length},60,60`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write(`${body}\r\n`); // the driver's CRLF after the body
    assert.equal(await m.host.expect('+QHTTPPOST: 0,200,6\r\n', T), '\r\nOK\r\n\r\n+QHTTPPOST: 0,200,6\r\n');
    const got = server.requests[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.body.toString('latin1'), body);
    assert.ok(got.rawHeaders.some(([n, v]) => n === 'content_type' && v === 'application/json'), JSON.stringify(got.rawHeaders));
    assert.deepEqual(await m.at('AT'), OK, 'the CRLF after the body was not a command');
    assert.deepEqual(await m.at('AT+QHTTPCFG="header"'), { lines: ['+QHTTPCFG: "header",content_type,application/json'], final: 'OK' });
  } finally {
    m.close();
    await server.close();
  }
});

test('output mode 1: +QHTTPURC: "recv" chunks of at most 1024 bytes after the result, then +QHTTPREAD: 0', async () => {
  const body = randomBytes(5000);
  const server = await testServer((_req, res) => res.end(body));
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","http://web.test/five"');
    assert.deepEqual(await m.at('AT+QHTTPCFG="response/output",1'), OK);
    m.host.send('AT+QHTTPGET');
    const text = Buffer.from(await m.host.expect('+QHTTPREAD: 0\r\n', T), 'latin1');
    const head = '\r\nOK\r\n\r\n+QHTTPGET: 0,200,5000\r\n';
    assert.equal(text.subarray(0, head.length).toString('latin1'), head);
    let at = head.length;
    const parts: Buffer[] = [];
    for (;;) {
      const m2 = /^\r\n\+QHTTPURC: "recv",(\d+)\r\n/.exec(text.subarray(at, at + 40).toString('latin1'));
      if (!m2) break;
      const len = Number(m2[1]);
      assert.ok(len >= 1 && len <= 1024, `chunk of ${len}`);
      at += m2[0].length;
      parts.push(text.subarray(at, at + len));
      at += len;
    }
    assert.ok(Buffer.concat(parts).equals(body), 'the chunks make the body');
    assert.equal(text.subarray(at).toString('latin1'), '\r\n+QHTTPREAD: 0\r\n');
  } finally {
    m.close();
    await server.close();
  }
});

test('PUT answered 201, a form-data POST arriving as a file part, 404 and a Range request with 206 passed through', async () => {
  const server = await testServer((req, res) => {
    // statusCode rather than writeHead, so node still sets Content-Length from the body.
    if (req.url === '/missing') return void ((res.statusCode = 404), res.end('no'));
    if (req.method === 'PUT') return void ((res.statusCode = 201), res.end('created'));
    if (req.headers.range === 'bytes=0-511') {
      res.statusCode = 206;
      res.setHeader('Content-Range', 'bytes 0-511/1048576');
      return void res.end(Buffer.alloc(512, 0x41));
    }
    res.end('ok');
  });
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","http://web.test/uploads/test.txt"');
    m.host.send('AT+QHTTPPUT=5,60,60');
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('12345');
    await m.host.expect('+QHTTPPUT: 0,201,7\r\n', T);
    assert.deepEqual([server.requests[0].method, server.requests[0].body.toString()], ['PUT', '12345']);

    await m.at('AT+QHTTPCFG="url","http://web.test/study_log/"');
    m.host.send('AT+QHTTPPOST=11,120,120,"file","test.txt","text/plain"');
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('line1\nline2');
    await m.host.expect('+QHTTPPOST: 0,200,2\r\n', T);
    const form = server.requests[1];
    const type = form.rawHeaders.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    const boundary = /boundary=(.+)$/.exec(type)?.[1];
    assert.ok(boundary, type);
    const text = form.body.toString('latin1');
    assert.match(text, /Content-Disposition: form-data; name="file"; filename="test.txt"\r\n/i);
    assert.match(text, /Content-Type: text\/plain\r\n\r\nline1\nline2\r\n/i);
    assert.ok(text.endsWith(`--${boundary}--\r\n`), text);

    await m.at('AT+QHTTPCFG="url","http://web.test/missing"');
    m.host.send('AT+QHTTPGET=60');
    await m.host.expect('+QHTTPGET: 0,404,2\r\n', T);

    await m.at('AT+QHTTPCFG="url","http://web.test/1M.txt"');
    await m.at('AT+QHTTPCFG="header","Range","bytes=0-511"');
    m.host.send('AT+QHTTPGET=60');
    await m.host.expect('+QHTTPGET: 0,206,512\r\n', T);
    m.host.send('AT+QHTTPREAD=60');
    const read = await m.host.expect('+QHTTPREAD: 0\r\n', T);
    assert.equal(read, `\r\nCONNECT\r\n${'A'.repeat(512)}\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n`);
  } finally {
    m.close();
    await server.close();
  }
});

test('1 MiB read back byte for byte; response/header 1 puts the status line and headers first', async () => {
  const big = randomBytes(1024 * 1024);
  const server = await testServer((req, res) => {
    if (req.url !== '/big') res.setHeader('X-Test', 'yes');
    res.end(req.url === '/big' ? big : 'tiny');
  });
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","http://web.test/big"');
    m.host.send('AT+QHTTPGET');
    await m.host.expect('+QHTTPGET: 0,200,1048576\r\n', T);
    m.host.send('AT+QHTTPREAD');
    const text = Buffer.from(await m.host.expect('+QHTTPREAD: 0\r\n', 30_000), 'latin1');
    const start = Buffer.from('\r\nCONNECT\r\n').length;
    assert.ok(text.subarray(start, start + big.length).equals(big), 'the body unchanged');
    assert.equal(text.subarray(start + big.length).toString('latin1'), '\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n');

    await m.at('AT+QHTTPCFG="url","http://web.test/small"');
    await m.at('AT+QHTTPCFG="response/header",1');
    m.host.send('AT+QHTTPGET');
    await m.host.expect('+QHTTPGET: 0,200,4\r\n', T);
    m.host.send('AT+QHTTPREAD');
    const withHead = await m.host.expect('+QHTTPREAD: 0\r\n', T);
    assert.match(withHead, /^\r\nCONNECT\r\nHTTP\/1\.1 200 OK\r\n(.+\r\n)*X-Test: yes\r\n(.+\r\n)*\r\ntiny\r\nOK\r\n\r\n\+QHTTPREAD: 0\r\n$/);
  } finally {
    m.close();
    await server.close();
  }
});

test('HTTPS through an uploaded CA (verify 1); without it, result 8; the settings survive AT+QRST', async () => {
  const certs = pki();
  const server = await testServer((_req, res) => res.end('secure'), certs.server);
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","https://secure.test/x"');
    await m.at('AT+QHTTPCFG="sslctxid",1');
    await m.at('AT+QSSLCFG="verify",1,1');
    m.host.send('AT+QHTTPGET');
    await m.host.expect('+QHTTPGET: 8\r\n', T);
    m.host.send(`AT+QSSLCERT="CA",2,${certs.ca.cert.length}`);
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write(certs.ca.cert);
    await m.host.expect('\r\nOK\r\n', T);
    m.host.send('AT+QHTTPGET');
    await m.host.expect('+QHTTPGET: 0,200,6\r\n', T);
    // Saved automatically (§2.6.1): the URL and context are still set after a restart.
    m.host.send('AT+QRST');
    await m.host.expect('\r\nready\r\n', T);
    assert.deepEqual(await m.at('AT+QHTTPCFG="url"'), { lines: ['+QHTTPCFG: "url",https://secure.test/x'], final: 'OK' });
    assert.deepEqual(await m.at('AT+QHTTPCFG="sslctxid"'), { lines: ['+QHTTPCFG: "sslctxid",1'], final: 'OK' });
  } finally {
    m.close();
    await server.close();
  }
});

test('failures: no network 7, refused 4, body not complete 10; a request while one runs is ERROR', async () => {
  const server = await testServer((_req, res) => setTimeout(() => res.end('late'), 300));
  const offline = await httpModule(server, { join: false });
  try {
    await offline.at('AT+QHTTPCFG="url","http://web.test/"');
    offline.host.send('AT+QHTTPGET');
    assert.equal(await offline.host.expect('+QHTTPGET: 7\r\n', T), '\r\nOK\r\n\r\n+QHTTPGET: 7\r\n');
  } finally {
    offline.close();
  }
  const m = await httpModule(server);
  try {
    await m.at('AT+QHTTPCFG="url","http://127.0.0.1:1/"');
    m.host.send('AT+QHTTPGET');
    await m.host.expect('+QHTTPGET: 4\r\n', T);
    await m.at('AT+QHTTPCFG="url","http://web.test/slow"');
    m.host.send('AT+QHTTPPOST=10,1,60');
    await m.host.expect('\r\nCONNECT\r\n', T);
    m.host.write('12345');
    assert.equal(await m.host.expect('+QHTTPPOST: 10\r\n', T), '\r\nOK\r\n\r\n+QHTTPPOST: 10\r\n');
    assert.equal(server.requests.length, 0, 'nothing half-sent');
    m.host.send('AT+QHTTPGET');
    await m.host.expect('\r\nOK\r\n', T);
    assert.deepEqual(await m.at('AT+QHTTPGET'), ERROR, 'one runs already');
    await m.host.expect('+QHTTPGET: 0,200,4\r\n', T);
  } finally {
    m.close();
    await server.close();
  }
});

test('bad input is ERROR and the next command works', async () => {
  const server = await testServer((_req, res) => res.end('x'));
  const m = await httpModule(server);
  try {
    assert.deepEqual(await m.at('AT+QHTTPGET'), ERROR, 'no URL yet');
    for (const line of [
      'AT+QHTTPCFG="url","web.test/no-scheme"',
      'AT+QHTTPCFG="url","http://"',
      'AT+QHTTPCFG="url","http://web.test/a b"',
      'AT+QHTTPCFG="url","ftp://web.test/"',
      'AT+QHTTPCFG="header","Bad Name","v"',
      'AT+QHTTPCFG="response/output",2',
      'AT+QHTTPCFG="sslctxid",6',
      'AT+QHTTPCFG="nosuch"',
      'AT+QHTTPPOST=0',
      'AT+QHTTPPOST=102401',
      'AT+QHTTPPUT=10,0',
      'AT+QHTTPGET=59',
      'AT+QHTTPGET=65536',
      'AT+QHTTPREAD=59',
    ]) {
      assert.deepEqual(await m.at(line), ERROR, line);
      assert.deepEqual(await m.at('AT'), OK, `after ${line}`);
    }
    assert.deepEqual(await m.at('AT+QHTTPCFG="url"'), { lines: ['+QHTTPCFG: "url",'], final: 'OK' }, 'nothing was set');
    assert.deepEqual(await m.at('AT+QHTTPCFG="header"'), OK);
    // A line feed typed inside the value never reaches the header: the line reader drops it.
    await m.at('AT+QHTTPCFG="header","X-Note","a\nEvil: yes"');
    assert.deepEqual((await m.at('AT+QHTTPCFG="header"')).lines, ['+QHTTPCFG: "header",X-Note,aEvil: yes']);
  } finally {
    m.close();
    await server.close();
  }
});

test('no response within <wait_response_time>: +QHTTPGET: 9 (on the module clock); the next request works', async () => {
  let answer = false;
  const server = await testServer((_req, res) => (answer ? res.end('now') : undefined));
  const m = await clockedModule({ 'web.test': { address: '127.0.0.1', ports: { '80': server.port } } });
  const { clock, host } = m;
  try {
    host.send('AT+QHTTPCFG="url","http://web.test/silent"');
    await host.expect('\r\nOK\r\n', T);
    host.send('AT+QHTTPGET=60');
    await host.expect('\r\nOK\r\n', T);
    for (let i = 0; i < 200 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.requests.length, 1, 'the request went out');
    clock.advance(59_999);
    assert.equal(await host.collect(50), '', 'still waiting just before the time');
    clock.advance(1);
    assert.equal(await host.expect('+QHTTPGET: 9\r\n', T), '\r\n+QHTTPGET: 9\r\n');
    answer = true;
    host.send('AT+QHTTPGET=60');
    await host.expect('+QHTTPGET: 0,200,3\r\n', T);
  } finally {
    m.close();
    await server.close();
  }
});
