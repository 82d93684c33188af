// The Wi-Fi configuration web server (§2.1.26) at the HTTP level, against a stand-in device:
// the server is the thing under test here; the real module is wired to it elsewhere.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { afterEach, test } from 'node:test';
import { startWebConfig, type JoinOutcome, type WebConfigAp, type WebConfigDevice } from '../../src/wifi/webcfg.ts';

const XSS = '<script>alert(1)</script>';
const ATTR_XSS = '"><img src=x onerror=alert(2)>';
const APS: WebConfigAp[] = [
  { ssid: 'Home', security: 'WPA2_AES_PSK', rssi: -48, channel: 6, bssid: '11:22:33:44:55:66' },
  { ssid: 'Cafe', security: 'OPEN', rssi: -71, channel: 11, bssid: '11:22:33:44:55:77' },
  { ssid: XSS, security: 'WPA2_AES_PSK', rssi: -80, channel: 1, bssid: '11:22:33:44:55:88' },
  { ssid: ATTR_XSS, security: 'WPA_PSK', rssi: -85, channel: 3, bssid: '11:22:33:44:55:99' },
];
const KEYS: Record<string, string | undefined> = { Home: 'correct horse', Cafe: undefined };

/** A device whose APs are APS; joins succeed with the right key, and are recorded. */
function fakeDevice(overrides: Partial<WebConfigDevice> = {}) {
  const joins: [string, string | undefined][] = [];
  const device: WebConfigDevice = {
    label: 'module 0',
    mac: 'c8:47:8c:42:00:48',
    softApSsid: 'FC41D_AP_0048',
    scan: async () => APS,
    join: async (ssid, key): Promise<JoinOutcome> => {
      joins.push([ssid, key]);
      if (!(ssid in KEYS)) return { ok: false, reason: 'no-ap', message: `no AP named ${ssid}` };
      if (KEYS[ssid] !== key) return { ok: false, reason: 'auth-failed', message: 'wrong key' };
      return { ok: true, ip: '192.168.1.57' };
    },
    ...overrides,
  };
  return { device, joins };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function start(overrides: Partial<WebConfigDevice> = {}) {
  const { device, joins } = fakeDevice(overrides);
  const server = await startWebConfig(device);
  cleanups.push(() => server.close());
  return { url: server.url, joins };
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

async function post(url: string, body: string, headers: Record<string, string> = FORM) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

test('binds 127.0.0.1 on a free port by default', async () => {
  const { url } = await start();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('GET / shows the module, its soft-AP and the scanned APs, escaped', async () => {
  const { url } = await start();
  const res = await fetch(url);
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'sha256-/);
  for (const text of ['module 0', 'c8:47:8c:42:00:48', 'FC41D_AP_0048', 'Home', 'Cafe', 'WPA2_AES_PSK', 'OPEN']) {
    assert.ok(html.includes(text), `page lacks ${text}`);
  }
  assert.match(html, /-48 dBm<\/td><td class="num">6<\/td>/);
  assert.match(html, /-71 dBm<\/td><td class="num">11<\/td>/);
  assert.ok(!html.includes(XSS), 'a raw <script> SSID reached the page');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!html.includes('<img'), 'an SSID broke out of an attribute');
  assert.ok(html.includes('value="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"'));
  for (const field of ['name="ssid"', 'type="password"', 'name="key"', 'action="/connect"', '>Connect</button>']) {
    assert.ok(html.includes(field), `form lacks ${field}`);
  }
  // Strongest first.
  assert.ok(html.indexOf('Home') < html.indexOf('Cafe'));
});

test('form POST that joins shows the IP', async () => {
  const { url, joins } = await start();
  const res = await post(`${url}connect`, form({ ssid: 'Home', key: 'correct horse' }));
  assert.equal(res.status, 200);
  assert.match(res.text, /<strong id="ip">192\.168\.1\.57<\/strong>/);
  assert.deepEqual(joins, [['Home', 'correct horse']]);
});

test('an empty key joins an open network (no key passed)', async () => {
  const { url, joins } = await start();
  const res = await post(`${url}connect`, form({ ssid: 'Cafe', key: '' }));
  assert.equal(res.status, 200);
  assert.match(res.text, /192\.168\.1\.57/);
  assert.deepEqual(joins, [['Cafe', undefined]]);
});

test('without JS, the picked radio counts when the SSID field is empty', async () => {
  const { url, joins } = await start();
  const res = await post(`${url}connect`, form({ ap: 'Home', ssid: '', key: 'correct horse' }));
  assert.equal(res.status, 200);
  assert.deepEqual(joins, [['Home', 'correct horse']]);
});

test('a failed join is 200 with the message and the form again, SSID kept, key not echoed', async () => {
  const { url, joins } = await start();
  const res = await post(`${url}connect`, form({ ssid: 'Home', key: 'not the key' }));
  assert.equal(res.status, 200);
  assert.match(res.text, /<p class="error" id="error" role="alert">Could not connect to &quot;Home&quot;: wrong key<\/p>/);
  assert.ok(res.text.includes('<form method="post" action="/connect">'));
  assert.ok(res.text.includes('id="ssid" name="ssid" value="Home"'));
  assert.ok(!res.text.includes('not the key'));
  assert.deepEqual(joins, [['Home', 'not the key']]);
});

test('a failure message about a hostile SSID is escaped', async () => {
  const { url } = await start();
  const res = await post(`${url}connect`, form({ ssid: XSS, key: '' }));
  assert.equal(res.status, 200);
  assert.ok(!res.text.includes(XSS));
  assert.ok(res.text.includes('no AP named &lt;script&gt;'));
});

test('input outside AT+QSTAAPINFO ranges is 400 with the form, and nothing is joined', async () => {
  const { url, joins } = await start();
  const bad: [Record<string, string>, RegExp][] = [
    [{ ssid: '', key: '' }, /SSID must be 1–32 bytes \(got 0\)/],
    [{ ssid: 'x'.repeat(33), key: '' }, /got 33/],
    [{ ssid: '€'.repeat(11), key: '' }, /got 33/], // 11 characters, 33 bytes
    [{ ssid: 'Home', key: '1234567' }, /key must be empty \(open network\) or 8–63 bytes \(got 7\)/],
    [{ ssid: 'Home', key: 'k'.repeat(64) }, /got 64/],
    [{ ssid: 'Ho\r\nme', key: '' }, /control characters/],
  ];
  for (const [fields, message] of bad) {
    const res = await post(`${url}connect`, form(fields));
    assert.equal(res.status, 400, JSON.stringify(fields));
    assert.match(res.text, message);
    assert.ok(res.text.includes('<form method="post"'));
  }
  assert.deepEqual(joins, []);
  // The edges are accepted.
  const edge = await post(`${url}connect`, form({ ssid: 's'.repeat(32), key: 'k'.repeat(63) }));
  assert.equal(edge.status, 200);
  assert.deepEqual(joins, [['s'.repeat(32), 'k'.repeat(63)]]);
});

test('an oversized body is refused with 413, declared or chunked, and the server carries on', async () => {
  const { url, joins } = await start();
  const big = form({ ssid: 'Home', key: 'k'.repeat(5000) });
  assert.equal((await post(`${url}connect`, big)).status, 413);
  assert.equal((await post(`${url}api/connect`, JSON.stringify({ ssid: 'Home', key: 'k'.repeat(5000) }), JSON_TYPE)).status, 413);
  const chunked = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(`${url}connect`, { method: 'POST', headers: FORM }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.write(`ssid=Home&key=${'k'.repeat(100_000)}`); // no Content-Length: sent chunked
    req.end();
  });
  assert.equal(chunked, 413);
  assert.deepEqual(joins, []);
  assert.equal((await fetch(url)).status, 200);
});

test('wrong type, path, method or origin are refused without joining', async () => {
  const { url, joins } = await start();
  assert.equal((await post(`${url}connect`, 'ssid=Home', { 'Content-Type': 'text/plain' })).status, 415);
  assert.equal((await post(`${url}api/connect`, '{"ssid":"Home"}', FORM)).status, 415);
  assert.equal((await fetch(`${url}nope`)).status, 404);
  const wrongMethod = await fetch(`${url}connect`);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'POST');
  assert.equal((await post(url, form({ ssid: 'Home' }))).status, 405);
  const crossSite = await post(`${url}connect`, form({ ssid: 'Cafe' }), { ...FORM, Origin: 'http://evil.example' });
  assert.equal(crossSite.status, 403);
  const opaque = await post(`${url}connect`, form({ ssid: 'Cafe' }), { ...FORM, Origin: 'null' }); // sandboxed frames
  assert.equal(opaque.status, 403);
  const sameSite = await post(`${url}connect`, form({ ssid: 'Cafe' }), { ...FORM, Origin: url.slice(0, -1) });
  assert.equal(sameSite.status, 200);
  assert.deepEqual(joins, [['Cafe', undefined]]);
});

test('GET /api/scan answers the device and its APs as JSON', async () => {
  const { url } = await start();
  const res = await fetch(`${url}api/scan`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await res.json(), {
    device: { label: 'module 0', mac: 'c8:47:8c:42:00:48', softApSsid: 'FC41D_AP_0048' },
    aps: APS,
  });
});

test('POST /api/connect answers the join outcome; bad input is 400', async () => {
  const { url, joins } = await start();
  const call = async (body: string) => {
    const res = await post(`${url}api/connect`, body, JSON_TYPE);
    return { status: res.status, body: JSON.parse(res.text) as unknown };
  };
  assert.deepEqual(await call('{"ssid":"Home","key":"correct horse"}'), { status: 200, body: { ok: true, ip: '192.168.1.57' } });
  assert.deepEqual(await call('{"ssid":"Cafe"}'), { status: 200, body: { ok: true, ip: '192.168.1.57' } });
  assert.deepEqual(await call('{"ssid":"Home","key":"wrong key!"}'), {
    status: 200,
    body: { ok: false, reason: 'auth-failed', message: 'wrong key' },
  });
  for (const body of ['{"ssid":', '[]', '{"key":"12345678"}', '{"ssid":5}', '{"ssid":"Home","key":12345678}', '{"ssid":"Home","key":"short"}', '{"ssid":""}']) {
    const res = await call(body);
    assert.equal(res.status, 400, body);
    assert.equal((res.body as { reason: string }).reason, 'bad-input', body);
  }
  assert.deepEqual(joins, [['Home', 'correct horse'], ['Cafe', undefined], ['Home', 'wrong key!']]);
});

test('a failing scan or join, or garbage on the wire, does not bring the server down', async () => {
  const { url } = await start({
    scan: async () => {
      throw new Error('radio busy');
    },
    join: async () => {
      throw new Error('boom');
    },
  });
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Scan failed: radio busy/);
  assert.equal((await fetch(`${url}api/scan`)).status, 500);
  assert.equal((await post(`${url}connect`, form({ ssid: 'Home', key: '' }))).status, 500);
  const api = await post(`${url}api/connect`, '{"ssid":"Home"}', JSON_TYPE);
  assert.equal(api.status, 500);
  assert.match(api.text, /boom/);

  const { port } = new URL(url);
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (b) => (text += b.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => {});
    socket.end('\x00\xff GARBAGE \r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 400/);
  assert.equal((await fetch(url)).status, 200);
});

test('joins run one at a time', async () => {
  let running = 0;
  let most = 0;
  const { url } = await start({
    join: async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return { ok: true, ip: '10.0.0.2' };
    },
  });
  const results = await Promise.all(
    [1, 2, 3].map(() => post(`${url}api/connect`, '{"ssid":"Home","key":"correct horse"}', JSON_TYPE)),
  );
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  assert.equal(most, 1);
});
