/**
 * src/world/httpbin.ts in-process, through its real ports: every endpoint over HTTP (and the
 * echo over HTTPS with the test CA), the hosts-map entry it adds (and when it adds none), and a
 * clean close that ends its connections, cancels pending /delay answers and frees its ports.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import { afterEach, test } from 'node:test';
import { defaultWorld } from '../../src/world/default-world.ts';
import { describeHttpbin, type Httpbin, HTTPBIN_HOST, startHttpbin, startWorldHttpbin } from '../../src/world/httpbin.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { testCaCertificate } from '../../src/world/test-ca.ts';
import { World } from '../../src/world/world.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { pki } from '../ssl/certs.ts';

const TEST = { timeout: 20_000 };
const started: Httpbin[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function service(clock?: FakeClock): Promise<Httpbin> {
  const s = await startHttpbin({ clock });
  started.push(s);
  return s;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: () => any;
}

interface Ask {
  method?: string;
  headers?: Record<string, string> | [string, string][];
  body?: string | Buffer;
  tls?: https.RequestOptions;
}

/** One request on its own connection (no agent), with header names exactly as given. */
function ask(port: number, path: string, opts: Ask = {}): Promise<Reply> {
  const lib = opts.tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', agent: false, ...opts.tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const headers = Array.isArray(opts.headers) ? opts.headers : Object.entries(opts.headers ?? {});
    for (const [name, value] of headers) req.setHeader(name, value);
    req.end(opts.body);
  });
}

