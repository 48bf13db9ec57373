import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputLine, Report } from '../../schemas/output.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { launchBrowser, type PageProblems, screenshotPath, watchedPage } from '../support/browser.ts';
import { jsonl, winnowRunShared } from './cli/helpers.ts';
import { sharedStack, unique } from './stack.ts';

/**
 * The demo job's report.html in a real browser (Debian's chromium): opened from `--out` as a file and
 * from `GET /v1/jobs/:id/report.html`, it loads with no console error and no failed request, has a
 * chart per score, shows each rejection reason's count as report.json gives it, and a near duplicate
 * shows its original when clicked.
 */

const tmp = mkdtempSync(join(tmpdir(), 'winnow-report-html-'));
let browser: Browser;
let out: string;
let report: Report;

beforeAll(async () => {
  // The demo, as `winnow demo` runs it (2,000 generated records, 64 KiB shards, a 10% budget), on the shared stack.
  const input = join(tmp, `${unique('demo')}.jsonl`);
  writeFileSync(input, generateDemo({ records: 2000, seed: 7 }));
  out = join(tmp, 'out');
  await winnowRunShared(input, out, ['--budget', '10%', '--shard-bytes', String(64 * 1024)]);
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const none: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [] };
const count = (text: string | null) => Number((text ?? '').replace(/,/g, ''));

/** Everything the issue asks of the page, on a page already loaded. */
async function checkPage(page: Page, name: string) {
  // A chart (inline SVG) per score.
  for (const score of Object.keys(report.scores))
    expect(await page.locator(`figure.score-chart[data-score="${score}"] svg`).count(), score).toBe(1);
  // Each reason's count, in its table row and its heading, as report.json gives it.
  const reasons = Object.entries(report.rejectedByReason);
  expect(reasons.length).toBeGreaterThan(1);
  for (const [reason, n] of reasons) {
    const shown = await page.locator(`span.reason-count[data-reason="${reason}"]`).allTextContents();
    expect(shown.map(count), reason).toEqual([n, n]);
  }
  // A near duplicate shows its original, with the original's own text, when clicked.
  const dup = page.locator('[data-reason="near_duplicate"] details.original').first();
  const original = dup.locator('.original-record');
  const id = await original.getAttribute('data-id');
  const lines: OutputLine[] = [...jsonl(join(out, 'selected.jsonl')), ...jsonl(join(out, 'rejected.jsonl'))];
  const want = lines.find((l) => l.id === id)!;
  expect(want, `original ${id} in the outputs`).toBeDefined();
  const answer = (want.record as { output: string }).output;
  await expect.poll(() => original.isVisible()).toBe(false);
  await dup.locator('summary').click();
  await expect.poll(() => original.isVisible()).toBe(true);
  expect(await original.locator('.turn pre').last().textContent()).toBe(answer);
  await page.screenshot({ path: screenshotPath(`report-html-${name}-original`), fullPage: false });
  await dup.screenshot({ path: screenshotPath(`report-html-${name}-near-duplicate`) });
  // Paging: the next page of a reason's examples replaces the first.
  const paged = page.locator('[data-reason="budget"] .paged');
  const [first, second] = [paged.locator('ol.page').nth(0), paged.locator('ol.page').nth(1)];
  expect(await second.isVisible()).toBe(false);
  await paged.locator('button[data-go="1"]').click();
  expect(await second.isVisible()).toBe(true);
  expect(await first.isVisible()).toBe(false);
  expect(await paged.locator('.at').textContent()).toMatch(/^page 2 of \d+$/);
  await page.screenshot({ path: screenshotPath(`report-html-${name}`), fullPage: true });
}

describe('report.html of the demo job', () => {
  it('opens from --out as a file: no console error, no request at all, every check holds', async () => {
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const file = pathToFileURL(join(out, 'report.html')).href;
    await page.goto(file);
    await checkPage(page, 'file');
    expect(problems).toEqual(none);
    // Self-contained: the page itself is the only thing loaded.
    expect(requests).toEqual([file]);
    await context.close();
  });

  it('is served at GET /v1/jobs/:id/report.html with the token, the same page', async () => {
    const { url, token } = sharedStack();
    const route = `${url}/v1/jobs/${report.job}/report.html`;
    // Without the token: refused, as every /v1 route.
    expect((await fetch(route)).status).toBe(401);
    const served = await fetch(route, { headers: { authorization: `Bearer ${token}` } });
    expect(served.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await served.text()).toBe(readFileSync(join(out, 'report.html'), 'utf8'));
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    const { page, problems } = await watchedPage(context);
    await page.goto(route);
    await checkPage(page, 'route');
    expect(problems).toEqual(none);
    await context.close();
  });

  it('a failed job: `winnow run` writes its page into --out, saying why and which task', async () => {
    const input = join(tmp, `${unique('broken')}.json`);
    writeFileSync(input, '[{"instruction": "a", "output": "b"}] trailing');
    const failed = join(tmp, 'failed-out');
    const err = await winnowRunShared(input, failed).then(
      () => null,
      (e: { stderr: string }) => e,
    );
    expect(err?.stderr).toContain(`(see ${join(failed, 'report.html')})`);
    const context = await browser.newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(pathToFileURL(join(failed, 'report.html')).href);
    expect(await page.locator('#failure .error').textContent()).toMatch(
      /^plan shard 0: byte \d+: unexpected 't'/,
    );
    expect(await page.locator('#failure').textContent()).toContain('Failed task: stage plan, plan shard 0');
    await page.screenshot({ path: screenshotPath('report-html-failed'), fullPage: true });
    expect(problems).toEqual(none);
    await context.close();
  });
});
