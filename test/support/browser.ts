import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * A real browser for the e2e tier: Debian's chromium (`apt-get install chromium`, done by `.ci/run`),
 * driven by playwright-core, which never downloads a browser of its own. `WINNOW_CHROMIUM` names
 * another binary.
 */
export function chromiumPath(): string {
  const named = process.env.WINNOW_CHROMIUM;
  if (named) return named;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH: try the next name
    }
  }
  throw new Error(
    'no chromium on PATH: install it with `apt-get install chromium` (.ci/run does), or set WINNOW_CHROMIUM',
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Where a test keeps its screenshots: `test-output/screenshots/` in the repository (git-ignored). */
export function screenshotDir(): string {
  const dir = resolve(import.meta.dirname, '../../test-output/screenshots');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return dir;
}

export function screenshotPath(name: string): string {
  return join(screenshotDir(), `${name.replace(/[^\w.-]+/g, '-')}.png`);
}

/** What went wrong on a page: console errors, uncaught exceptions and failed or 4xx/5xx requests. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
}

/**
 * A page that records its problems, so a test can assert none happened: every `console.error`, every
 * uncaught exception, every request that failed or answered 400 or more.
 */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: PageProblems }> {
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('requestfailed', (r) =>
    problems.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
  });
  return { page, problems };
}
