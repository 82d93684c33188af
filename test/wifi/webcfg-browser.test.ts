// The Wi-Fi configuration page (§2.1.26) in headless Chromium, as a person uses it: pick an AP,
// type the key, Connect. Screenshots go to test-artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebConfig, type WebConfigAp, type WebConfigDevice, type WebConfigServer } from '../../src/wifi/webcfg.ts';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';

const ARTIFACTS = 'test-artifacts';
const XSS = '<script>alert(1)</script>';
const APS: WebConfigAp[] = [
  { ssid: 'Home', security: 'WPA2_AES_PSK', rssi: -48, channel: 6, bssid: '11:22:33:44:55:66' },
  { ssid: 'Cafe Guest', security: 'OPEN', rssi: -71, channel: 11, bssid: '11:22:33:44:55:77' },
  { ssid: XSS, security: 'WPA2_AES_PSK', rssi: -83, channel: 1, bssid: '11:22:33:44:55:88' },
];

const device: WebConfigDevice = {
  label: 'module 0',
  mac: 'c8:47:8c:42:00:48',
  softApSsid: 'FC41D_AP_0048',
  scan: async () => APS,
  join: async (ssid, key) => {
    if (!APS.some((ap) => ap.ssid === ssid)) return { ok: false, reason: 'no-ap', message: `no AP named ${ssid}` };
    if (ssid === 'Home' && key !== 'correct horse') return { ok: false, reason: 'auth-failed', message: 'wrong key (4-way handshake failed)' };
    return { ok: true, ip: '192.168.1.57' };
  },
};

describe('the Wi-Fi configuration page in Chromium', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  let server: WebConfigServer;
  const dialogs: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startWebConfig(device);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(javaScriptEnabled = true): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 720, height: 640 } });
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(server.url);
    return page;
  }

  test('pick an AP, type the key, Connect: the module got an IP', async () => {
    const page = await open();
    assert.deepEqual(await page.locator('#aps .ssid').allTextContents(), ['Home', 'Cafe Guest', XSS]);
    await page.getByText('Home', { exact: true }).click(); // the row's label: checks the radio, fills the SSID
    assert.equal(await page.inputValue('#ssid'), 'Home');
    await page.fill('#key', 'correct horse');
    await page.screenshot({ path: `${ARTIFACTS}/webcfg.png`, fullPage: true });
    await page.click('#connect');
    assert.equal(await page.textContent('#ip'), '192.168.1.57');
    await page.screenshot({ path: `${ARTIFACTS}/webcfg-connected.png`, fullPage: true });
    assert.deepEqual(dialogs, [], 'a hostile SSID ran script');
    await page.context().close();
  });

  test('a wrong key shows why, with the form again', async () => {
    const page = await open();
    await page.getByText('Home', { exact: true }).click();
    await page.fill('#key', 'not the key');
    await page.click('#connect');
    assert.equal(await page.textContent('#error'), 'Could not connect to "Home": wrong key (4-way handshake failed)');
    assert.equal(await page.inputValue('#ssid'), 'Home');
    assert.equal(await page.inputValue('#key'), '');
    await page.screenshot({ path: `${ARTIFACTS}/webcfg-failed.png`, fullPage: true });
    await page.context().close();
  });

  test('works with JavaScript off: the picked radio is the SSID', async () => {
    const page = await open(false);
    await page.getByText('Cafe Guest', { exact: true }).click();
    assert.equal(await page.inputValue('#ssid'), ''); // nothing copies it without JS
    await page.click('#connect');
    assert.equal(await page.textContent('#ip'), '192.168.1.57');
    await page.context().close();
  });
});
