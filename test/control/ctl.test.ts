/**
 * `fc41d ctl` against a real `fc41d serve --control`: JSON on stdout and exit 0; a refusal
 * exits 1 with the API's message on stderr; bad usage and an unreachable API exit 2. The
 * verbs map to the documented endpoints (checked through the API's own state).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { BIN, cleanUp, host, WAIT_MS } from '../helpers/cli.ts';
import { type Api, serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
let api: Api;
let base: string;
const TOKEN = 'ctl-test-token';

before(async () => {
  const served = await serveControl('--echo', 'off', '--control-token', TOKEN);
  ({ base } = served);
  api = (await import('./control-client.ts')).client(base, TOKEN);
  await host(served.port);
});
after(cleanUp);

/** Runs `fc41d ctl …` to the end. */
function ctl(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BIN, 'ctl', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FC41D_CONTROL_URL: '', FC41D_CONTROL_TOKEN: '', ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b) => (stdout += b));
    proc.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => proc.kill('SIGKILL'), WAIT_MS);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('ctl: JSON on stdout and exit 0; --url and --token, or $FC41D_CONTROL_URL and $FC41D_CONTROL_TOKEN', TEST, async () => {
  const modules = await ctl(['--url', base, '--token', TOKEN, 'modules']);
  assert.equal(modules.code, 0, modules.stderr);
  assert.equal(JSON.parse(modules.stdout)[0].label, 'module 0');

  const env = { FC41D_CONTROL_URL: base, FC41D_CONTROL_TOKEN: TOKEN };
  const [rssi, fault] = await Promise.all([ctl(['ap', 'Office', 'rssi', '-85'], env), ctl(['fault', 'add', 'udp-loss', 'rate=0.5', 'module=0'], env)]);
  assert.equal(rssi.code, 0, rssi.stderr);
  assert.equal(JSON.parse(rssi.stdout).rssi, -85);
  assert.equal(fault.code, 0, fault.stderr);
  const added = JSON.parse(fault.stdout);
  assert.deepEqual([added.kind, added.rate, added.module], ['udp-loss', 0.5, 0], 'numbers parsed');
  assert.deepEqual((await api('GET', '/api/faults')).json.map((f: { id: string }) => f.id), [added.id]);

  const [list, trace] = await Promise.all([ctl(['fault', 'list'], env), ctl(['trace', '--module', '0'], env)]);
  assert.equal(JSON.parse(list.stdout)[0].id, added.id);
  const records = trace.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.length > 0 && records.every((r) => r.module === 'module 0'));
  assert.equal((await ctl(['fault', 'rm', added.id], env)).code, 0);
  assert.deepEqual((await api('GET', '/api/faults')).json, []);
  const down = await ctl(['ap', 'Guest', 'down'], env);
  assert.equal(down.code, 0);
  assert.equal((await api('GET', '/api/world')).json.accessPoints.find((ap: { ssid: string }) => ap.ssid === 'Guest').up, false);
});

test('ctl: the API refusing exits 1 with its message on stderr; bad usage and no connection exit 2', TEST, async () => {
  const env = { FC41D_CONTROL_URL: base, FC41D_CONTROL_TOKEN: TOKEN };
  const [missing, badField, noToken, usage, noVerb, unreachable] = await Promise.all([
    ctl(['ap', 'Nowhere', 'down'], env),
    ctl(['fault', 'add', 'refuse', 'host=x', 'colour=red'], env),
    ctl(['--url', base, 'modules']),
    ctl(['ap', 'Office', 'rssi', 'loud'], env),
    ctl([], env),
    ctl(['--url', `http://127.0.0.1:${await closedPort()}`, 'modules']),
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /404 no access point Nowhere/);
  assert.equal(missing.stdout, '');
  assert.equal(badField.code, 1);
  assert.match(badField.stderr, /400 unknown field "colour"/);
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /401/);
  assert.equal(usage.code, 2);
  assert.equal(noVerb.code, 2);
  assert.match(noVerb.stderr, /usage: fc41d ctl/);
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  for (const r of [missing, usage, unreachable]) assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
});

/** A port nothing listens on (one that just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