/** The raw bytes of a whole response, on a plain connection the server closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
    socket.write(request);
  });
}

test('the default world maps httpbin.fc41d.local:80 and :443 to the service; other ports and names as before', TEST, async () => {
  const world = defaultWorld();
  assert.equal(world.resolveHost(HTTPBIN_HOST, 80), undefined, 'nothing before it starts');
  const s = (await startWorldHttpbin(world))!;
  started.push(s);
  assert.deepEqual(world.resolveHost('httpbin.fc41d.local', 80), { address: '127.0.0.1', port: s.httpPort });
  assert.deepEqual(world.resolveHost('HTTPBIN.fc41d.LOCAL', 443), { address: '127.0.0.1', port: s.httpsPort });
  assert.deepEqual(world.resolveHost(HTTPBIN_HOST, 8080), { address: '127.0.0.1', port: 8080 });
  assert.equal(world.resolveHost('example.com', 80), undefined);
  assert.equal(defaultWorld().resolveHost(HTTPBIN_HOST, 80), undefined, 'each world its own map');
  assert.equal((await ask(s.httpPort, '/get')).status, 200);
  assert.deepEqual(describeHttpbin(s, false), [
    `httpbin httpbin.fc41d.local:80 http on 127.0.0.1:${s.httpPort}`,
    `httpbin httpbin.fc41d.local:443 https on 127.0.0.1:${s.httpsPort} (test CA: fc41d ca)`,
  ]);
  assert.deepEqual(describeHttpbin(null, true), ['httpbin off (--no-httpbin)']);
});

test('a world that names httpbin.fc41d.local keeps its entry and gets no service', TEST, async () => {
  const world = new World(parseWorld({ hosts: { 'HttpBin.fc41d.local': { address: '10.1.2.3', ports: { '80': 8080 } } } }));
  assert.equal(await startWorldHttpbin(world), null);
  assert.deepEqual(world.resolveHost(HTTPBIN_HOST, 80), { address: '10.1.2.3', port: 8080 });
  assert.deepEqual(world.resolveHost(HTTPBIN_HOST, 443), { address: '10.1.2.3', port: 443 });
  assert.deepEqual(describeHttpbin(null, false), ["httpbin httpbin.fc41d.local is the world file's (no built-in httpbin)"]);
});

test('/get echoes method, url as asked for, args and the headers with their names as sent; other methods 405', TEST, async () => {
  const s = await service();
  const r = await ask(s.httpPort, '/get?a=1&b=x&a=2', { headers: [['Host', 'httpbin.fc41d.local'], ['content_type', 'application/json'], ['X-Mixed-Case', 'v']] });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(Number(r.headers['content-length']), r.body.length);
  const got = r.json();
  assert.equal(got.method, 'GET');
  assert.equal(got.url, 'http://httpbin.fc41d.local/get?a=1&b=x&a=2');
  assert.deepEqual(got.args, { a: ['1', '2'], b: 'x' });
  assert.equal(got.headers.Host, 'httpbin.fc41d.local');
  assert.equal(got.headers.content_type, 'application/json', 'a name with an underscore, verbatim');
  assert.equal(got.headers['X-Mixed-Case'], 'v', 'the case as sent');
  assert.equal(got.headers['x-mixed-case'], undefined);
  assert.equal(got.origin, '127.0.0.1');

  const wrong = await ask(s.httpPort, '/get', { method: 'POST', body: 'x' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.allow, 'GET, HEAD');
  // fetch (undici) sees the same service.
  const viaFetch = await fetch(`http://127.0.0.1:${s.httpPort}/get?q=1`);
  assert.deepEqual((await viaFetch.json()).args, { q: '1' });
});

test('/post and /put echo the headers and the body: text as UTF-8, anything else as base64, with its length', TEST, async () => {
  const s = await service();
  const json = '{"temp":21.5}\r\n{"x"}';
  const post = (await ask(s.httpPort, '/post', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: json })).json();
  assert.equal(post.method, 'POST');
  assert.equal(post.headers['Content-Type'], 'text/plain');
  assert.deepEqual([post.data, post.encoding, post.length], [json, 'utf8', Buffer.byteLength(json)]);
  assert.equal(post.json, null, 'not JSON');
  const jsonPost = (await ask(s.httpPort, '/post', { method: 'POST', body: '{"temp":21.5,"ok":true}' })).json();
  assert.deepEqual(jsonPost.json, { temp: 21.5, ok: true });
  const utf8 = (await ask(s.httpPort, '/post', { method: 'POST', body: 'héllo €' })).json();
  assert.deepEqual([utf8.data, utf8.encoding, utf8.length], ['héllo €', 'utf8', 10]);

  const binary = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x80]);
  const put = await ask(s.httpPort, '/put', { method: 'PUT', body: binary });
  assert.equal(put.status, 200);
  assert.deepEqual([put.json().method, put.json().data, put.json().encoding, put.json().length], ['PUT', binary.toString('base64'), 'base64', 5]);
  assert.deepEqual(put.json().form, []);

  assert.equal((await ask(s.httpPort, '/post')).status, 405);
  assert.equal((await ask(s.httpPort, '/post', { method: 'PUT', body: 'x' })).headers.allow, 'POST');
  assert.equal((await ask(s.httpPort, '/put', { method: 'POST', body: 'x' })).headers.allow, 'PUT');
});

test('/post parses multipart/form-data: each part with its name, file name, content type and content', TEST, async () => {
  const s = await service();
  const boundary = 'fc41d-b0undary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="test.txt"\r\nContent-Type: text/plain\r\n\r\n`),
    Buffer.from('line 1\r\nline 2'),
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="blob"\r\n\r\n`),
    Buffer.from([0xfe, 0xff, 0x00]),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const r = (await ask(s.httpPort, '/post', { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body })).json();
  assert.equal(r.formError, undefined);
  assert.deepEqual(
    r.form.map((p: any) => [p.name, p.filename, p.contentType, p.data, p.encoding, p.length]),
    [
      ['file', 'test.txt', 'text/plain', 'line 1\r\nline 2', 'utf8', 14],
      ['blob', null, null, '/v8A', 'base64', 3],
    ],
  );
  assert.equal(r.form[0].headers['Content-Disposition'], 'form-data; name="file"; filename="test.txt"');
  assert.equal(r.length, body.length);

  // A FormData body as fetch (undici) makes it, with a quoted boundary-free parse of its own.
  const fd = new FormData();
  fd.append('reading', new Blob(['{"t":1}'], { type: 'application/json' }), 'r.json');
  const viaFetch = await (await fetch(`http://127.0.0.1:${s.httpPort}/post`, { method: 'POST', body: fd })).json();
  assert.deepEqual(
    viaFetch.form.map((p: any) => [p.name, p.filename, p.contentType, p.data]),
    [['reading', 'r.json', 'application/json', '{"t":1}']],
  );

  // A body that is not what its Content-Type says: echoed, with why it is not a form.
  const broken = (await ask(s.httpPort, '/post', { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary="${boundary}"` }, body: `--${boundary}\r\nno blank line` })).json();
  assert.deepEqual(broken.form, []);
  assert.match(broken.formError, /part 1: no blank line/);
});

test('/status/<code> answers that status; a 3xx carries Location: /get; codes outside 200–599 are a 400', TEST, async () => {
  const s = await service();
  for (const code of [200, 201, 404, 418, 500, 503]) {
    const r = await ask(s.httpPort, `/status/${code}`);
    assert.equal(r.status, code);
    assert.equal(r.json().status, code);
  }
  for (const code of [301, 302, 303, 307, 308]) {
    const r = await ask(s.httpPort, `/status/${code}`);
    assert.deepEqual([r.status, r.headers.location, r.body.length], [code, '/get', 0]);
  }
  const empty = await ask(s.httpPort, '/status/204');
  assert.deepEqual([empty.status, empty.body.length], [204, 0]);
  assert.equal((await ask(s.httpPort, '/status/401')).headers['www-authenticate'], 'Basic realm="httpbin.fc41d.local"');
  assert.equal((await ask(s.httpPort, '/status/post', { method: 'POST', body: 'x' })).status, 400);
  for (const bad of ['199', '600', 'abc', '2000']) assert.equal((await ask(s.httpPort, `/status/${bad}`)).status, 400, bad);
});

test('/bytes/<n>: n seeded bytes with Content-Length, the same every time, a prefix of a longer run; capped at 10 MiB', TEST, async () => {
  const s = await service();
  const a = await ask(s.httpPort, '/bytes/1000');
  assert.deepEqual([a.status, a.headers['content-length'], a.headers['content-type'], a.body.length], [200, '1000', 'application/octet-stream', 1000]);
  assert.deepEqual((await ask(s.httpPort, '/bytes/1000')).body, a.body, 'deterministic');
  assert.deepEqual((await ask(s.httpPort, '/bytes/1003')).body.subarray(0, 1000), a.body);
  assert.notDeepEqual((await ask(s.httpPort, '/bytes/1000?seed=7')).body, a.body, 'another seed, other bytes');
  assert.ok(new Set(a.body).size > 200, 'not a pattern of a few values');
  const mib = await ask(s.httpPort, '/bytes/1048576');
  assert.equal(mib.body.length, 1048576);
  assert.deepEqual(mib.body.subarray(0, 1000), a.body);
  assert.deepEqual([(await ask(s.httpPort, '/bytes/0')).body.length, (await ask(s.httpPort, '/bytes/0')).headers['content-length']], [0, '0']);
  assert.equal((await ask(s.httpPort, `/bytes/${10 * 1024 * 1024 + 1}`)).status, 400);
  assert.equal((await ask(s.httpPort, '/bytes/-1')).status, 400);
});

test('/range/<n> honours one Range: 206 with Content-Range, 416 when unsatisfiable, the whole (200) otherwise', TEST, async () => {
  const s = await service();
  const all = (await ask(s.httpPort, '/bytes/100')).body;
  const whole = await ask(s.httpPort, '/range/100');
  assert.deepEqual([whole.status, whole.headers['accept-ranges'], whole.body], [200, 'bytes', all]);
  const cases: [string, number, number][] = [
    ['bytes=10-19', 10, 19],
    ['bytes=90-', 90, 99],
    ['bytes=-5', 95, 99],
    ['bytes=95-500', 95, 99],
    ['bytes=0-0', 0, 0],
    ['bytes=-500', 0, 99],
  ];
  for (const [range, start, end] of cases) {
    const r = await ask(s.httpPort, '/range/100', { headers: { Range: range } });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers['content-range'], `bytes ${start}-${end}/100`, range);
    assert.equal(r.headers['content-length'], String(end - start + 1), range);
    assert.deepEqual(r.body, all.subarray(start, end + 1), range);
  }
  for (const range of ['bytes=100-', 'bytes=150-160', 'bytes=-0']) {
    const r = await ask(s.httpPort, '/range/100', { headers: { Range: range } });
    assert.deepEqual([r.status, r.headers['content-range']], [416, 'bytes */100'], range);
  }
  for (const range of ['bytes=20-10', 'items=0-5', 'bytes=0-1,5-6', 'bytes=-']) {
    const r = await ask(s.httpPort, '/range/100', { headers: { Range: range } });
    assert.deepEqual([r.status, r.body], [200, all], `${range} is ignored`);
  }
  const big = await ask(s.httpPort, '/range/1048576', { headers: { Range: 'bytes=1000000-1048575' } });
  const mib = (await ask(s.httpPort, '/bytes/1048576')).body;
  assert.deepEqual(big.body, mib.subarray(1000000));
  // Made afresh across the end of the first MiB (which is made once and kept): the same bytes.
  const across = await ask(s.httpPort, '/range/2000000', { headers: { Range: 'bytes=1040001-1050000' } });
  assert.deepEqual(across.body.subarray(0, 1048576 - 1040001), mib.subarray(1040001));
  assert.equal(across.body.length, 10000);
});

