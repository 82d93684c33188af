/**
 * Headless Chromium for browser tests, through playwright-core and the distribution's
 * /usr/bin/chromium (Debian package `chromium`; playwright's own downloads are not used).
 *
 *   describe('…', { skip: browserSkipReason() }, () => { … await launchChromium() … })
 *
 * Without the browser, tests skip locally; under CI (process.env.CI set) they run and fail
 * with a message saying what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

// No network of its own (QUIC, background updates, sync): the tests' traffic only.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MISSING = `${CHROMIUM_PATH} not found: install it with \`apt-get install -y chromium\``;

/** Why browser tests cannot run here, for `{ skip }`; undefined under CI, where they must run. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return undefined;
  return MISSING;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${MISSING} (browser tests cannot be skipped under CI)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
