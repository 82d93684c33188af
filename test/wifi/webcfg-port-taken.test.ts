// The provisioning page (§2.1.26) cannot listen because its port is taken: the module must stay
// consistent, answer as the manual allows (OK or ERROR), and never take the process down.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { AtHost } from '../helpers/at-host.ts';
import { noProcessErrors } from '../helpers/process-errors.ts';
import { wifi } from '../../src/wifi/feature.ts';

let blocker: Server;
let takenPort: number;
before(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

async function start(webcfgPort: number) {
  const world = new World(parseWorld({ timeScale: 0.02, accessPoints: [{ ssid: 'Office', security: 'OPEN' }] }));
  const m = createModule({ bootMs: 5, echo: false, world, webcfgPort });
  const host = new AtHost(m.stream);
  await host.expect('\r\nready\r\n');
  const failures: string[] = [];
  const urls: (string | null)[] = [];
  m.module.service(wifi).on('webcfgError', (message) => failures.push(message));
  m.module.service(wifi).on('webcfg', (url) => urls.push(url));
  const at = async (line: string) => (await host.command(line, 5000)).final;
  return { ...m, host, at, failures, urls };
}

test('port taken, page enabled first: AT+QSOFTAP still brings the AP up (OK), the failure is reported, AT+QRST survives', async () => {
  await noProcessErrors(async () => {
    const m = await start(takenPort);
    try {
      assert.equal(await m.at('AT+QWEBCFG=1'), 'OK', 'the soft-AP is down: nothing to serve yet');
      assert.equal(await m.at('AT+QSOFTAP=Setup'), 'OK', 'the AP came up; only the page failed');
      assert.equal(m.module.service(wifi).softAp.up, true);
      assert.equal(m.failures.length, 1);
      assert.match(m.failures[0]!, new RegExp(`port ${takenPort}.*EADDRINUSE`));
      assert.deepEqual(m.urls, []);
      assert.equal(m.module.service(wifi).webConfigUrl, null);
      // Nothing is wedged: every later command answers as before.
      assert.equal(await m.at('AT+QSOFTAPSTOP'), 'OK');
      assert.equal(await m.at('AT+QSOFTAP=Setup'), 'OK', 'not ERROR forever after');
      assert.equal(await m.at('AT+QAPSTATE'), 'OK');
      assert.equal(await m.at('AT+QWEBCFG=0'), 'OK');
      assert.equal(await m.at('AT+QWEBCFG=1'), 'ERROR', 'the page would start now and cannot: ERROR');
      assert.equal(m.module.service(wifi).saved.value.webcfg, false, 'a refused AT+QWEBCFG=1 is not saved');
      assert.equal(await m.at('AT'), 'OK');
      m.host.send('AT+QRST');
      await m.host.expect('\r\nready\r\n', 5000);
      assert.equal(await m.at('AT'), 'OK');
    } finally {
      m.close();
    }
  });
});

test('port freed later: the next start of the page works', async () => {
  await noProcessErrors(async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const port = (spare.address() as AddressInfo).port;
    const m = await start(port);
    try {
      assert.equal(await m.at('AT+QSOFTAP=Setup'), 'OK');
      assert.equal(await m.at('AT+QWEBCFG=1'), 'ERROR');
      await new Promise<void>((resolve) => spare.close(() => resolve()));
      assert.equal(await m.at('AT+QWEBCFG=1'), 'OK');
      assert.deepEqual(m.urls, [`http://127.0.0.1:${port}/`]);
      const res = await fetch(`http://127.0.0.1:${port}/api/scan`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      assert.equal(await m.at('AT+QWEBCFG=0'), 'OK');
      assert.deepEqual(m.urls, [`http://127.0.0.1:${port}/`, null]);
    } finally {
      m.close();
    }
  });
});

test('a saved AT+QWEBCFG=1 with the port taken: AT+QRST with the soft-AP up does not crash, and the module answers', async () => {
  await noProcessErrors(async () => {
    const m = await start(takenPort);
    try {
      assert.equal(await m.at('AT+QWEBCFG=1'), 'OK');
      assert.equal(await m.at('AT+QSOFTAP=Setup'), 'OK');
      for (let i = 0; i < 3; i++) {
        m.host.send('AT+QRST');
        await m.host.expect('\r\nready\r\n', 5000);
        assert.equal(await m.at('AT'), 'OK');
        assert.equal(await m.at('AT+QSOFTAP=Setup'), 'OK');
      }
    } finally {
      m.close();
    }
  });
});