test('/delay/<s> answers after s seconds of its clock; over 300 s is a 400', TEST, async () => {
  const clock = new FakeClock();
  const s = await service(clock);
  let answered = false;
  const pending = ask(s.httpPort, '/delay/1.5?x=1').then((r) => ((answered = true), r));
  while (clock.pending === 0) await new Promise((r) => setTimeout(r, 5));
  clock.advance(1499);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, 'not before 1.5 s');
  clock.advance(1);
  const r = await pending;
  assert.equal(r.status, 200);
  assert.deepEqual([r.json().delay, r.json().args], [1.5, { x: '1' }]);
  assert.equal((await ask(s.httpPort, '/delay/301')).status, 400);
  assert.equal((await ask(s.httpPort, '/delay/abc')).status, 400);
  assert.equal(clock.pending, 0);
});

test('/redirect is a 302 to /get; unknown paths are a 404', TEST, async () => {
  const s = await service();
  const r = await ask(s.httpPort, '/redirect');
  assert.deepEqual([r.status, r.headers.location], [302, '/get']);
  const viaFetch = await fetch(`http://127.0.0.1:${s.httpPort}/redirect`);
  assert.equal(viaFetch.url, `http://127.0.0.1:${s.httpPort}/get`, 'a client that follows it lands on /get');
  assert.equal((await ask(s.httpPort, '/nothing')).status, 404);
  assert.ok((await ask(s.httpPort, '/')).json().endpoints.includes('/range/<n>'));
});

