/**
 * Headless Chromium for the browser tests (the report and the service page), driven by
 * playwright-core against the system browser. A missing browser is a test failure with the fix
 * in the message, never a silent pass.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SIMLEARN_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; the browser tests need it: run "apt-get install -y chromium" (Debian; CI does this) or set SIMLEARN_CHROMIUM to the executable`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
