/**
 * FeatureHost.execute and watchUrcs (src/commands/detached-line.ts): AT text run away from the
 * UART, as Wi-Fi configuration over BLE does (example 4.2.3.2), and the URCs a feature may mirror.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModule } from '../../src/index.ts';
import type { Feature, FeatureHost } from '../../src/feature/feature.ts';
import { FEATURES } from '../../src/features.ts';
import { AtHost } from '../helpers/at-host.ts';

/** A feature with no commands that keeps its host, so the test can call what services can. */
function probe(): { feature: Feature<any>; host: () => FeatureHost } {
  let kept: FeatureHost | null = null;
  const feature: Feature<null> = {
    name: 'probe',
    sections: '',
    create: (host) => {
      kept = host;
      return null;
    },
    commands: [],
  };
  return { feature, host: () => kept! };
}

async function started() {
  const p = probe();
  const m = createModule({ features: [...FEATURES, p.feature], echo: false });
  const host = new AtHost(m.stream);
  await host.expect('ready');
  return { m, host, feature: p.host() };
}

test('execute: the echo, each response line and the final result with CRLF; the UART sees nothing', async (t) => {
  const { m, host, feature } = await started();
  t.after(() => m.close());
  let out = '';
  assert.equal(await feature.execute('AT+QVERSION', (s) => (out += s)), 'OK');
  assert.match(out, /^AT\+QVERSION\+QVERSION:FC41D\S+\r\nOK\r\n$/);
  out = '';
  assert.equal(await feature.execute('AT+QURCCFG=7', (s) => (out += s)), 'ERROR');
  assert.equal(out, 'AT+QURCCFG=7ERROR\r\n');
  out = '';
  assert.equal(await feature.execute('not a command', (s) => (out += s)), 'ERROR');
  assert.equal(out, 'not a commandERROR\r\n');
  // Chained commands run in order and stop at the first that fails, as on the UART.
  out = '';
  assert.equal(await feature.execute('AT+QECHO=1;+QURCCFG=9;+QECHO=0', (s) => (out += s)), 'ERROR');
  assert.equal(m.module.system.echo, true, 'the first command ran, the third did not');
  assert.equal(host.received.replace(/^\r\nready\r\n/, ''), '', 'nothing went to the UART');
  host.send('AT');
  await host.expect('\r\nOK\r\n');
});

test('execute: a command that wants data mode gets ERROR instead of a prompt', async (t) => {
  const { m, feature } = await started();
  t.after(() => m.close());
  let out = '';
  const final = await feature.execute('AT+QISEND=0,5', (s) => (out += s));
  assert.equal(final, 'ERROR');
  assert.ok(!out.includes('>'), out);
});

test('watchUrcs: every text URC that goes out, none while AT+QURCCFG=0, none after stop', async (t) => {
  const { m, host, feature } = await started();
  t.after(() => m.close());
  const seen: string[] = [];
  const stop = feature.watchUrcs((line) => seen.push(line));
  feature.urc('+QSTASTAT:WLAN_CONNECTED');
  feature.urc(Buffer.from('raw data'), { always: true });
  await host.expect('raw data');
  host.send('AT+QURCCFG=0');
  await host.expect('OK\r\n');
  feature.urc('+QSTASTAT:WLAN_DISCONNECTED');
  feature.urc('+QSTASTAT:GOT_IP', { always: true });
  stop();
  feature.urc('+QSTASTAT:SCAN_NO_AP', { always: true });
  assert.deepEqual(seen, ['+QSTASTAT:WLAN_CONNECTED', '+QSTASTAT:GOT_IP']);
});
