// The dashboard (`GET /` on the control port) in headless Chromium against a real
// `fc41d serve --control`: a TCP host joined to Office, the page's AP toggle switches Office
// off, and the module's own report reaches the page's timeline. Screenshots go to
// test-artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AtHost } from '../helpers/at-host.ts';
import { browserSkipReason, launchChromium } from '../helpers/browser.ts';
import { Cli, cleanUp, host, WAIT_MS } from '../helpers/cli.ts';

const ARTIFACTS = 'test-artifacts';
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('the dashboard in Chromium', { skip: browserSkipReason() }, () => {
  let launching: Promise<Browser> | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;
  let h: AtHost;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The browser starts while the emulator starts and the host joins.
    launching = launchChromium();
    const cli = new Cli(['serve', '--tcp', '127.0.0.1:0', '--control', '127.0.0.1:0', '--echo', 'off']);
    const port = Number((await cli.waitFor(/^fc41d: module 0 listening on tcp 127\.0\.0\.1:(\d+)$/m))[1]);
    base = (await cli.waitFor(/^fc41d: control (http:\/\/127\.0\.0\.1:\d+)\/?$/m))[1]!;
    h = await host(port);
    assert.deepEqual(await h.command('AT+QSTAAPINFO=Office,correct-horse', WAIT_MS), { lines: [], final: 'OK' });
    await h.expect('+QSTASTAT:GOT_IP\r\n', WAIT_MS);
    browser = await launching;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(5_000);
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(base + '/');
  });
  after(async () => {
    await (await launching?.catch(() => undefined))?.close(); // also when before() failed half-way
    await cleanUp();
  });

  test('the host\'s command is in module 0\'s timeline, and the module\'s answers by kind', async () => {
    const timeline = byTestId('timeline-0');
    // Sent before the page opened: the page reads the trace so far, then the live stream.
    await timeline.locator('.row-command', { hasText: 'AT+QSTAAPINFO=Office,correct-horse' }).waitFor();
    await timeline.locator('.row-urc', { hasText: '+QSTASTAT:GOT_IP' }).waitFor();
    // Sent now: arrives live, and its OK after it.
    assert.equal((await h.command('AT+QVERSION')).final, 'OK');
    const answer = timeline.locator('.row-command:has(.text:text-is("AT+QVERSION")) ~ .row-response').first();
    await answer.waitFor();
    assert.match((await answer.locator('.text').textContent())!, /^\+QVERSION:/);
    const final = timeline.locator('.row-command:has(.text:text-is("AT+QVERSION")) ~ .row-final').first();
    await final.waitFor();
    assert.equal(await final.locator('.label').textContent(), 'final');
    assert.equal(await final.locator('.text').textContent(), 'OK');
    assert.match((await final.locator('.time').textContent())!, /^\d\d:\d\d:\d\d\.\d{3}$/);
    // The module's state from /api/modules.
    await page.waitForFunction(() => /Office/.test(document.querySelector('[data-testid="module-0-wifi"]')?.textContent ?? ''));
  });

  test('switching Office off on the page: +QSTASTAT:WLAN_DISCONNECTED in module 0\'s timeline within 2 s', async () => {
    const toggle = byTestId('ap-toggle-Office');
    assert.equal(await toggle.isChecked(), true);
    const clicked = Date.now();
    await toggle.click();
    await byTestId('timeline-0').locator('.row-urc', { hasText: '+QSTASTAT:WLAN_DISCONNECTED' }).waitFor({ timeout: 2_000 });
    const shownMs = Date.now() - clicked;
    await h.expect('+QSTASTAT:WLAN_DISCONNECTED\r\n'); // the host saw it too
    const world = await api('GET', '/api/world');
    assert.equal(world.accessPoints.find((ap: { ssid: string }) => ap.ssid === 'Office').up, false);
    assert.equal(await toggle.isChecked(), false);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    console.log(`# WLAN_DISCONNECTED on the page ${shownMs} ms after the click`);
  });

  test('the signal slider sets the AP\'s rssi', async () => {
    await byTestId('ap-rssi-Guest').fill('-87');
    await page.waitForFunction(() => document.querySelector('[data-testid="ap-rssi-value-Guest"]')?.textContent === '-87');
    for (let i = 0; ; i++) {
      const world = await api('GET', '/api/world');
      if (world.accessPoints.find((ap: { ssid: string }) => ap.ssid === 'Guest').rssi === -87) break;
      assert.ok(i < 50, 'the PATCH never arrived');
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  test('a fault started from its form is listed, and its stop button ends it', async () => {
    await byTestId('fault-dns-failure-host').fill('example.com');
    await byTestId('fault-dns-failure-module').selectOption('0');
    await byTestId('fault-start-dns-failure').click();
    const [fault] = await waitForFaults(1);
    assert.equal(fault.kind, 'dns-failure');
    assert.equal(fault.host, 'example.com');
    const row = byTestId(`fault-${fault.id}`);
    await row.waitFor();
    assert.match((await row.textContent())!, /dns-failure host=example\.com/);
    // Its start is in a timeline (the world's, or module 0's: the fault is limited to it).
    await page.locator('.timeline .row', { hasText: `${fault.id} dns-failure` }).first().waitFor();
    await byTestId(`fault-stop-${fault.id}`).click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual(await api('GET', '/api/faults'), []);
  });

  test('a bad field is named on the form, nothing started', async () => {
    await byTestId('fault-uart-noise-rate').fill('3');
    // The browser's own check would stop the submit at max=1: send it past that, as a script could.
    await byTestId('fault-form-uart-noise').evaluate((form) => form.setAttribute('novalidate', ''));
    await byTestId('fault-start-uart-noise').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="fault-error-uart-noise"]')?.textContent ?? '') !== '');
    assert.equal(await byTestId('fault-uart-noise-rate').getAttribute('class'), 'invalid');
    assert.deepEqual(await api('GET', '/api/faults'), []);
  });

  test('names from the world are shown as text, never run', async () => {
    await api('POST', '/api/world/access-points', { ssid: HOSTILE, security: 'OPEN', rssi: -70 });
    await byTestId(`ap-${HOSTILE}`).waitFor({ timeout: 7_000 }); // the world is re-read every 5 s, or on its trace record
    assert.equal(await byTestId(`ap-${HOSTILE}`).locator('td.ssid').textContent(), HOSTILE);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
  });

  async function waitForFaults(n: number) {
    for (let i = 0; ; i++) {
      const faults = await api('GET', '/api/faults');
      if (faults.length === n) return faults;
      assert.ok(i < 100, `faults: ${JSON.stringify(faults)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});
