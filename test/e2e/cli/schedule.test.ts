import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../../schemas/schedule.ts';
import { WinnowClient } from '../../../src/client/index.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { fireCron, type LocalStack, startLocalStack } from '../../../workers/cli/local-stack.ts';
import { formatRuns } from '../../../workers/cli/schedule-format.ts';
import { ALPACA_9K, ROOT, run } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-schedule-'));
const state = join(tmp, 'state');
const CLI = join(ROOT, 'workers/cli/winnow.js');
const DATASET = 'alpaca-600';
let stack: LocalStack;
let client: WinnowClient;

beforeAll(async () => {
  // Its own stack: the last test restarts wrangler on this state directory.
  stack = await startLocalStack(state);
  client = new WinnowClient({ url: stack.url, token: stack.token });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);
const jsonlOf = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Wait until the dataset's run number `seq` exists and no longer runs. */
async function finished(dataset: string, seq: number, timeoutMs = 60_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = (await client.runs(dataset)).runs.find((x) => x.seq === seq);
    if (r && r.state !== 'starting' && r.state !== 'running') return r;
    if (Date.now() > deadline) throw new Error(`run ${seq} of ${dataset}: ${JSON.stringify(r)}`);
    await new Promise((ok) => setTimeout(ok, 300));
  }
}

async function output(job: string, file: string): Promise<string> {
  return new Response(await client.output(job, file)).text();
}
// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON lines
const lines = (s: string): any[] =>
  s
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l));
const selectedIds = async (job: string) => lines(await output(job, 'selected.jsonl')).map((l) => l.id);

/** The real CLI against the running stack (no stack start per command). */
const cli = (...args: string[]) =>
  run(process.execPath, [CLI, ...args, '--url', stack.url, '--token', stack.token, '--quiet'], {
    cwd: ROOT,
    timeout: 90_000,
  });

