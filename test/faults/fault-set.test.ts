/** FaultSet on its own: validation naming the field, matching, ids, events, reset-connections. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { FaultSet, FaultSpecError } from '../../src/faults/faults.ts';
import { World, parseWorld } from '../../src/index.ts';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FaultSpecError, `a FaultSpecError, not ${String(error)}`);
    return error.field;
  }
  assert.fail('no error');
}

test('a bad spec throws FaultSpecError naming the field', () => {
  const set = new FaultSet();
  assert.equal(fieldOf(() => set.add({ kind: 'nope' } as never)), 'kind');
  assert.equal(fieldOf(() => set.add({ kind: 'udp-loss', rate: 2 })), 'rate');
  assert.equal(fieldOf(() => set.add({ kind: 'refuse', host: 'a', port: 0 })), 'port');
  assert.equal(fieldOf(() => set.add({ kind: 'refuse' } as never)), 'host');
  assert.equal(fieldOf(() => set.add({ kind: 'refuse', host: 'a', colour: 'red' } as never)), 'colour');
  assert.equal(fieldOf(() => set.add({ kind: 'uart-noise', rate: 0.1, mode: 'smash' } as never)), 'mode');
  assert.equal(set.list().length, 0, 'nothing was added');
});

test('ids, list, get, remove and the started/stopped events', () => {
  const set = new FaultSet({ now: () => new Date('2030-01-02T03:04:05Z') });
  const events: string[] = [];
  set.on('started', (f) => events.push(`+${f.id}`));
  set.on('stopped', (f) => events.push(`-${f.id}`));
  const a = set.add({ kind: 'dns-failure', host: 'x.test' });
  const b = set.add({ kind: 'uart-noise', rate: 0.5 });
  assert.deepEqual([a.id, b.id], ['f1', 'f2']);
  assert.equal(a.started, '2030-01-02T03:04:05.000Z');
  assert.equal(b.kind === 'uart-noise' && b.mode, 'both', 'defaults are filled in');
  assert.deepEqual(set.list().map((f) => f.id), ['f1', 'f2']);
  assert.equal(set.remove('f1')?.id, 'f1');
  assert.equal(set.remove('f1'), undefined);
  assert.equal(set.get('f1'), undefined);
  assert.equal(set.get('f2')?.kind, 'uart-noise');
  set.clear();
  assert.deepEqual(events, ['+f1', '+f2', '-f1', '-f2']);
});

test('find matches module, host as given or resolved (any case), port and SSID', () => {
  const set = new FaultSet();
  set.add({ kind: 'refuse', host: 'Broker.Test', port: 1883, module: 'module 1' });
  assert.ok(set.find('refuse', { module: 'module 1', host: 'broker.test', port: 1883 }));
  assert.ok(set.find('refuse', { module: 'module 1', host: '10.0.0.1', address: 'BROKER.TEST', port: 1883 }));
  assert.equal(set.find('refuse', { module: 'module 0', host: 'broker.test', port: 1883 }), undefined, 'other module');
  assert.equal(set.find('refuse', { module: 'module 1', host: 'broker.test', port: 80 }), undefined, 'other port');
  assert.equal(set.find('blackhole', { module: 'module 1', host: 'broker.test', port: 1883 }), undefined, 'other kind');
  set.add({ kind: 'latency', delayMs: 5 });
  assert.ok(set.find('latency', { host: 'anything', port: 1 }), 'no host: every host');
  set.add({ kind: 'dhcp-failure', ssid: 'Office' });
  assert.ok(set.find('dhcp-failure', { ssid: 'Office' }));
  assert.equal(set.find('dhcp-failure', { ssid: 'office' }), undefined, 'SSIDs are case-sensitive');
});

test('hit counts and is told; chance follows the random source', () => {
  const values = [0.1, 0.9];
  const set = new FaultSet({ random: () => values.shift() ?? 0 });
  const f = set.add({ kind: 'udp-loss', rate: 0.5 });
  const seen: number[] = [];
  set.on('hit', (fault, n) => seen.push(fault.hits, n));
  set.hit(set.find('udp-loss', {})!, 3);
  assert.equal(set.get(f.id)?.hits, 3);
  assert.deepEqual(seen, [3, 3]);
  assert.equal(set.chance(0.5), true);
  assert.equal(set.chance(0.5), false);
  assert.equal(set.chance(0), false);
  assert.equal(set.chance(1), true);
});

test('reset-connections resets the matching live connections with a real RST, and only those', async () => {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s.on('error', () => {})));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dial = async () => {
    const s = connect(port, '127.0.0.1');
    await once(s, 'connect');
    return s;
  };
  const set = new FaultSet();
  const [a, b] = [await dial(), await dial()];
  set.track(a, { module: 'module 0', host: 'peer.test', address: '127.0.0.1', port });
  set.track(b, { module: 'module 1', host: 'peer.test', address: '127.0.0.1', port });
  while (accepted.length < 2) await new Promise((r) => setTimeout(r, 5));
  const peerErrors = accepted.map((s) => new Promise<string>((r) => s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? '')).once('close', () => r('close'))));
  const f = set.add({ kind: 'reset-connections', host: 'PEER.test', module: 'module 0' });
  assert.equal(set.get(f.id)?.hits, 1);
  assert.equal(a.destroyed, true);
  assert.equal(b.destroyed, false, 'the other module keeps its connection');
  assert.equal(await peerErrors[0], 'ECONNRESET', 'the peer saw an RST');
  assert.ok(set.get(f.id), 'it stays listed until removed');
  b.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

test('World: faults, setHost/removeHost (any case), dhcp-failure, dispose clears', () => {
  const world = new World(parseWorld({ hosts: { 'Echo.Test': '10.0.0.5' }, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  world.setHost('echo.test', { address: '127.0.0.1', ports: { '7': 9999 } });
  assert.deepEqual(world.resolveHost('ECHO.TEST', 7), { address: '127.0.0.1', port: 9999 });
  assert.deepEqual(Object.keys(world.hostEntries()), ['echo.test'], 'the old spelling was replaced');
  assert.equal(world.removeHost('ECHO.test'), true);
  assert.equal(world.resolveHost('echo.test'), undefined);
  assert.equal(world.removeHost('echo.test'), false);

  const bssid = world.accessPoints()[0]!.bssid;
  world.faults.add({ kind: 'dhcp-failure', ssid: 'Office', module: 'module 1' });
  assert.equal(world.lease(bssid, '02:00:00:00:00:01', 'module 1'), null);
  assert.ok(world.lease(bssid, '02:00:00:00:00:00', 'module 0'), 'only module 1 is refused');
  assert.equal(world.faults.list()[0]!.hits, 1);
  world.dispose();
  assert.equal(world.faults.list().length, 0);
});
