/**
 * Faults at fleet scale: a share of the devices loses its signal (World.setStationSignal through a
 * station's view, POST /api/fleet/signal's seeded choice) while the rest keep theirs, and the
 * telemetry behaviour reconnects once it is back — in-process (startFleet), against aedes.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { pickModules } from '../../src/control/routes-fleet.ts';
import { startFleet } from '../../src/fleet/runner.ts';
import { telemetryProgram } from '../../src/fleet/program.ts';
import { fleetMetricsText } from '../../src/fleet/prometheus.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { World } from '../../src/world/world.ts';
import { startAedes } from '../helpers/aedes.ts';

const BSSID = '02:00:00:00:00:01';

describe('a signal of their own', () => {
  test('a station hears every AP at its own signal; other stations and the world itself do not', () => {
    const world = new World(parseWorld({ accessPoints: [{ ssid: 'a', security: 'OPEN', bssid: BSSID, rssi: -40 }] }));
    const changes: string[] = [];
    world.on('ap', (ap, change) => changes.push(`${ap.ssid} ${change}`));
    const weak = 'AA:00:00:00:00:01';
    const fine = 'aa:00:00:00:00:02';
    world.setStationSignal(['aa:00:00:00:00:01'], -95);
    assert.deepEqual(changes, ['a changed'], 'stations are told to look again');
    assert.equal(world.find(BSSID, weak)?.rssi, -95, 'MACs match in any case');
    assert.deepEqual(world.audible(weak), []);
    assert.equal(world.find(BSSID, fine)?.rssi, -40);
    assert.equal(world.audible(fine).length, 1);
    assert.equal(world.find(BSSID)?.rssi, -40);
    world.setStationSignal(['aa:00:00:00:00:01'], null);
    assert.equal(world.audible(weak).length, 1);
    assert.equal(world.stationSignals().size, 0);
    world.dispose();
  });

  test('the route picks the same modules for the same seed, the right share of them', () => {
    assert.deepEqual(pickModules(100, 30, 1), pickModules(100, 30, 1));
    assert.equal(new Set(pickModules(100, 30, 1)).size, 30);
    assert.notDeepEqual(pickModules(100, 30, 1), pickModules(100, 30, 2));
    assert.deepEqual(pickModules(5, 5, 9), [0, 1, 2, 3, 4]);
  });
});

describe('the fleet recovers', () => {
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('3 of 10 devices lose signal: 7 keep their sessions, the 3 reconnect when it is back, each reconnect timed', { timeout: 30_000 }, async () => {
    const broker = await startAedes();
    cleanups.push(() => broker.close());
    const world = new World(parseWorld({ timeScale: 0.05, accessPoints: [{ ssid: 'Office', security: 'OPEN', bssid: BSSID }] }));
    cleanups.push(() => world.dispose());
    const program = telemetryProgram({ ssid: 'Office', brokerHost: '127.0.0.1', brokerPort: broker.port, intervalS: 0.2, seed: 1 });
    const run = startFleet({ world, start: 0, end: 10, program });
    cleanups.push(() => run.stop());
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(ok(), `${what}: ${JSON.stringify(run.snapshot())}`);
    };
    await until('all connected', () => run.snapshot().mqttConnected === 10);
    assert.ok(run.allConnectedMs()! > 0);

    const lost = pickModules(10, 3, 1).map((i) => run.modules[i]!.mac);
    world.setStationSignal(lost, -95);
    await until('3 lost', () => run.snapshot().mqttConnected === 7 && run.snapshot().joined === 7);
    const published = run.snapshot().publishes;
    await until('the others publish on', () => run.snapshot().publishes > published + 7);
    world.setStationSignal(lost, null);
    await until('all back', () => run.snapshot().mqttConnected === 10);
    assert.equal(run.snapshot().reconnects, 3);
    assert.equal(run.metrics.quantiles('reconnect_ms').count, 3);
    const page = fleetMetricsText(run);
    assert.match(page, /^fc41d_fleet_mqtt_connected 10$/m);
    assert.match(page, /^fc41d_fleet_reconnects_total 3$/m);
    assert.match(page, /^fc41d_fleet_reconnect_seconds\{quantile="0\.99"\} [\d.]+$/m);
    assert.match(page, /^fc41d_fleet_reconnect_seconds_count 3$/m);
    await run.stop();
    assert.equal(run.final().mqttConnected, 10, 'the figures as they were when the run stopped');
    assert.equal(run.snapshot().mqttConnected, 0, 'every session ended');
  });
});
