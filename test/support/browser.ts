import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * A real browser for the tests of the pages the hub serves (explorer, statistics page): Debian's
 * Chromium driven by playwright-core (Playwright's own browser download cannot reach its host
 * here). `.ci/run` installs Chromium when it is absent; a test that needs it fails, with what to
 * do, rather than skip silently.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(`Chromium is not installed (looked for ${CANDIDATES.join(', ')}): install it with \`apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH`);
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A page on which every request outside `origin` (the hub's) is aborted and recorded, as on an
 * intranet without internet: `outside` lists what the page tried to reach elsewhere.
 */
export async function offlinePage(browser: Browser, origin: string): Promise<{ page: Page; outside: string[]; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const outside: string[] = [];
  const consoleErrors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    outside.push(url);
    return route.abort('internetdisconnected');
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return { page, outside, consoleErrors };
}
