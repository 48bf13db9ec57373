import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type PageProblems, screenshotPath, watchedPage } from '../support/browser.ts';
import { pollJob } from '../support/crash.ts';
import { dataFile } from '../support/data.ts';
import { sharedClient, sharedStack, unique } from './stack.ts';

// The web console (src/console, served at /) in Debian's chromium against the shared `wrangler dev`
// stack: it asks for the token once, uploads a file and starts a job, follows it to done, hands out
// its outputs and report with the token, shows a bad recipe's issues at their lines, and lists
// schedules, sampler runs and pair sets. No console error and no failed request, but those a test
// provokes and names.

/** 80 Alpaca records, as JSONL. */
const RECORDS = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[])
  .slice(0, 80)
  .map((r) => JSON.stringify(r))
  .join('\n');

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A fresh tab on the console, logged in with the stack's token. */
async function consolePage(): Promise<{ page: Page; problems: PageProblems; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  contexts.push(context);
  const { page, problems } = await watchedPage(context);
  await page.goto(`${sharedStack().url}/`);
  await page.locator('#token').fill(sharedStack().token);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#main').waitFor({ state: 'visible' });
  return { page, problems, context };
}

/** The text selected in a textarea (run in the page). */
const selectedText = (el: unknown) => {
  const t = el as { value: string; selectionStart: number; selectionEnd: number };
  return t.value.slice(t.selectionStart, t.selectionEnd);
};

/** A page answers within this under load (the shared stack and two cores, shared with other files). */
const SLOW = { timeout: 30_000 };

const none = { consoleErrors: [], pageErrors: [], failedRequests: [] };

