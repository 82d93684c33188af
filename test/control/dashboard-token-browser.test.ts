// The dashboard with `--control-token`: opened as `/?token=…` (a browser cannot send a header
// there; the answer sets a cookie for the page's own files), it reads the token from its own URL
// and sends it on every API call and on the live WebSocket. Without it, the page is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';
import { cleanUp, host, serveTcp } from '../helpers/cli.ts';

const TOKEN = 'dashboard-secret-42';

describe('the dashboard with a control token, in Chromium', { skip: browserSkipReason() }, () => {
  let launching: Promise<Browser> | undefined;
  let browser: Browser;
  let base: string;
  let port: number;

  before(async () => {
    launching = launchChromium();
    const served = await serveTcp('--control', '127.0.0.1:0', '--control-token', TOKEN, '--echo', 'off');
    port = served.port;
    base = (await served.cli.waitFor(/^fc41d: control (http:\/\/127\.0\.0\.1:\d+)\/?$/m))[1]!;
    browser = await launching;
  });
  after(async () => {
    await (await launching?.catch(() => undefined))?.close();
    await cleanUp();
  });

  test('?token= in the page URL: the modules, and the host\'s commands arriving live', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(5_000);
    await page.goto(`${base}/?token=${TOKEN}`);
    await page.locator('[data-testid="module-0"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.textContent === 'live');
    await page.locator('[data-testid="ap-toggle-Office"]').waitFor();
    const h = await host(port);
    assert.equal((await h.command('AT+QVERSION')).final, 'OK');
    await page.locator('[data-testid="timeline-0"] .row-command .text', { hasText: /^AT\+QVERSION$/ }).waitFor();
    await page.close();
  });

  test('without the token: the page itself is refused (401), and shows nothing of the modules', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(5_000);
    const res = await page.goto(`${base}/`);
    assert.equal(res?.status(), 401);
    assert.equal(await page.locator('[data-testid="module-0"]').count(), 0);
    await page.close();
  });
});
