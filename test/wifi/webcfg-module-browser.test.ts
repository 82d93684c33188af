// Provisioning end to end (§2.1.26): a real module opens its soft-AP, AT+QWEBCFG=1 serves the
// page, a person in Chromium picks the AP and types the key; the module joins, says so in
// URCs, and saves the AP. Screenshot: test-artifacts/webcfg-module.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createModule, parseWorld, World } from '../../src/index.ts';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';
import { AtHost } from '../helpers/at-host.ts';
import { wifi } from '../../src/wifi/feature.ts';

describe('provisioning a real module from Chromium', { skip: browserSkipReason() }, () => {
  test('AT+QWEBCFG=1 with the soft-AP up: the page joins and saves the AP', async () => {
    const world = new World(
      parseWorld({
        timeScale: 0.02,
        accessPoints: [
          { ssid: 'Office', security: 'WPA2_AES_PSK', password: 'correct-horse', rssi: -48, channel: 6, bssid: 'f0:9b:b8:32:94:b0' },
          { ssid: 'Guest', security: 'OPEN', rssi: -70, channel: 11 },
        ],
      }),
    );
    const m = createModule({ bootMs: 5, echo: false, world });
    const host = new AtHost(m.stream);
    await host.expect('\r\nready\r\n');
    const urls: (string | null)[] = [];
    m.module.service(wifi).on('webcfg', (url) => urls.push(url));
    assert.equal((await host.command('AT+QWEBCFG=1')).final, 'OK');
    assert.deepEqual(urls, [], 'no page without the soft-AP');
    assert.equal((await host.command('AT+QSOFTAP=FC41D-Setup')).final, 'OK');
    assert.equal(urls.length, 1);
    const url = urls[0]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 720, height: 640 } });
      page.setDefaultTimeout(10_000);
      await page.goto(url);
      assert.deepEqual(await page.locator('#aps .ssid').allTextContents(), ['Office', 'Guest']);
      await page.getByText('Office', { exact: true }).click();
      await page.fill('#key', 'wrong-key-123');
      await page.click('#connect');
      assert.match((await page.textContent('#error')) ?? '', /Office/);
      await host.expect('+QSTASTAT:WLAN_DISCONNECTED\r\n');

      await page.getByText('Office', { exact: true }).click();
      await page.fill('#key', 'correct-horse');
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/webcfg-module.png', fullPage: true });
      await page.click('#connect');
      const ip = await page.textContent('#ip');
      assert.equal(ip, m.module.service(wifi).station.ip?.ip);
      assert.match(ip ?? '', /^192\.168\.1\.\d+$/);
    } finally {
      await browser.close();
    }
    await host.expect('+QSTASTAT:WLAN_CONNECTED\r\n');
    await host.expect('+QSTASTAT:GOT_IP\r\n');
    assert.deepEqual(m.module.service(wifi).saved.value.sta, { ssid: 'Office', key: 'correct-horse' });

    assert.equal((await host.command('AT+QSOFTAPSTOP')).final, 'OK');
    assert.deepEqual(urls.slice(1), [null], 'the page stops with the soft-AP');
    m.close();
  });
});
