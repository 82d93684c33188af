/**
 * `fc41d fleet` end to end, as a user runs it: the built-in telemetry behaviour against Debian's
 * mosquitto (20 sessions, publishes, the summary, the results file, /metrics scraped during the
 * run), and a 10-line device.js using the client library.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Cli, cleanUp, serveTcp, tempDir } from '../helpers/cli.ts';
import { mosquittoSkipReason, startMosquitto } from '../helpers/mosquitto.ts';
import { ResultsSchema } from '../../src/fleet/results.ts';
import { type FleetCliOptions, runFleet } from '../../src/cli/fleet.ts';
import { UsageError } from '../../src/cli/options.ts';

afterEach(cleanUp);
const TEST = { timeout: 40_000 };

/** The value of one sample line of a Prometheus text page. */
function sample(page: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(page);
  return m ? Number(m[1]) : undefined;
}

describe('fc41d fleet', () => {
  test('--behaviour telemetry: 20 MQTT sessions on mosquitto, publishes, /metrics during the run, the summary and the results', { ...TEST, skip: mosquittoSkipReason() }, async () => {
    const broker = await startMosquitto();
    try {
      const dir = tempDir();
      const results = join(dir, 'f.json');
      const cli = new Cli(['fleet', '--devices', '20', '--behaviour', 'telemetry', '--ap', 'Office:correct-horse', '--broker', `127.0.0.1:${broker.port}`,
        '--interval', '1', '--duration', '4', '--results', results, '--control', '0']);
      const url = (await cli.waitFor(/^fc41d: control (http:\/\/\S+)$/m))[1]!;
      let page = '';
      for (let i = 0; i < 100 && sample(page, 'fc41d_fleet_mqtt_connected') !== 20; i++) {
        const res = await fetch(new URL('/metrics', url));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        page = await res.text();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(sample(page, 'fc41d_fleet_mqtt_connected'), 20, page);
      assert.equal(sample(page, 'fc41d_fleet_devices'), 20);
      assert.equal(sample(page, 'fc41d_modules_up'), 20);
      assert.equal(sample(page, 'fc41d_fleet_joined'), 20);
      for (const name of ['fc41d_fleet_publishes_total', 'fc41d_fleet_errors_total', 'fc41d_fleet_publishes_per_second', 'process_resident_memory_bytes']) {
        assert.ok(sample(page, name)! >= 0, `${name} in ${page}`);
      }

      const { code } = await cli.exited;
      assert.equal(code, 0, cli.stderr);
      assert.match(cli.stdout, /^fc41d: fleet MQTT connected 20 \(peak 20\), all connected after /m);
      const publishes = Number(/^fc41d: fleet publishes (\d+), errors 0$/m.exec(cli.stdout)?.[1]);
      assert.ok(publishes > 0, cli.stdout);
      assert.match(cli.stdout, /^fc41d: fleet reconnects 0, reconnect time p50 – p90 – p99 –$/m);
      assert.match(cli.stdout, /^fc41d: fleet peak RSS \d+ MB/m);

      const r = ResultsSchema.parse(JSON.parse(readFileSync(results, 'utf8')));
      assert.equal(r.identities.length, 20);
      assert.equal(r.figures.peakMqttConnected, 20);
      assert.equal(r.figures.publishes, publishes);
      // mosquitto saw every client id, once each.
      const ids = new Set([...broker.log().matchAll(/ as (fc41d-FC41D\d{8})/g)].map((m) => m[1]));
      assert.deepEqual([...ids].sort(), r.identities.map((d) => d.clientId).sort());
    } finally {
      await broker.kill();
    }
  });

  test('--device: a 10-line device.js using the client runs on every device, with its identity, and unchanged against fc41d serve (--target)', TEST, async () => {
    const dir = tempDir();
    const device = join(dir, 'device.js');
    copyFileSync(fileURLToPath(new URL('../../examples/fleet/device.js', import.meta.url)), device); // the example docs/fleet.md shows
    const cli = new Cli(['fleet', '--devices', '5', '--device', device, '--results', join(dir, 'r.json')]);
    const { code } = await cli.exited;
    assert.equal(code, 0, cli.stderr);
    assert.match(cli.stdout, /^fc41d: fleet publishes 0, errors 0$/m, cli.stdout + cli.stderr);
    for (let i = 0; i < 5; i++) assert.match(cli.stderr, new RegExp(`^fc41d: device ${i}: FC41D0000000${i} ok$`, 'm'));
    const r = ResultsSchema.parse(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')));
    assert.equal(r.figures.counters.checked, 5);

    // The same file, unchanged, against one `fc41d serve` over TCP (its module 0 has device 0's MAC).
    const { port } = await serveTcp();
    const one = new Cli(['fleet', '--device', device, '--target', `tcp:127.0.0.1:${port}`]);
    assert.equal((await one.exited).code, 0, one.stderr);
    assert.match(one.stderr, /^fc41d: device 0: FC41D00000000 ok$/m);
    assert.match(one.stdout, /^fc41d: fleet publishes 0, errors 0$/m);
  });

  test('usage: no program, no --devices, a device file without run() or missing, a bad --shard or --ap: a UsageError (exit 2)', TEST, async () => {
    const dir = tempDir();
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, 'export const x = 1;\n');
    const cases: [FleetCliOptions, RegExp][] = [
      [{ devices: 3 }, /either --device FILE or --behaviour telemetry/],
      [{ behaviour: 'telemetry' }, /needs --devices N/],
      [{ devices: 3, device: empty }, /exports no function run/],
      [{ devices: 3, device: join(dir, 'nope.js') }, /nope\.js: cannot load it/],
      [{ devices: 3, behaviour: 'telemetry', shard: '4/4' }, /i must be below N/],
      [{ devices: 3, behaviour: 'telemetry', ap: 'Nowhere:x' }, /no access point of that name/],
    ];
    for (const [opts, why] of cases) await assert.rejects(runFleet(opts), (e: Error) => e instanceof UsageError && why.test(e.message));
    // As the command line shows it: one line, exit 2.
    const cli = new Cli(['fleet', '--devices', '0', '--behaviour', 'telemetry']);
    assert.equal((await cli.exited).code, 2);
    assert.match(cli.stderr, /^error: option '--devices <n>' argument '0' is invalid\. expected an integer from 1/);
  });
});
