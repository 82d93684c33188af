/** Fleet identities (src/fleet/identity.ts) and shard slices (src/fleet/shard.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceIdentity, serialOf } from '../../src/fleet/identity.ts';
import { parseShard, shardFromEnv, shardRange } from '../../src/fleet/shard.ts';

describe('device identities', () => {
  test('index 0 is the default module; BLE is MAC + 1; client id and serial from the index', () => {
    assert.deepEqual(deviceIdentity(0), { index: 0, mac: 'c8:47:8c:42:00:48', bleAddress: 'c8:47:8c:42:00:49', clientId: 'fc41d-FC41D00000000', serial: 'FC41D00000000' });
    const d = deviceIdentity(1_000_000);
    assert.equal(d.serial, 'FC41D01000000');
    assert.equal(d.clientId, `fc41d-${d.serial}`);
    assert.equal(serialOf(42), 'FC41D00000042');
    assert.throws(() => deviceIdentity(-1), RangeError);
    assert.throws(() => deviceIdentity(1.5), RangeError);
  });

  test('up to a million devices: every MAC, BLE address, client id and serial distinct (MACs and BLE addresses together too)', () => {
    // MAC = default + 2·index is one-to-one far beyond 1e6; checked exhaustively on the first
    // 100,000 and on the last 50,000 below a million (each loop ≈ 1 s).
    const addresses = new Set<string>();
    const ids = new Set<string>();
    const ranges = [[0, 100_000], [950_000, 1_000_000]] as const;
    for (const [from, to] of ranges) {
      for (let i = from; i < to; i++) {
        const d = deviceIdentity(i);
        addresses.add(d.mac);
        addresses.add(d.bleAddress);
        ids.add(d.clientId);
        ids.add(d.serial);
      }
    }
    assert.equal(addresses.size, 2 * 150_000, "no Wi-Fi MAC equals another device's BLE address");
    assert.equal(ids.size, 2 * 150_000);
    assert.equal(deviceIdentity(999_999).mac, 'c8:47:8c:60:84:c6');
  });
});

describe('shards', () => {
  test('slices are disjoint, cover every index once, and match i*ceil(total/N)', () => {
    for (const [total, count] of [[100, 4], [1000, 4], [10, 3], [7, 7], [5, 8], [1, 1]] as const) {
      const seen = new Set<number>();
      for (let index = 0; index < count; index++) {
        const { start, end } = shardRange(total, { index, count });
        assert.equal(start, Math.min(total, index * Math.ceil(total / count)));
        for (let i = start; i < end; i++) {
          assert.ok(!seen.has(i), `index ${i} in two shards (${total}/${count})`);
          seen.add(i);
        }
      }
      assert.equal(seen.size, total, `${total} devices over ${count} shards`);
    }
  });

  test('identities of different shards never meet', () => {
    const owner = new Map<string, number>();
    for (let index = 0; index < 4; index++) {
      const { start, end } = shardRange(1000, { index, count: 4 });
      for (let i = start; i < end; i++) {
        const d = deviceIdentity(i);
        for (const v of [d.mac, d.bleAddress, d.clientId, d.serial]) {
          assert.equal(owner.get(v), undefined, `${v} in shards ${owner.get(v)} and ${index}`);
          owner.set(v, index);
        }
      }
    }
    assert.equal(owner.size, 4000);
  });

  test('--shard i/N and the environment (JOB_COMPLETION_INDEX, FC41D_SHARD_COUNT)', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.throws(() => parseShard('4/4'), /below N/);
    assert.throws(() => parseShard('1/0'), /at least 1/);
    assert.throws(() => parseShard('x'), /i\/N/);
    assert.equal(shardFromEnv({}), undefined);
    assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '3', FC41D_SHARD_COUNT: '8' }), { index: 3, count: 8 });
    assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' }), /FC41D_SHARD_COUNT/);
  });
});
