/** Fleet metrics (src/fleet/metrics.ts), their Prometheus text, and GET /metrics on a control server. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { registerMetrics } from '../../src/control/routes-metrics.ts';
import { startControlServer } from '../../src/control/server.ts';
import { backoffMs } from '../../src/fleet/backoff.ts';
import { FleetMetrics, percentile } from '../../src/fleet/metrics.ts';
import { progressLine } from '../../src/fleet/summary.ts';
import { seededRandom } from '../../src/random.ts';
import { TraceHub } from '../../src/trace-hub.ts';
import { defaultWorld } from '../../src/world/default-world.ts';

describe('fleet metrics', () => {
  test('gauges by ±1 with their peak, counters, percentiles by nearest rank, rates over the window', () => {
    const m = new FleetMetrics();
    for (let i = 0; i < 5; i++) m.inc('mqtt_connected');
    m.inc('mqtt_connected', -2);
    m.inc('publishes', Number.NaN); // a program's bad number is ignored
    assert.equal(m.get('mqtt_connected'), 3);
    assert.equal(m.peak('mqtt_connected'), 5);
    assert.equal(m.get('publishes'), 0);
    for (const ms of [5, 1, 4, 2, 3]) m.observe('reconnect_ms', ms);
    assert.deepEqual(m.quantiles('reconnect_ms'), { count: 5, p50: 3, p90: 5, p99: 5, max: 5 });
    assert.equal(percentile([], 50), undefined);
    m.tick(1000);
    m.inc('publishes', 50);
    m.tick(6000);
    assert.equal(m.rate('publishes'), 10);
    assert.ok(m.peakRssBytes() > 1e6);
  });

  test('back-off doubles to its cap with equal jitter, the same for the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let n = 0; n < 12; n++) {
      const ceiling = Math.min(30_000, 500 * 2 ** n);
      const d = backoffMs(n, a);
      assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${n}: ${d}`);
      assert.equal(d, backoffMs(n, b));
    }
  });

  test('the progress bar: # with a session, + started, . not yet', () => {
    const s = { devices: 8, started: 6, modulesUp: 6, joined: 4, mqttConnected: 2, publishes: 9, errors: 0, reconnects: 0, publishesPerS: 1.5, errorsPerS: 0 };
    assert.equal(progressLine(s, 100 * 1024 * 1024, 8), '[##++++..] started 6/8 · up 6 · joined 4 · MQTT 2 · pub 9 (1.5/s) · err 0 · RSS 100 MB');
  });
});

describe('GET /metrics', () => {
  test('Prometheus text: modules and memory always, the fleet\'s lines when one registered; listed in /openapi.json', async () => {
    const world = defaultWorld();
    const trace = new TraceHub(0);
    const server = await startControlServer({ modules: [], world, trace }, { host: '127.0.0.1', port: 0 });
    try {
      const get = async () => {
        const res = await fetch(new URL('/metrics', server.url));
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
        return res.text();
      };
      const plain = await get();
      assert.match(plain, /^# TYPE fc41d_modules_up gauge\nfc41d_modules_up 0$/m);
      assert.match(plain, /^process_resident_memory_bytes \d+$/m);
      assert.doesNotMatch(plain, /fc41d_fleet_/);
      // Every sample line is NAME{labels} VALUE, every metric has HELP and TYPE.
      const unregister = registerMetrics(world, () => '# HELP fc41d_fleet_x X.\n# TYPE fc41d_fleet_x gauge\nfc41d_fleet_x{name="a"} 1\n');
      const page = await get();
      for (const line of page.trimEnd().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/, line);
      assert.match(page, /^fc41d_fleet_x\{name="a"\} 1$/m);
      unregister();
      assert.doesNotMatch(await get(), /fc41d_fleet_x/);
      const doc = (await (await fetch(new URL('/openapi.json', server.url))).json()) as { paths: Record<string, unknown> };
      assert.ok(doc.paths['/metrics']);
      assert.ok(doc.paths['/api/fleet/signal']);
    } finally {
      await server.close();
      world.dispose();
      trace.close();
    }
  });
});
