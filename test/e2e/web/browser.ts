/**
 * Headless Chromium for the browser tests, driven by playwright-core (no browser download: Debian's Chromium).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from '../../../scripts/python-env.ts';

/** Where the browser is: SKYCAST_CHROMIUM, or Debian's package. */
export const CHROMIUM = process.env.SKYCAST_CHROMIUM ?? '/usr/bin/chromium';

export const SCREENSHOTS = join(ROOT, 'test-results', 'web');

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}. Install it: apt-get install chromium (Debian/Ubuntu), ` +
        'or point SKYCAST_CHROMIUM at a Chromium or Chrome binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // Players start on their own, as they would after the user's click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page whose console errors and uncaught exceptions are collected, so a test can fail on them. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { page, errors };
}

/** Screenshots of the page at phone and desktop sizes, as test artifacts in test-results/web/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    // Let the layout (and a playing video's next timeupdate, every 250 ms) settle at the new size.
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
