/**
 * The HTTP client (src/http/client.ts) against real local servers: statuses passed through,
 * bodies byte-exact both ways, the manual's form-data POST (§2.6.3), header lines verbatim on
 * the wire (FIDELITY.md), basic auth, redirects reported not followed, the hosts map's port
 * remapping, and the response head as received.
 */
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { httpRequest } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/types.ts';
import { clientNetwork, httpServer, rawServer, wholeRequest } from '../helpers/http-servers.ts';

function get(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url, headers: [], auth: null, sslCtx: 1, responseTimeoutMs: 10_000, ...extra };
}

const { network } = clientNetwork();

test('GET: 200, 404 and 500 pass through with their bodies and lengths', async () => {
  const server = await httpServer((req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : req.url === '/broken' ? 500 : 200;
    res.end(`at ${req.url}`);
  });
  for (const [path, status] of [['/hello', 200], ['/missing', 404], ['/broken', 500]] as const) {
    const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}${path}`));
    assert.equal(response.status, status, path);
    assert.equal(response.contentLength, `at ${path}`.length, path);
    assert.equal(await text(response.body), `at ${path}`, path);
  }
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.url]),
    [['GET', '/hello'], ['GET', '/missing'], ['GET', '/broken']],
  );
});

test('a Range header goes through and the 206 comes back with its part', async () => {
  const whole = Buffer.from('0123456789'.repeat(100));
  const server = await httpServer((req, res) => {
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!range) return void res.end(whole);
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${range[1]}-${range[2]}/${whole.length}`);
    res.end(whole.subarray(Number(range[1]), Number(range[2]) + 1));
  });
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/1k`, { headers: [{ name: 'Range', value: 'bytes=5-14' }] }));
  assert.equal(response.status, 206);
  assert.equal(response.contentLength, 10);
  assert.equal(await text(response.body), '5678901234');
});

test('a chunked response: no content length, the body de-chunked', async () => {
  const server = await httpServer((_req, res) => {
    res.write('first,');
    setTimeout(() => res.end('second'), 20);
  });
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/`));
  assert.equal(response.status, 200);
  assert.equal(response.contentLength, undefined);
  assert.match(response.rawHead.toString('latin1'), /\r\nTransfer-Encoding: chunked\r\n/);
  assert.equal(await text(response.body), 'first,second');
});

test('POST: the raw body arrives byte for byte (CRLF, NUL and 0xFF inside), with its length and no Content-Type of its own', async () => {
  const server = await httpServer((req, res) => res.end(`got ${req.body.length}`));
  const body = Buffer.from('{"t":21.5}\r\n\r\nline\0\xff\r', 'latin1');
  const response = await httpRequest(network, realClock, { ...get(`http://127.0.0.1:${server.port}/api`), method: 'POST', body: { kind: 'raw', bytes: body } });
  assert.equal(response.status, 200);
  assert.equal(await text(response.body), `got ${body.length}`);
  const got = server.requests[0];
  assert.equal(got.method, 'POST');
  assert.deepEqual(got.body, body);
  assert.ok(got.rawHeaders.some(([n, v]) => n === 'Content-Length' && v === String(body.length)));
  assert.ok(!got.rawHeaders.some(([n]) => n.toLowerCase() === 'content-type'), JSON.stringify(got.rawHeaders));
  assert.ok(!got.rawHeaders.some(([n]) => n.toLowerCase() === 'transfer-encoding'), 'not chunked');
});

