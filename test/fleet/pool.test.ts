/** DHCP pools past a /24 (src/world/ip.ts, schema.ts, World.lease) and the fleet's sizing (sizePools). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { moduleMac } from '../../src/device/mac.ts';
import { sizePools } from '../../src/fleet/runner.ts';
import { hostInSubnet, ipToInt, poolFor, poolSize } from '../../src/world/ip.ts';
import { parseWorld } from '../../src/world/schema.ts';
import { defaultWorld } from '../../src/world/default-world.ts';
import { World } from '../../src/world/world.ts';

const within = (ip: string, gateway: string, mask: string) => ((ipToInt(ip) & ipToInt(mask)) >>> 0) === ((ipToInt(gateway) & ipToInt(mask)) >>> 0);

describe('big DHCP pools', () => {
  test('host numbers carry past the last octet; inside a /24 nothing changes', () => {
    assert.equal(hostInSubnet('192.168.1.1', 57), '192.168.1.57');
    assert.equal(hostInSubnet('10.0.0.1', 300), '10.0.1.44');
    assert.equal(hostInSubnet('10.1.2.254', 20), '10.1.2.20');
  });

  test('the world file: a pool past 254 needs a mask that holds it', () => {
    const ap = (dhcp: object) => ({ accessPoints: [{ ssid: 'a', security: 'OPEN', dhcp }] });
    assert.throws(() => parseWorld(ap({ last: 255 })), /dhcp\.last/);
    assert.throws(() => parseWorld(ap({ gateway: '10.0.0.1', mask: '255.255.0.0', first: 100, last: 65_535 })), /last at most 65534/);
    assert.throws(() => parseWorld(ap({ mask: '255.0.255.0', last: 300 })), /dhcp\.mask/);
    const ok = parseWorld(ap({ gateway: '10.0.0.1', mask: '255.255.0.0', first: 100, last: 20_099 }));
    assert.equal(poolSize(ok.accessPoints[0]!.dhcp), 20_000);
  });

  test('poolFor widens the mask just enough and leaves a pool with room alone', () => {
    const office = { gateway: '192.168.1.1', mask: '255.255.255.0', first: 100, last: 199 };
    assert.equal(poolFor(office, 100), office);
    assert.deepEqual(poolFor(office, 10_000), { ...office, mask: '255.255.192.0', last: 10_099 });
    assert.deepEqual(poolFor(office, 155), { ...office, last: 254 }, 'the /24 still holds it');
    assert.deepEqual(poolFor(office, 156), { ...office, mask: '255.255.252.0', last: 255 }, '192.168.1.255 is the broadcast of the /23');
    const gatewayInside = { gateway: '10.0.0.1', mask: '255.255.255.0', first: 1, last: 10 };
    assert.equal(poolSize(poolFor(gatewayInside, 300)!), 300, 'the gateway\'s own address is not counted');
    assert.equal(poolFor(office, 1e9), null);
  });

  test('10,000 stations on the default world\'s Office get distinct addresses inside its subnet', () => {
    const world = defaultWorld();
    try {
      sizePools(world, 10_000);
      const office = world.accessPoints().find((a) => a.ssid === 'Office')!;
      const { gateway, mask } = office.dhcp;
      const seen = new Set<string>();
      const t0 = performance.now();
      for (let i = 0; i < 10_000; i++) {
        const lease = world.lease(office.bssid, moduleMac(i));
        assert.ok(lease, `station ${i} got no lease`);
        assert.ok(within(lease.ip, gateway, mask), `${lease.ip} outside ${gateway}/${mask}`);
        assert.notEqual(lease.ip, gateway);
        assert.equal(lease.mask, mask);
        seen.add(lease.ip);
      }
      const took = performance.now() - t0;
      assert.equal(seen.size, 10_000);
      assert.ok(took < 5000, `leases took ${took} ms`); // linear, not quadratic (a generous bound, not a benchmark)
      assert.equal(world.lease(office.bssid, moduleMac(1234))?.ip, [...seen][1234], 'a station keeps its address');
      assert.equal(world.isLeased(office.bssid, [...seen][9999]!), true);
      assert.equal(world.isLeased(office.bssid, gateway), false);
    } finally {
      world.dispose();
    }
  });

  test('the gateway inside the pool is skipped; a full pool says null', () => {
    const world = new World(parseWorld({ accessPoints: [{ ssid: 'a', security: 'OPEN', bssid: '02:00:00:00:00:01', dhcp: { gateway: '10.0.0.5', first: 4, last: 6 } }] }));
    const ips = ['a', 'b'].map((m) => world.lease('02:00:00:00:00:01', m)?.ip);
    assert.deepEqual(ips, ['10.0.0.4', '10.0.0.6']);
    assert.equal(world.lease('02:00:00:00:00:01', 'c'), null);
    world.dispose();
  });
});