describe('the web console', () => {
  it('uploads a file, starts a job from the page, follows its progress to done and downloads its outputs', async () => {
    const { url, token } = sharedStack();
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${url}/`);
    // Asked for once: a wrong token is refused (the one failed request this test provokes).
    await page.locator('#token').fill('not-the-token');
    await page.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.locator('#login-error').textContent(), SLOW).toBe('wrong bearer token');
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.locator('#token').fill(token);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#main').waitFor({ state: 'visible' });

    const name = unique('console');
    await page.locator('#file').setInputFiles({
      name: `${name}.jsonl`,
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(RECORDS),
    });
    // The dataset is named after the file.
    expect(await page.locator('#dataset').inputValue()).toBe(name);
    const recipe = { scorers: [{ id: 'length' }], select: { budget: '50%' } };
    await page.locator('#recipe').fill(JSON.stringify(recipe, null, 2));
    await page.locator('#start').click();
    await expect.poll(() => page.locator('#form-status').textContent(), SLOW).toMatch(/^started job j/);
    const id = /started job (j[0-9a-z]+)/.exec((await page.locator('#form-status').textContent()) ?? '')![1];

    const row = page.locator(`tr[data-job="${id}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe(name);
    // Followed to done: the bar only moves forward, and ends full; the client sees the same job done.
    const seen: { state: string | null; value: number }[] = [];
    const deadline = Date.now() + 90_000;
    while (seen.at(-1)?.state !== 'done') {
      if (Date.now() > deadline)
        throw new Error(`job ${id} not done in the console: ${JSON.stringify(seen)}`);
      // State and bar read at once: the row is drawn anew on every refresh.
      seen.push(
        await row.evaluate((tr) => {
          const el = tr as unknown as {
            getAttribute(n: string): string | null;
            querySelector(s: string): { value: number };
          };
          return { state: el.getAttribute('data-state'), value: el.querySelector('progress').value };
        }),
      );
      if (seen.length === 1)
        await page.screenshot({ path: screenshotPath('console-job-running'), fullPage: true });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen[0].state).toBe('running');
    expect(seen.at(-1)?.value).toBe(1);
    seen.slice(1).forEach((s, i) => {
      expect(s.value).toBeGreaterThanOrEqual(seen[i].value);
    });
    expect((await sharedClient().job(id)).state).toBe('done');
    // A job started from the page shows its stages and outputs.
    const details = page.locator(`tr[data-details="${id}"]`);
    await details.locator('tr[data-stage="export"]').waitFor();
    const selected = details.locator('button.output[data-file="selected.jsonl"]');
    await selected.waitFor();
    await page.screenshot({ path: screenshotPath('console-job-done'), fullPage: true });

    // Outputs are fetched with the token and handed over as downloads.
    const [download] = await Promise.all([page.waitForEvent('download'), selected.click()]);
    expect(download.suggestedFilename()).toBe('selected.jsonl');
    const got = await readFile((await download.path())!, 'utf8');
    const res = await fetch(`${url}/v1/jobs/${id}/outputs/selected.jsonl`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got).toBe(await res.text());
    const report = (await (
      await fetch(`${url}/v1/jobs/${id}/outputs/report.json`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { counts: { input: number; selected: number } };
    expect(report.counts.input).toBe(80);
    expect(got.split('\n').filter(Boolean)).toHaveLength(report.counts.selected);

    await page.locator(`tr[data-dataset="${name}"]`).waitFor();
    // The wrong token's refusal is the one failed request (and chromium's console line for it).
    expect(problems).toEqual({
      ...none,
      consoleErrors: ['Failed to load resource: the server responded with a status of 401 (Unauthorized)'],
      failedRequests: [`${url}/v1/jobs?limit=1: HTTP 401`],
    });

    // The token is kept for the tab: a reload asks for nothing. The reload aborts the page's requests
    // under way, if any: those are the only failures it may bring.
    problems.failedRequests.length = 0;
    problems.consoleErrors.length = 0;
    await page.reload();
    await page.locator(`tr[data-job="${id}"][data-state="done"]`).waitFor();
    expect(await page.locator('#login').isHidden()).toBe(true);
    expect(problems.failedRequests.filter((r) => !/\/v1\/[^ ]+: net::ERR_ABORTED$/.test(r))).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  }, 150_000);

  it('shows each issue of a bad recipe at its line, and a JSON syntax error before anything is sent', async () => {
    const client = sharedClient();
    const name = unique('console-bad');
    await client.uploadDataset(name, new TextEncoder().encode(RECORDS));
    const { page, problems } = await consolePage();
    await page.locator('#dataset').fill(name);
    const text = [
      '{',
      '  "scorers": [',
      '    { "id": "length" },',
      '    { "id": "nope" },',
      '    { "id": "heuristics", "config": { "minWords": 3 } }',
      '  ],',
      '  "select": { "budget": "30%" }',
      '}',
    ].join('\n');
    await page.locator('#recipe').fill(text);
    await page.locator('#start').click();
    const issues = page.locator('#issues li');
    await expect.poll(() => issues.count(), SLOW).toBe(2);
    const seen = await issues.evaluateAll((lis) =>
      lis.map((li) => ({
        path: li.getAttribute('data-path'),
        line: li.getAttribute('data-line'),
        text: li.textContent,
      })),
    );
    expect(seen).toEqual([
      {
        path: 'recipe.scorers[1].id',
        line: '4',
        text: expect.stringMatching(/^line 4recipe\.scorers\[1\]\.id: unknown scorer "nope"; known: /),
      },
      {
        path: 'recipe.scorers[2].config',
        line: '5',
        text: 'line 5recipe.scorers[2].config: Unrecognized key: "minWords"',
      },
    ]);
    // The lines are marked in the gutter, and the first issue's text is selected in the editor.
    expect(await page.locator('#gutter div.bad').evaluateAll((d) => d.map((e) => e.textContent))).toEqual([
      '4',
      '5',
    ]);
    const selection = await page.locator('#recipe').evaluate(selectedText);
    expect(selection).toBe('"id": "nope"');
    await page.screenshot({ path: screenshotPath('console-recipe-issues'), fullPage: true });
    // Clicking an issue selects its text.
    await issues.nth(1).locator('button').click();
    expect(await page.locator('#recipe').evaluate(selectedText)).toBe('"config": { "minWords": 3 }');

    // A syntax error is found in the page, at its line and column: no request is made.
    await page.locator('#recipe').fill('{\n  "select": { "budget": "30%" }\n  "scorers": []\n}');
    await page.locator('#start').click();
    await expect
      .poll(() => issues.allTextContents(), SLOW)
      .toEqual(['line 3not valid JSON at line 3, column 3: expected "," or "}" after a member, found "\\""']);
    expect(await page.locator('#gutter div.bad').allTextContents()).toEqual(['3']);
    // Editing clears the marks.
    await page.locator('#recipe').press('End');
    await page.locator('#recipe').type(' ');
    expect(await page.locator('#gutter div.bad').count()).toBe(0);

    // A bad dataset name is marked at its field.
    await page.locator('#dataset').fill('-bad name');
    await page.locator('#start').click();
    expect(await page.locator('#dataset').getAttribute('aria-invalid')).toBe('true');
    expect(await issues.allTextContents()).toEqual([
      'datasetdataset: dataset names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit',
    ]);
    // Messages are shown as text: markup in one (the API echoes the unknown scorer's id) stays text.
    await page.locator('#dataset').fill(name);
    const markup = '<img src="/x" onerror="document.title=1">';
    await page.locator('#recipe').fill(JSON.stringify({ scorers: [{ id: markup }] }));
    await page.locator('#start').click();
    await expect
      .poll(() => issues.allTextContents(), SLOW)
      .toEqual([expect.stringContaining(`unknown scorer "${markup}"`)]);
    expect(await page.locator('#issues img').count()).toBe(0);
    expect(await page.title()).toBe('Winnow console');

    // Two attempts reached the API: their 400s are the failed requests (with chromium's console line
    // for each); the syntax error and the bad name were caught in the page.
    const bad = 'Failed to load resource: the server responded with a status of 400 (Bad Request)';
    expect(problems).toEqual({
      ...none,
      consoleErrors: [bad, bad],
      failedRequests: [`${sharedStack().url}/v1/jobs: HTTP 400`, `${sharedStack().url}/v1/jobs: HTTP 400`],
    });
  }, 120_000);
  it('lists schedules with their runs, sampler runs and pair sets, and opens a report in a tab of its own', async () => {
    const { url, token } = sharedStack();
    const client = sharedClient();
    const name = unique('console-lists');
    await client.uploadDataset(name, new TextEncoder().encode(RECORDS));
    await client.setSchedule(name, {
      every: '1d',
      recipe: { scorers: [{ id: 'length' }], select: { budget: '50%' } },
    });
    const run = (await client.tick(name, { force: true })).run!;
    expect((await pollJob(client, run, (s) => s.state !== 'running', { everyMs: 250 })).state).toBe('done');
    const sampler = await client.createRun({ job: run, batchSize: 8 });
    const set = unique('console-set');
    await client.putPairSet(set, { pairs: { payload: 'key' } });

    const { page, problems, context } = await consolePage();
    const schedule = page.locator(`[data-schedule="${name}"]`);
    await schedule.locator(`tr[data-run="${run}"]`).waitFor();
    expect(await schedule.locator('.kv').textContent()).toContain('every 1d');
    expect(await schedule.locator(`tr[data-run="${run}"] .state`).textContent()).toBe('done');
    expect(await schedule.locator(`tr[data-run="${run}"]`).textContent()).toContain('40 of 80 selected');
    const samplerRow = page.locator(`tr[data-sampler="${sampler.id}"]`);
    await samplerRow.waitFor();
    expect(await samplerRow.locator('td').nth(1).textContent()).toBe(run);
    const pairSet = page.locator(`[data-pairset="${set}"]`);
    await pairSet.waitFor();
    expect(await pairSet.textContent()).toContain('no rounds yet');
    await page.screenshot({ path: screenshotPath('console-lists'), fullPage: true });

    // The report is fetched with the token and shown in a tab of its own, from a blob: URL.
    const reportUrl = `${url}/v1/jobs/${run}/report.html`;
    const served = await fetch(reportUrl, { headers: { authorization: `Bearer ${token}` } });
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      schedule.locator(`tr[data-run="${run}"] button.report`).click(),
    ]);
    const tabErrors: string[] = [];
    tab.on('pageerror', (e) => tabErrors.push(String(e)));
    if (served.status === 200) {
      const title = /<title>([^<]*)<\/title>/.exec(await served.text())?.[1] ?? '';
      await tab.waitForURL(/^blob:/);
      await expect.poll(() => tab.title(), SLOW).toBe(title);
      await tab.screenshot({ path: screenshotPath('console-report-tab'), fullPage: true });
      expect(problems).toEqual(none);
    } else {
      // Before GET /v1/jobs/:id/report.html exists, the tab and the console say so: its 404 is the
      // one failed request.
      expect(served.status).toBe(404);
      await expect
        .poll(() => tab.locator('#status').textContent(), SLOW)
        .toBe(`the report of ${run}: no route GET /v1/jobs/${run}/report.html`);
      expect(await page.locator('#notice-text').textContent()).toBe(
        `the report of ${run}: no route GET /v1/jobs/${run}/report.html`,
      );
      expect(problems).toEqual({
        ...none,
        consoleErrors: ['Failed to load resource: the server responded with a status of 404 (Not Found)'],
        failedRequests: [`${reportUrl}: HTTP 404`],
      });
    }
    expect(tabErrors).toEqual([]);
    // The tab's document reaches neither the console's window nor its token.
    type Tab = { opener: unknown; sessionStorage: { length: number; getItem(k: string): string | null } };
    const reach = () => {
      const w = globalThis as unknown as Tab;
      return [w.opener === null, w.sessionStorage.length];
    };
    expect(await tab.evaluate(reach)).toEqual([true, 0]);
    const kept = () => (globalThis as unknown as Tab).sessionStorage.getItem('winnow.token');
    expect(await page.evaluate(kept)).toBe(token);
  }, 150_000);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
});