describe('scheduled re-scoring under wrangler dev, fired through /cdn-cgi/handler/scheduled', () => {
  it('re-scores only appended records, diffs the selection, and a run with nothing changed computes 0 cells', async () => {
    const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 660);
    await client.uploadDataset(DATASET, text(JSON.stringify(rows.slice(0, 600))));
    const schedule = await client.setSchedule(DATASET, {
      every: '1m',
      recipe: { select: { budget: '30%' } },
    });
    expect(schedule).toMatchObject({ dataset: DATASET, every: '1m', enabled: true, retries: 3 });
    expect(await client.schedule(DATASET)).toMatchObject({ every: '1m' });

    // The Cron Trigger fires; an interval schedule is due at once.
    const t0 = Date.now();
    await fireCron(stack.url, { time: t0 });
    const first = await finished(DATASET, 1);
    expect(first).toMatchObject({ state: 'done', trigger: 'due', previous: null, error: null });
    const report1 = JSON.parse(await output(first.run, 'report.json'));
    expect(report1.counts).toMatchObject({ input: 600, selected: Math.round(report1.counts.valid * 0.3) });
    expect(report1.scoring.computed).toBeGreaterThan(0);
    expect(first.summary).toMatchObject({ input: 600, computed: report1.scoring.computed });
    await expect(client.diff(DATASET, first.run)).rejects.toMatchObject({ status: 404 });

    // 10% more records, appended as a JSONL part; the next tick (a minute on) re-scores only them.
    const info = await client.appendPart(DATASET, 'more', text(jsonlOf(rows.slice(600))));
    expect(info.objects).toHaveLength(2);
    await fireCron(stack.url, { time: t0 + 5 * 60_000 });
    const second = await finished(DATASET, 2);
    expect(second).toMatchObject({ state: 'done', previous: first.run });
    const report2 = JSON.parse(await output(second.run, 'report.json'));
    const out2 = [
      ...lines(await output(second.run, 'selected.jsonl')),
      ...lines(await output(second.run, 'rejected.jsonl')),
    ];
    expect(out2).toHaveLength(report2.counts.valid);
    const oldHashes = new Set(out2.filter((l) => (l.source.part ?? 0) === 0).map((l) => l.hash));
    const newHashes = new Set(
      out2.filter((l) => l.source.part === 1 && !oldHashes.has(l.hash)).map((l) => l.hash),
    );
    expect(newHashes.size).toBeGreaterThan(50);
    const scorers = Object.keys(report2.scoring.byScorer);
    for (const id of scorers) expect(report2.scoring.byScorer[id].computed, id).toBe(newHashes.size);
    expect(report2.scoring.computed).toBe(newHashes.size * scorers.length);
    expect(report2.scoring.computed).toBeLessThan(report1.scoring.computed / 5);
    expect(report2.scoring.cached).toBeGreaterThan(0);
    expect(report2.fits.perplexity.reused).toBe(true);

    const diff = await client.diff(DATASET, second.run);
    expect(diff).toMatchObject({ run: second.run, previous: first.run });
    expect(diff.counts.newRecords).toBe(60);
    expect(diff.counts.entered).toBeGreaterThan(0);
    expect(diff.counts.byCause.entered.new).toBeGreaterThan(0);
    expect(diff.entered.some((e) => e.cause === 'new' && e.index.before === null)).toBe(true);
    expect(diff.counts.after).toBe(report2.counts.selected);
    expect(second.summary).toMatchObject({ entered: diff.counts.entered, left: diff.counts.left });
    const files = (await client.outputs(second.run)).map((f) => f.name);
    expect(files).toEqual(expect.arrayContaining(['diff.json', 'diff.jsonl', 'report.json']));

    const list = await client.runs(DATASET);
    expect(list.runs.map((r) => [r.seq, r.state])).toEqual([
      [2, 'done'],
      [1, 'done'],
    ]);
    expect(list.latest).toBe(second.run);

    // Nothing changed: every cell from the cache, the same selection, an empty diff.
    await fireCron(stack.url, { time: t0 + 10 * 60_000 });
    const third = await finished(DATASET, 3);
    expect(third).toMatchObject({ state: 'done', previous: second.run });
    const report3 = JSON.parse(await output(third.run, 'report.json'));
    expect(report3.scoring).toMatchObject({
      computed: 0,
      cached: report2.scoring.computed + report2.scoring.cached,
    });
    expect(await selectedIds(third.run)).toEqual(await selectedIds(second.run));
    const diff3 = await client.diff(DATASET, third.run);
    expect(diff3.counts).toMatchObject({ entered: 0, left: 0, newRecords: 0 });
    expect((await client.runs(DATASET)).latest).toBe(third.run);
  }, 150_000);

  it('winnow upload, append, schedule set/get/tick/rm, runs and diff through the CLI', async () => {
    const demo = join(tmp, 'demo.jsonl');
    writeFileSync(demo, generateDemo({ records: 300, seed: 3 }));
    expect((await cli('upload', 'cli-demo', demo)).stdout).toBe(
      'dataset cli-demo: 1 object, ' + `${readFileSync(demo).length} bytes\n`,
    );
    const set = await cli('schedule', 'set', 'cli-demo', '--every', '6h', '--budget', '20', '--retries', '2');
    expect(set.stdout).toContain('every 6h');
    expect(set.stdout).toContain('budget 20, strategy topk');
    expect(set.stdout).toContain('enabled   yes    retries 2');
    expect((await cli('schedule', 'get', 'cli-demo')).stdout).toBe(set.stdout);

    const first = await cli('schedule', 'tick', 'cli-demo', '--wait');
    expect(first.stdout).toMatch(
      /^run 1 j[0-9a-z]+ done: 20 of 300 selected, \d+ cells computed, 0 from cache/,
    );
    // A part appended from a gzip file, named after the file and its contents.
    const more = join(tmp, 'more.jsonl.gz');
    writeFileSync(more, gzipSync(generateDemo({ records: 30, seed: 11 })));
    expect((await cli('append', 'cli-demo', more)).stdout).toMatch(
      /^dataset cli-demo: part more-[0-9a-f]{10} appended, now 2 objects, \d+ bytes\n$/,
    );
    expect((await cli('schedule', 'tick', 'cli-demo', '--wait')).stdout).toMatch(
      /^not due: no run started \(next due \S+\)\n$/,
    );
    const second = await cli('schedule', 'tick', 'cli-demo', '--force', '--wait');
    expect(second.stdout).toMatch(/^run 2 j[0-9a-z]+ done: 20 of 330 selected, .* entered, \d+ left/);
    const runId = second.stdout.split(' ')[2];

    const runs = (await cli('runs', 'cli-demo')).stdout.split('\n');
    expect(runs[0]).toMatch(
      /^seq +run +state +trigger +tick +selected +computed\/cached +entered\/left +error$/,
    );
    expect(runs[1]).toMatch(new RegExp(`^ *2  ${runId}  done `));
    expect(runs[2]).toMatch(/^ *1 {2}j[0-9a-z]+ +done +due /);
    expect(runs[3]).toBe(`latest  ${runId} (run 2)`);

    const file = join(tmp, 'diff.json');
    const diff = await cli('diff', 'cli-demo', runId, '--out', file);
    expect(diff.stdout).toContain(`run ${runId} against `);
    expect(diff.stdout).toMatch(/records {4}30 new, 0 removed/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ run: runId, counts: { newRecords: 30 } });

    expect((await cli('schedule', 'rm', 'cli-demo')).stdout).toBe('deleted the schedule of cli-demo\n');
    const gone = await cli('schedule', 'get', 'cli-demo').catch((e) => e);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('winnow: dataset "cli-demo" has no schedule\n');
  }, 120_000);

  it('explains a schedule without a time before starting anything', async () => {
    const err = await run(process.execPath, [CLI, 'schedule', 'set', 'x', '--budget', '10%'], {
      cwd: ROOT,
    }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatchInlineSnapshot(`
      "winnow: winnow schedule set needs one of --cron "<5 fields>" or --every <15m|6h|1d>
      "
    `);
    const bad = await run(process.execPath, [CLI, 'schedule', 'set', 'x', '--cron', '61 * * * *'], {
      cwd: ROOT,
    }).catch((e) => e);
    expect(bad.stderr).toBe('winnow: --cron: cron minute: 61 is outside 0-59\n');
  });

  it('on the local stack under --state: schedule set, winnow serve fires the cron, winnow runs lists the runs', async () => {
    await stack.stop();
    const local = (...args: string[]) =>
      run(process.execPath, [CLI, ...args, '--state', state, '--quiet'], { cwd: ROOT, timeout: 90_000 });
    // A schedule whose timing changed is due at once; the recipe is the same, so nothing is computed.
    expect((await local('schedule', 'set', DATASET, '--every', '2m', '--budget', '30%')).stdout).toContain(
      'when      every 2m',
    );
    const serve = spawn(process.execPath, [CLI, 'serve', '--state', state], { cwd: ROOT });
    let out = '';
    let err = '';
    serve.stdout.on('data', (d) => (out += d));
    serve.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((ok) => serve.on('exit', (code) => ok(code)));
    let url = '';
    try {
      const deadline = Date.now() + 60_000;
      while (!/^token {2}\w+$/m.test(out) && Date.now() < deadline)
        await new Promise((ok) => setTimeout(ok, 100));
      url = out.match(/^url {4}(\S+)$/m)![1];
      client = new WinnowClient({ url, token: out.match(/^token {2}(\w+)$/m)![1] });
      const fourth = await finished(DATASET, 4);
      expect(fourth).toMatchObject({ state: 'done', trigger: 'due', summary: { computed: 0 } });
    } finally {
      serve.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toMatch(/Z {2}cron tick\n/);
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();

    const rows = (await local('runs', DATASET)).stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(6);
    expect(rows.slice(1, 5).map((r) => r.trim().split(/\s+/).slice(0, 3))).toEqual(
      [4, 3, 2, 1].map((seq) => [String(seq), expect.stringMatching(/^j/), 'done']),
    );
    expect(rows[5]).toMatch(/^latest {2}j[0-9a-z]+ \(run 4\)$/);
  }, 120_000);
});

