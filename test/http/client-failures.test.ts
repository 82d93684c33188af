/**
 * The HTTP client's failures as Table 3 codes (chapter 5): 1 for a request that would be
 * malformed (nothing goes on the wire), 4 for DNS, refused and reset connections, 7 without an
 * address, 9 when no response head comes within the wait time (on a fake clock), 2 on abort.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { realClock } from '../../src/clock.ts';
import { httpRequest } from '../../src/http/client.ts';
import type { HttpRequest } from '../../src/http/types.ts';
import { HttpError, HttpResult } from '../../src/results/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { clientNetwork, closedPort, httpServer, rawServer } from '../helpers/http-servers.ts';

function get(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url, headers: [], auth: null, sslCtx: 1, responseTimeoutMs: 10_000, ...extra };
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `an HttpError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await sleep(10);
  assert.ok(check(), what);
}

test('1: bad URLs and header injection are refused before anything goes on the wire', async () => {
  const server = await httpServer((_req, res) => res.end('ok'));
  const { network } = clientNetwork({ 'web.test': { address: '127.0.0.1', ports: { '80': server.port } } });
  const base = `http://127.0.0.1:${server.port}`;
  const bad: [string, HttpRequest][] = [
    ['no scheme', get(`127.0.0.1:${server.port}/`)],
    ['ftp', get(`ftp://127.0.0.1:${server.port}/`)],
    ['no host', get('http://')],
    ['no host but a port', get('http://:8080/')],
    ['empty', get('')],
    ['a space in the path', get(`${base}/a b`)],
    ['a CRLF in the URL', get(`${base}/a\r\nX-Evil: 1`)],
    ['a tab in the URL', get(`${base}/a\tb`)],
    ['port 0', get('http://web.test:0/')],
    ['port too large', get('http://web.test:65536/')],
    ['an IPv6 literal', get(`http://[::1]:${server.port}/`)],
    ['CRLF in a header value', get(`${base}/`, { headers: [{ name: 'X-A', value: 'a\r\nX-Evil: 1' }] })],
    ['LF in a header value', get(`${base}/`, { headers: [{ name: 'X-A', value: 'a\nb' }] })],
    ['CR in a header name', get(`${base}/`, { headers: [{ name: 'X-A\r', value: 'a' }] })],
    ['a space in a header name', get(`${base}/`, { headers: [{ name: 'X A', value: 'a' }] })],
    ['an empty header name', get(`${base}/`, { headers: [{ name: '', value: 'a' }] })],
    ['a control character in a value', get(`${base}/`, { headers: [{ name: 'X-A', value: 'a\x01' }] })],
    ['CRLF in the form content type', { ...get(`${base}/`), method: 'POST', body: { kind: 'form', bytes: Buffer.from('x'), name: 'n', fileName: '', contentType: 'text/plain\r\nX-Evil: 1' } }],
  ];
  for (const [why, request] of bad) {
    const error = await failure(httpRequest(network, realClock, request));
    assert.equal(error.result, HttpResult.INVALID_PARAMETER, `${why}: ${error.message}`);
    assert.equal(error.code, 'FC41D_HTTP_INVALID_PARAMETER');
  }
  await sleep(50);
  assert.equal(server.connections, 0, 'no connection was made');
  // The same server answers a good request (the refusals were not the server's doing).
  const ok = await httpRequest(network, realClock, get('http://web.test/'));
  assert.equal(ok.status, 200);
  ok.body.resume();
});

test('a form part name with quotes or CRLF is escaped, never breaking the part head', async () => {
  const raw = await rawServer((got) => (got.includes('--\r\n') ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' : null));
  const { network } = clientNetwork();
  const response = await httpRequest(network, realClock, {
    ...get(`http://127.0.0.1:${raw.port}/`),
    method: 'POST',
    body: { kind: 'form', bytes: Buffer.from('x'), name: 'a"b\r\nc', fileName: 'f"\n.txt', contentType: '' },
  });
  assert.equal(response.status, 200);
  assert.match(raw.received[0].toString('latin1'), /\r\nContent-Disposition: form-data; name="a%22b%0D%0Ac"; filename="f%22%0A.txt"\r\n/);
});

test('4: connection refused, a name DNS does not know, a server that closes without answering', async () => {
  const { network } = clientNetwork();
  const refused = await failure(httpRequest(network, realClock, get(`http://127.0.0.1:${await closedPort()}/`)));
  assert.equal(refused.result, HttpResult.SOCKET_FAILURE, refused.message);
  assert.match(refused.message, /ECONNREFUSED/);

  const unknown = await failure(httpRequest({ ...network, lookup: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })) }, realClock, get('http://nowhere.invalid/')));
  assert.equal(unknown.result, HttpResult.SOCKET_FAILURE, unknown.message);

  const hangUp = await rawServer(() => Buffer.alloc(0));
  const closed = await failure(httpRequest(network, realClock, get(`http://127.0.0.1:${hangUp.port}/`)));
  assert.equal(closed.result, HttpResult.SOCKET_FAILURE, closed.message);
  assert.equal(hangUp.received.length, 1, 'the request went out');
});

test('7: no address on the station, and nothing is asked of the server', async () => {
  const server = await httpServer((_req, res) => res.end('ok'));
  const { network, station } = clientNetwork();
  station.up = false;
  const error = await failure(httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/`)));
  assert.equal(error.result, HttpResult.NO_NETWORK);
  assert.equal(error.code, 'FC41D_HTTP_NO_NETWORK');
  await sleep(50);
  assert.equal(server.connections, 0);
});

test('9: no response head within the wait time, timed on the clock given; the connection is closed', { timeout: 10_000 }, async () => {
  const clock = new FakeClock();
  const silent = await rawServer(() => null);
  const { network } = clientNetwork({}, clock);
  let outcome: HttpError | 'pending' = 'pending';
  const request = httpRequest(network, clock, get(`http://127.0.0.1:${silent.port}/slow`, { responseTimeoutMs: 60_000 }));
  request.catch((error: HttpError) => (outcome = error));
  await until(() => silent.received[0]?.includes('\r\n\r\n') ?? false, 'the request reached the server');
  clock.advance(59_999);
  await sleep(30);
  assert.equal(outcome, 'pending', 'not before the wait time');
  clock.advance(1);
  const error = await failure(request);
  assert.equal(error.result, HttpResult.RESPONSE_TIMEOUT);
  assert.equal(clock.pending, 0, 'no timer left behind');
  await until(() => silent.closed[0] === true, 'the connection is closed');
});

test('9 is not for a head that came in time, however slow the body', async () => {
  const clock = new FakeClock();
  const server = await httpServer((_req, res) => res.writeHead(200, { 'Content-Length': '10' }).write('12345'));
  const { network } = clientNetwork({}, clock);
  const response = await httpRequest(network, clock, get(`http://127.0.0.1:${server.port}/`, { responseTimeoutMs: 60_000 }));
  assert.equal(clock.pending, 0, 'the response timer is gone once the head is in');
  assert.equal(response.status, 200);
  response.body.destroy();
});

test('2: an abort while waiting for the head; an abort after it ends the body', async () => {
  const silent = await rawServer(() => null);
  const { network } = clientNetwork();
  const abort = new AbortController();
  const request = httpRequest(network, realClock, get(`http://127.0.0.1:${silent.port}/`, { signal: abort.signal }));
  await until(() => silent.received.length === 1, 'connected');
  abort.abort(new Error('reset'));
  const error = await failure(request);
  assert.equal(error.result, HttpResult.UNKNOWN_ERROR);

  const before = new AbortController();
  before.abort();
  assert.equal((await failure(httpRequest(network, realClock, get(`http://127.0.0.1:${silent.port}/`, { signal: before.signal })))).result, HttpResult.UNKNOWN_ERROR);

  const server = await httpServer((_req, res) => res.writeHead(200, { 'Content-Length': '10' }).write('12345'));
  const later = new AbortController();
  const response = await httpRequest(network, realClock, get(`http://127.0.0.1:${server.port}/`, { signal: later.signal }));
  later.abort();
  await until(() => response.body.destroyed, 'the body is destroyed');
  assert.equal(response.body.readableEnded, false, 'ended early, not cleanly');
});
