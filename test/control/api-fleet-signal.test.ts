/**
 * `/api/fleet/signal` on a plain `fc41d serve --control`: the chosen share of the modules loses
 * its signal (its joined host hears +QSTASTAT:WLAN_DISCONNECTED) while the others keep theirs,
 * and DELETE gives it back (the station rejoins by itself).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cleanUp, host, WAIT_MS } from '../helpers/cli.ts';
import { serveControl } from './control-client.ts';

after(cleanUp);

test('half of two serve modules lose their signal: that one disconnects, the other stays; DELETE brings it back', { timeout: 60_000 }, async () => {
  const { api, port, cli } = await serveControl('--echo', 'off', '--count', '2');
  const port1 = Number((await cli.waitFor(/^fc41d: module 1 listening on tcp 127\.0\.0\.1:(\d+)$/m))[1]);
  const hosts = [await host(port), await host(port1)];
  for (const h of hosts) {
    assert.equal((await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS)).final, 'OK');
    await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
  }
  const cut = await api('POST', '/api/fleet/signal', { percent: 50, rssi: -95 });
  assert.equal(cut.status, 200, cut.text);
  assert.equal(cut.json.modules.length, 1);
  const [lost] = cut.json.modules as number[];
  const kept = 1 - lost!;
  await hosts[lost!]!.expect('+QSTASTAT:WLAN_DISCONNECTED\r\n', WAIT_MS);
  assert.equal((await api('GET', `/api/modules/${kept}`)).json.wifi.state, 'connected', 'the other keeps its signal');
  assert.equal((await hosts[kept]!.command('AT+QWSCAN', WAIT_MS)).final, 'OK');
  const scanned = await hosts[lost!]!.command('AT+QWSCAN', WAIT_MS);
  assert.ok(!scanned.lines.some((l) => l.includes('"Office"')), `the one without signal hears no Office: ${scanned.lines.join(' | ')}`);

  assert.equal((await api('DELETE', '/api/fleet/signal')).status, 204);
  await hosts[lost!]!.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
});