test('/stream/<n>: n JSON lines in chunks, with no Content-Length', TEST, async () => {
  const s = await service();
  const raw = await rawExchange(s.httpPort, 'GET /stream/5 HTTP/1.1\r\nHost: httpbin.fc41d.local\r\nConnection: close\r\n\r\n');
  const [head, body] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)];
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, /\r\nTransfer-Encoding: chunked/i);
  assert.doesNotMatch(head, /Content-Length/i);
  const chunks = body.split('\r\n').filter((_, i) => i % 2 === 1 && _ !== '');
  assert.equal(chunks.length, 5, `one chunk per line: ${JSON.stringify(body)}`);
  assert.deepEqual(chunks.map((c) => JSON.parse(c).id), [0, 1, 2, 3, 4]);
  assert.ok(body.endsWith('0\r\n\r\n'));
  const r = await ask(s.httpPort, '/stream/3');
  assert.equal(r.body.toString().trim().split('\n').length, 3);
  assert.equal((await ask(s.httpPort, '/stream/10001')).status, 400);
});

test('HTTPS: the certificate for httpbin.fc41d.local verifies against the test CA, and for that name only', TEST, async () => {
  const s = await service();
  const tls = { ca: testCaCertificate(), servername: HTTPBIN_HOST };
  const r = await ask(s.httpsPort, '/get', { headers: { Host: HTTPBIN_HOST }, tls });
  assert.equal(r.json().url, 'https://httpbin.fc41d.local/get');
  const post = await ask(s.httpsPort, '/post', { method: 'POST', body: 'over tls', tls });
  assert.equal(post.json().data, 'over tls');
  await assert.rejects(ask(s.httpsPort, '/get', { tls: { ca: testCaCertificate(), servername: 'other.example' } }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  await assert.rejects(ask(s.httpsPort, '/get', { tls: { ca: pki().ca.cert, servername: HTTPBIN_HOST } }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
});

test('a request body over 10 MiB is refused with a 413, not taken', TEST, async () => {
  const s = await service();
  const r = await ask(s.httpPort, '/post', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) }).catch((e: Error) => e);
  // The server answers before it has the whole body and closes: the client sees the 413, or a reset while still writing.
  if (r instanceof Error) assert.match((r as NodeJS.ErrnoException).code ?? '', /ECONNRESET|EPIPE/);
  else assert.equal(r.status, 413);
});

test('close(): open connections and pending /delay answers end, the ports refuse connections, a second close is harmless', TEST, async () => {
  const clock = new FakeClock();
  const s = await startHttpbin({ clock });
  const waiting = ask(s.httpPort, '/delay/10').catch((e: NodeJS.ErrnoException) => e.code);
  const secureWaiting = ask(s.httpsPort, '/delay/10', { tls: { ca: testCaCertificate(), servername: HTTPBIN_HOST } }).catch((e: NodeJS.ErrnoException) => e.code);
  while (clock.pending < 2) await new Promise((r) => setTimeout(r, 5));
  await s.close();
  assert.equal(await waiting, 'ECONNRESET');
  assert.equal(await secureWaiting, 'ECONNRESET');
  assert.equal(clock.pending, 0, 'no /delay timer left armed');
  for (const port of [s.httpPort, s.httpsPort]) {
    await assert.rejects(
      new Promise((resolve, reject) => connect(port, '127.0.0.1').once('connect', resolve).once('error', reject)),
      { code: 'ECONNREFUSED' },
    );
  }
  await s.close();
});
