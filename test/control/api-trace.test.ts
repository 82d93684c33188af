/**
 * The trace through the control API: the live WebSocket delivers what a TCP host sends as it
 * happens (with wall-clock `time`), GET /api/trace returns the stored records as NDJSON filtered
 * by module and time, changes made through the API and faults are traced, and the --trace file
 * carries the same records.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { WebSocket } from 'ws';
import { cleanUp, cleanups, host, WAIT_MS } from '../helpers/cli.ts';
import { serveControl } from './control-client.ts';

const TEST = { timeout: 60_000 };
const dir = mkdtempSync(join(tmpdir(), 'fc41d-control-trace-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(cleanUp);

/** Opens /api/live; `next(match)` waits for the first record (from now on) that fits. */
async function live(url: string) {
  const ws = new WebSocket(url);
  cleanups.push(() => ws.terminate());
  const records: any[] = [];
  let wake = () => {};
  ws.on('message', (data) => {
    records.push(JSON.parse(String(data)));
    wake();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    records,
    async next(match: (r: any) => boolean): Promise<any> {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const found = records.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching record in ${JSON.stringify(records)}`);
        await new Promise<void>((r) => ((wake = r), setTimeout(r, 100)));
      }
    },
  };
}

test('/api/live delivers the command a TCP host sent and the answer, as they happen; ?module= filters', TEST, async () => {
  const { base, port } = await serveControl('--echo', 'off', '--count', '2');
  const wsBase = base.replace('http:', 'ws:');
  const all = await live(`${wsBase}/api/live`);
  const second = await live(`${wsBase}/api/live?module=1`);
  const h = await host(port);
  const before = Date.now();
  h.send('AT+QVERSION');
  const command = await all.next((r) => r.dir === 'in' && r.command === 'AT+QVERSION');
  assert.equal(command.module, 'module 0');
  const at = Date.parse(command.time);
  assert.ok(at >= before - 5 && at <= Date.now() + 5, `wall-clock time ${command.time}`);
  assert.match(command.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(typeof command.t, 'number');
  await all.next((r) => r.dir === 'out' && r.kind === 'final' && r.line === 'OK');
  await all.next((r) => r.dir === 'info' && r.host === 'connected');
  assert.equal(second.records.filter((r) => r.module !== 'module 1').length, 0, 'module 1 only');
  assert.equal(second.records.some((r) => r.command === 'AT+QVERSION'), false);

  const refused = await fetch(`${base}/api/trace?module=9`);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).field, 'module');
});

test('GET /api/trace is NDJSON filtered by module, since and until; API changes and faults are traced', TEST, async () => {
  const trace = join(dir, 'trace.jsonl');
  const { base, port, api } = await serveControl('--echo', 'off', '--count', '2', '--trace', trace);
  const h = await host(port);
  assert.equal((await h.command('AT', WAIT_MS)).final, 'OK');
  const middle = new Date();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await api('PATCH', '/api/world/access-points/Office', { rssi: -70 })).status, 200);
  const fault = (await api('POST', '/api/faults', { kind: 'refuse', host: 'example.com', module: 1 })).json;
  assert.equal((await api('DELETE', `/api/faults/${fault.id}`)).status, 204);

  const res = await fetch(`${base}/api/trace`);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  const records = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.some((r) => r.module === 'module 0' && r.command === 'AT'));
  const change = records.find((r) => r.world);
  assert.equal(change.module, undefined, "a world record has no module");
  assert.equal(change.world.accessPoint.ssid, 'Office');
  assert.deepEqual(change.world.patch, { rssi: -70 });
  const started = records.find((r) => r.faultStarted);
  assert.equal(started.module, 'module 1', 'a fault on one module is that module\'s record');
  assert.equal(started.faultStarted.id, fault.id);
  assert.ok(records.some((r) => r.faultStopped?.id === fault.id));

  const ndjson = async (query: string) => (await (await fetch(`${base}/api/trace?${query}`)).text()).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const zero = await ndjson('module=0');
  assert.ok(zero.length > 0 && zero.every((r) => r.module === 'module 0'));
  const since = await ndjson(`since=${encodeURIComponent(middle.toISOString())}`);
  assert.ok(since.length > 0 && since.every((r) => Date.parse(r.time) >= middle.getTime()));
  assert.equal(since.some((r) => r.command === 'AT'), false, 'the command came before');
  const until = await ndjson(`until=${middle.getTime()}`);
  assert.ok(until.some((r) => r.command === 'AT') && until.every((r) => Date.parse(r.time) <= middle.getTime()));
  const bad = await fetch(`${base}/api/trace?since=yesterday`);
  assert.deepEqual([bad.status, (await bad.json()).field], [400, 'since']);

  await cleanUp(); // SIGTERM: the file is flushed
  const file = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(file.every((r) => typeof r.time === 'string' && typeof r.t === 'number'));
  assert.ok(file.some((r) => r.world?.accessPoint?.ssid === 'Office'));
  assert.ok(file.some((r) => r.faultStarted?.id === fault.id));
});
