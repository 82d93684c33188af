/**
 * Who may drive the emulator (docs/control.md "Security"): a non-loopback --control without a
 * token refuses to start (exit 2); with a token every API request and the WebSocket need it
 * (401 otherwise); a foreign Origin and a Host that is not this loopback server (DNS
 * rebinding) get 403, on HTTP and on the WebSocket upgrade.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as connectRaw } from 'node:net';
import { afterEach, test } from 'node:test';
import { WebSocket } from 'ws';
import { Cli, cleanUp, cleanups, host } from '../helpers/cli.ts';
import { client, serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
const TOKEN = 'sekrit-token-123';
afterEach(cleanUp);

/** A WebSocket to /api/live: 'open', or the HTTP status it was refused with. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    cleanups.push(() => ws.terminate());
    ws.on('open', () => resolve('open'));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

/** A raw GET with a Host header of our choosing (fetch will not send another Host). */
function getWithHost(base: string, path: string, hostHeader: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('--control 0.0.0.0 without a token refuses to start (exit 2); a short token too', TEST, async () => {
  const open = new Cli(['serve', '--tcp', '127.0.0.1:0', '--control', '0.0.0.0:0']);
  assert.equal((await open.exited).code, 2);
  assert.match(open.stderr, /--control-token/);
  assert.doesNotMatch(open.stdout, /listening/, 'nothing started');
  const short = new Cli(['serve', '--tcp', '127.0.0.1:0', '--control', '127.0.0.1:0', '--control-token', 'abc']);
  assert.equal((await short.exited).code, 2);
});

test('with --control-token: 401 without it or with a wrong one, 200 with it; the WebSocket takes it as a header or ?token=', TEST, async () => {
  const { cli } = await serveControlOn('0.0.0.0:0', '--control-token', TOKEN);
  const base = (await cli.waitFor(/^fc41d: control http:\/\/0\.0\.0\.0:(\d+)\/$/m))[1]!;
  const url = `http://127.0.0.1:${base}`;
  const none = await client(url)('GET', '/api/modules');
  assert.equal(none.status, 401);
  assert.match(none.json.error, /Bearer/);
  assert.equal((await client(url, 'wrong-token-xyz')('GET', '/api/modules')).status, 401);
  assert.equal((await client(url)('GET', '/openapi.json')).status, 401);
  const ok = await client(url, TOKEN)('GET', '/api/modules');
  assert.equal(ok.status, 200);
  assert.equal(ok.json[0].label, 'module 0');
  // The dashboard needs the token too: in its URL, which sets a cookie for the page's own files.
  assert.equal((await fetch(`${url}/`)).status, 401, 'no dashboard without the token');
  assert.equal((await fetch(`${url}/dashboard.js`)).status, 401);
  assert.equal((await fetch(`${url}/?token=nope-nope-nope`)).status, 401);
  const page = await fetch(`${url}/?token=${TOKEN}`);
  assert.equal(page.status, 200);
  const cookie = page.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^fc41d_control=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
  assert.equal((await fetch(`${url}/dashboard.js`, { headers: { cookie: cookie.split(';')[0]! } })).status, 200, 'the page\'s script, with the cookie');
  assert.equal((await fetch(`${url}/api/modules`, { headers: { cookie: cookie.split(';')[0]! } })).status, 401, 'the API takes only the Bearer token');

  const ws = `ws://127.0.0.1:${base}/api/live`;
  assert.equal(await upgrade(ws), 401);
  assert.equal(await upgrade(`${ws}?token=nope-nope-nope`), 401);
  assert.equal(await upgrade(`${ws}?token=${TOKEN}`), 'open');
  assert.equal(await upgrade(ws, { authorization: `Bearer ${TOKEN}` }), 'open');
});

test('a foreign Origin is refused (403) on HTTP and on the WebSocket; the own origin is served; a rebinding Host is refused', TEST, async () => {
  const { base, api, port } = await serveControl();
  await host(port); // powers the module up
  const foreign = await api('POST', '/api/modules/0/power-cut', undefined, { origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal((await api('GET', '/api/modules')).json[0].power, 'on', 'the refused request did nothing');
  assert.equal((await api('GET', '/api/modules', undefined, { origin: base })).status, 200);
  assert.equal((await api('GET', '/', undefined, { origin: 'null' })).status, 403);

  const ws = base.replace('http:', 'ws:') + '/api/live';
  assert.equal(await upgrade(ws, { origin: 'http://evil.example' }), 403);
  assert.equal(await upgrade(ws, { origin: base }), 'open');
  assert.equal(await upgrade(base.replace('http:', 'ws:') + '/elsewhere'), 404);

  assert.equal(await getWithHost(base, '/api/modules', 'evil.example'), 403);
  assert.equal(await getWithHost(base, '/api/modules', `localhost:${new URL(base).port}`), 200);
});

async function serveControlOn(address: string, ...args: string[]) {
  const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--control', address, ...args]);
  await cli.waitFor(/^fc41d: module 0 listening/m);
  return { cli };
}

test('nothing sent to the API stops the process: a huge body (413), garbage HTTP, bad escapes, odd JSON, a chatty WebSocket', TEST, async () => {
  const { base, api, cli } = await serveControl();
  const huge = await api('PATCH', '/api/world/access-points/Office', JSON.stringify({ password: 'x'.repeat(2 * 1024 * 1024) }));
  assert.equal(huge.status, 413);
  for (const body of ['null', '[]', '"up"', '{"up":"yes"}']) {
    const res = await api('PATCH', '/api/world/access-points/Office', body);
    assert.equal(res.status, 400, body);
  }
  assert.equal((await api('GET', '/api/world/access-points/%E0%A4%A')).status, 404);
  const url = new URL(base);
  await new Promise<void>((resolve) => {
    const raw = connectRaw(Number(url.port), '127.0.0.1');
    raw.on('error', () => resolve());
    raw.on('close', () => resolve());
    raw.write('GARBAGE \x00\x01 NOT HTTP\r\n\r\n');
  });
  const ws = new WebSocket(base.replace('http:', 'ws:') + '/api/live');
  cleanups.push(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send('x'.repeat(100_000));
  assert.equal(await closed, 1009, 'a message too big for the live feed closes that client only');
  assert.equal((await api('GET', '/api/modules')).status, 200, 'still serving');
  assert.equal(cli.proc.exitCode, null);
  assert.doesNotMatch(cli.stderr, /internal error/);
});
