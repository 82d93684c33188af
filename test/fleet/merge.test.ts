/** `fc41d fleet merge` (src/fleet/merge.ts): sums shards' results, fails on a duplicate identity. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { deviceIdentity } from '../../src/fleet/identity.ts';
import { mergeResults, readResults } from '../../src/fleet/merge.ts';
import { type FleetResults, RESULTS_FORMAT } from '../../src/fleet/results.ts';
import { shardRange } from '../../src/fleet/shard.ts';
import { BIN } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'fc41d-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A shard's results as a run would write them, with made-up figures. */
function shardResults(index: number, count: number, total: number, extra: Partial<FleetResults['figures']> = {}, reconnects: number[] = []): FleetResults {
  const { start, end } = shardRange(total, { index, count });
  const n = end - start;
  return {
    format: RESULTS_FORMAT,
    shard: { index, count },
    devicesTotal: total,
    range: { start, end },
    startedAt: new Date(0).toISOString(),
    durationS: 10,
    figures: {
      devices: n, modulesUp: n, joined: n, mqttConnected: n, peakJoined: n, peakMqttConnected: n,
      publishes: 10 * n, errors: index, reconnects: reconnects.length, allConnectedMs: 1000 + index, peakRssBytes: 100e6, counters: {},
      ...extra,
    },
    observations: { reconnect_ms: reconnects },
    identities: Array.from({ length: n }, (_, i) => deviceIdentity(start + i)),
  };
}

function write(name: string, r: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(r));
  return path;
}

const fc41d = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('fleet merge', () => {
  test('sums the shards, takes the slowest time to all connected and pools the reconnect times', () => {
    const files = [0, 1, 2, 3].map((i) => ({ path: `s${i}`, results: shardResults(i, 4, 100, {}, i === 1 ? [100, 200, 300] : [i * 1000]) }));
    const m = mergeResults(files);
    assert.equal(m.duplicates.length, 0);
    assert.equal(m.missing, 0);
    assert.equal(m.figures.devices, 100);
    assert.equal(m.figures.mqttConnected, 100);
    assert.equal(m.figures.distinctClientIds, 100);
    assert.equal(m.figures.publishes, 1000);
    assert.equal(m.figures.errors, 0 + 1 + 2 + 3);
    assert.equal(m.figures.allConnectedMs, 1003);
    assert.equal(m.figures.peakRssBytesSum, 400e6);
    assert.deepEqual(m.reconnectMs, { count: 6, p50: 200, p90: 3000, p99: 3000 });
  });

  test('a missing shard is reported, a never-connected one makes the time unknown', () => {
    const m = mergeResults([0, 1, 3].map((i) => ({ path: `s${i}`, results: shardResults(i, 4, 100, i === 3 ? { allConnectedMs: null } : {}) })));
    assert.equal(m.missing, 25);
    assert.equal(m.figures.allConnectedMs, null);
  });

  test('the CLI: exit 0 and the totals; exit 1 naming a duplicate identity; exit 2 for a file that is not results', () => {
    const paths = [0, 1].map((i) => write(`ok-${i}.json`, shardResults(i, 2, 10)));
    const ok = fc41d('fleet', 'merge', ...paths, '--out', join(dir, 'merged.json'));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /fc41d: fleet merged 2 shards: devices 10 of 10, distinct client ids 10/);
    assert.equal(JSON.parse(readFileText(join(dir, 'merged.json'))).figures.devices, 10);

    // Shard 1 run twice (a wrong index): the same identities in two files.
    const twice = write('dup.json', shardResults(1, 2, 10));
    const dup = fc41d('fleet', 'merge', ...paths, twice);
    assert.equal(dup.status, 1, dup.stdout + dup.stderr);
    assert.match(dup.stdout, /duplicate clientId fc41d-FC41D00000005 in .*ok-1\.json and .*dup\.json/);

    const bad = fc41d('fleet', 'merge', write('bad.json', { hello: 1 }));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.json: not a fleet results file/);
    assert.throws(() => readResults(join(dir, 'nope.json')), /nope\.json/);
  });
});

function readFileText(path: string): string {
  return spawnSync('cat', [path], { encoding: 'utf8' }).stdout;
}