test('form-data POST: one part with its name, file name and content type, parsed by a real multipart parser', async () => {
  const server = await httpServer((_req, res) => res.end('ok'));
  const bytes = Buffer.from('line 1\r\n--not-a-boundary\r\n\0\xff', 'latin1');
  const form = (name: string, fileName: string, contentType: string): HttpRequest => ({
    ...get(`http://127.0.0.1:${server.port}/study_log/`),
    method: 'POST',
    body: { kind: 'form', bytes, name, fileName, contentType },
  });
  await (await httpRequest(network, realClock, form('file', 'log.txt', 'text/plain'))).body.resume();
  await (await httpRequest(network, realClock, form('data', '', ''))).body.resume();

  const parse = async (index: number) => {
    const got = server.requests[index];
    const type = got.rawHeaders.find(([n]) => n === 'Content-Type')?.[1] ?? '';
    assert.match(type, /^multipart\/form-data; boundary=\S+$/);
    return { type, got, data: await new Response(new Uint8Array(got.body), { headers: { 'content-type': type } }).formData() };
  };
  const first = await parse(0);
  const file = first.data.get('file');
  assert.ok(file instanceof File, 'a file part');
  assert.equal(file.name, 'log.txt');
  assert.equal(file.type, 'text/plain');
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
  assert.deepEqual([...first.data.keys()], ['file'], 'exactly one part');
  // The bytes exactly, so the layout is pinned too.
  const boundary = first.type.split('boundary=')[1];
  const expected = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="log.txt"\r\nContent-Type: text/plain\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  assert.deepEqual(first.got.body, expected);

  const second = await parse(1);
  assert.match(second.got.body.toString('latin1'), /^--\S+\r\nContent-Disposition: form-data; name="data"\r\nContent-Type: application\/octet-stream\r\n\r\n/);
  const field = second.data.get('data');
  assert.equal(typeof field, 'string', 'without a file name the part is a field');
  assert.notEqual(first.type, second.type, 'a fresh boundary per request');
});

test('PUT: 201 and the body stored', async () => {
  const server = await httpServer((req, res) => {
    res.statusCode = 201;
    res.end(`stored ${req.body.length}`);
  });
  const bytes = Buffer.from('hello\r\nworld');
  const response = await httpRequest(network, realClock, { ...get(`http://127.0.0.1:${server.port}/uploads/test.txt`), method: 'PUT', body: { kind: 'raw', bytes } });
  assert.equal(response.status, 201);
  assert.equal(await text(response.body), 'stored 12');
  assert.equal(server.requests[0].method, 'PUT');
  assert.deepEqual(server.requests[0].body, bytes);
});