describe('formatRuns', () => {
  it('lays the runs out as a table, with the latest pointer', () => {
    const base = {
      trigger: 'due' as const,
      startedAt: '2026-11-26T10:00:01.000Z',
      finishedAt: null,
      objects: 1,
      links: { job: '', outputs: '', diff: '' },
    };
    const list = {
      dataset: 'd',
      latest: 'j00000001',
      runs: [
        {
          ...base,
          run: 'j00000002',
          seq: 2,
          state: 'failed' as const,
          error: `job failed: ${'x'.repeat(80)}`,
          tick: '2026-11-26T11:00:00.000Z',
          previous: 'j00000001',
          summary: null,
        },
        {
          ...base,
          run: 'j00000001',
          seq: 1,
          state: 'done' as const,
          error: null,
          tick: '2026-11-26T10:00:00.000Z',
          previous: null,
          summary: { input: 600, selected: 180, computed: 3000, cached: 0, seconds: 4.2 },
        },
      ],
    };
    expect(formatRuns(list)).toMatchInlineSnapshot(`
      "seq  run        state   trigger  tick                  selected  computed/cached  entered/left  error
        2  j00000002  failed  due      2026-11-26 11:00:00Z         –                –             –  job failed: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
        1  j00000001  done    due      2026-11-26 10:00:00Z       180           3000/0             –
      latest  j00000001 (run 1)"
    `);
    expect(formatRuns({ dataset: 'd', latest: null, runs: [] })).toBe('no runs of d yet\nlatest  none');
  });
});
