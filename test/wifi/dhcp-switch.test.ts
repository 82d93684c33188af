import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';

// §2.1.14/2.1.16: switching DHCP takes effect immediately on a connected station.
test('DHCP off swaps a lease for the static address; DHCP on swaps it back for the lease', async () => {
  const world = new World(parseWorld({ timeScale: 0.02, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  const ip = async () => (await host.command('AT+QGETIP=station')).lines[0];
  assert.equal((await host.command('AT+QSTAAPINFO=Office')).final, 'OK');
  await host.expect('+QSTASTAT:GOT_IP\r\n');
  assert.equal(await ip(), '+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1');

  assert.equal((await host.command('AT+QSTASTATIC=192.168.1.50,255.255.255.0,192.168.1.1,8.8.8.8')).final, 'OK');
  assert.equal(await ip(), '+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1', 'DHCP still on');
  assert.equal((await host.command('AT+QSTADHCP=0')).final, 'OK');
  await host.expect('+QSTASTAT:GOT_IP\r\n');
  assert.equal(await ip(), '+QGETIP:ip:192.168.1.50,gateway:192.168.1.1,mask:255.255.255.0,dns:8.8.8.8');

  assert.equal((await host.command('AT+QSTADHCP=1')).final, 'OK');
  await host.expect('+QSTASTAT:GOT_IP\r\n');
  assert.equal(await ip(), '+QGETIP:ip:192.168.1.100,gateway:192.168.1.1,mask:255.255.255.0,dns:192.168.1.1');
  m.close();
});