test('on the wire: the request line, Host, the configured headers verbatim (case, order, odd names, duplicates), auth, length, Connection: close', async () => {
  const raw = await rawServer((got) => (wholeRequest(got) ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' : null));
  const { network: mapped } = clientNetwork({ 'web.test': { address: '127.0.0.1', ports: { '8080': raw.port } } });
  const response = await httpRequest(mapped, realClock, {
    method: 'POST',
    url: 'http://Web.Test:8080/api/v1/readings?x=1&y=%20#frag',
    headers: [
      { name: 'content_type', value: 'application/json' },
      { name: 'user_agent', value: 'zephyr/3.7' },
      { name: 'X-Dup', value: 'one' },
      { name: 'x-dup', value: 'two' },
      { name: 'Range', value: 'bytes=0-1' },
      { name: 'X-Utf8', value: 'café' },
    ],
    auth: { username: 'user', password: 'pa:ss' },
    body: { kind: 'raw', bytes: Buffer.from('{"t":1}\r\n') },
    sslCtx: 1,
    responseTimeoutMs: 10_000,
  });
  assert.equal(response.status, 200);
  await response.body.resume();
  const expected = Buffer.concat([
    Buffer.from(
      'POST /api/v1/readings?x=1&y=%20 HTTP/1.1\r\n' +
        'Host: web.test:8080\r\n' +
        'content_type: application/json\r\n' +
        'user_agent: zephyr/3.7\r\n' +
        'X-Dup: one\r\n' +
        'x-dup: two\r\n' +
        'Range: bytes=0-1\r\n' +
        'X-Utf8: caf',
    ),
    Buffer.from('é', 'utf8'),
    Buffer.from(`\r\nAuthorization: Basic ${Buffer.from('user:pa:ss').toString('base64')}\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{"t":1}\r\n`),
  ]);
  assert.equal(raw.received.length, 1);
  assert.equal(raw.received[0].toString('latin1'), expected.toString('latin1'));
});

test('on the wire: a GET has no body headers; Host leaves out the default port; a configured Host, Content-Type or Authorization replaces the client\'s; framing headers are the client\'s', async () => {
  const raw = await rawServer((got) => (wholeRequest(got) ? 'HTTP/1.1 204 No Content\r\n\r\n' : null));
  const { network: mapped } = clientNetwork({ 'web.test': { address: '127.0.0.1', ports: { '80': raw.port } } });
  await (await httpRequest(mapped, realClock, get('http://web.test:80/'))).body.resume();
  await (
    await httpRequest(mapped, realClock, {
      ...get('http://web.test/p'),
      method: 'PUT',
      headers: [
        { name: 'host', value: 'example.org' },
        { name: 'Connection', value: 'keep-alive' },
        { name: 'Content-Length', value: '999' },
        { name: 'authorization', value: 'Bearer t' },
      ],
      auth: { username: 'ignored', password: 'x' },
      body: { kind: 'raw', bytes: Buffer.from('ab') },
    })
  ).body.resume();
  assert.deepEqual(
    raw.received.map((b) => b.toString('latin1')),
    [
      'GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n',
      'PUT /p HTTP/1.1\r\nhost: example.org\r\nauthorization: Bearer t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab',
    ],
  );
});

test('basic auth: the server sees the credentials; from the URL too when none are configured', async () => {
  const server = await httpServer((req, res) => res.end(req.headers.authorization ?? 'none'));
  const url = `http://127.0.0.1:${server.port}/secret`;
  const a = await httpRequest(network, realClock, get(url, { auth: { username: 'admin', password: 'p@ss word' } }));
  assert.equal(await text(a.body), `Basic ${Buffer.from('admin:p@ss word').toString('base64')}`);
  const b = await httpRequest(network, realClock, get(`http://bob:s%3Acret@127.0.0.1:${server.port}/secret`));
  assert.equal(await text(b.body), `Basic ${Buffer.from('bob:s:cret').toString('base64')}`);
  const c = await httpRequest(network, realClock, get(url));
  assert.equal(await text(c.body), 'none');
});

test('a redirect is not followed: the 302 is the result', async () => {
  const server = await httpServer((req, res) => {
    if (req.url === '/redirect') return void res.writeHead(302, { Location: '/target' }).end('moved');
    res.end('target');
  });
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/redirect`));
  assert.equal(response.status, 302);
  assert.match(response.rawHead.toString('latin1'), /\r\nLocation: \/target\r\n/);
  assert.equal(await text(response.body), 'moved');
  assert.deepEqual(server.requests.map((r) => r.url), ['/redirect']);
});

test('the hosts map: a name with its port remapped; Host keeps the name and the port asked for', async () => {
  const server = await httpServer((req, res) => res.end(req.headers.host));
  const { network: mapped } = clientNetwork({ 'web.test': { address: '127.0.0.1', ports: { '80': server.port, '8080': server.port } } });
  assert.equal(await text((await httpRequest(mapped, realClock, get('http://web.test/'))).body), 'web.test');
  assert.equal(await text((await httpRequest(mapped, realClock, get('http://WEB.test:8080/'))).body), 'web.test:8080');
});

test('the response head as received: status line, header names in their case and order, duplicates, the blank line', async () => {
  const raw = await rawServer((got) =>
    wholeRequest(got) ? 'HTTP/1.1 404 Not Here\r\nX-One: 1\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 4\r\n\r\nnope' : null,
  );
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${raw.port}/`));
  assert.equal(response.status, 404);
  assert.equal(response.contentLength, 4);
  assert.equal(response.rawHead.toString('latin1'), 'HTTP/1.1 404 Not Here\r\nX-One: 1\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 4\r\n\r\n');
  assert.equal(await text(response.body), 'nope');
});
