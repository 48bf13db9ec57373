import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile } from '../../support/data.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';
import { unique } from '../stack.ts';
import { ALPACA_9K as DATA, jsonl, winnowRunShared } from './helpers.ts';

const ANCHORS = dataFile('alpaca-gpt4-anchors-100.json');
const tmp = mkdtempSync(join(tmpdir(), 'winnow-model-'));
let lm: Standin;
beforeAll(async () => {
  lm = await startStandin();
});
afterAll(async () => {
  await lm?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('model-backed scorers through the pipeline on workerd, against a real HTTP model server', () => {
  it('judge, IFD and golden score every record through the provider layer; a re-run asks the model nothing', async () => {
    const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as unknown[]).slice(0, 60);
    const input = join(tmp, `${unique('sixty')}.json`);
    writeFileSync(input, JSON.stringify(rows));
    const recipe = {
      shardBytes: 8 * 1024,
      scorers: [
        { id: 'length' },
        { id: 'judge', config: { provider: 'lm' } },
        { id: 'ifd', config: { provider: 'lm' } },
        // No anchor set named: 5 anchors are chosen by k-means from the job's own sample.
        { id: 'golden', config: { provider: 'lm', maxAnchors: 5 } },
        // A local file as the DSIR target: the CLI uploads it and the fit stage reads `dataset:<name>`.
        { id: 'dsir', config: { target: `file:${ANCHORS}` } },
      ],
      providers: { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 4 } },
      select: { rank: { terms: [{ score: 'judge_p' }, { score: 'golden' }] }, budget: 20 },
    };
    const recipeFile = join(tmp, 'recipe.json');
    writeFileSync(recipeFile, JSON.stringify(recipe));
    // On the e2e tier's shared stack (the dataset is this test's own): a re-run is served by its caches.
    const cli = (out: string) => winnowRunShared(input, out, ['--recipe', recipeFile]);
    const out = join(tmp, 'out');
    await cli(out);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.counts).toMatchObject({ input: 60, valid: 60, selected: 20 });
    expect(report.stages.score.shards).toBeGreaterThan(1);
    for (const id of ['judge', 'ifd', 'golden']) expect(report.scoring.byScorer[id].computed).toBe(60);
    expect(report.fits.golden.summary).toMatchObject({ anchors: 5 });
    expect(report.recipe.scorers[4].config.target).toMatch(/^dataset:alpaca-gpt4-anchors-100-[0-9a-f]{10}$/);
    expect(report.fits.dsir.summary).toMatchObject({ target: 100 });
    const lines = [...jsonl(join(out, 'selected.jsonl')), ...jsonl(join(out, 'rejected.jsonl'))];
    for (const l of lines) {
      expect(l.scores.judge).toBeGreaterThanOrEqual(0);
      expect(l.scores.judge).toBeLessThanOrEqual(5);
      // A one-token answer has no answer-alone loss to divide by: flagged, not guessed.
      if (l.flags?.includes('ifd_empty')) expect(l.flags).toContain('nonfinite:ifd');
      else expect(l.scores.ifd).toBeGreaterThan(0);
      expect(l.scores.golden * 5).toBeCloseTo(Math.round(l.scores.golden * 5), 9);
      expect(Number.isFinite(l.scores.dsir)).toBe(true);
    }
    // judge: 1 chat call per record; ifd: 2 completions; golden: 1 per anchor baseline + 5 per record.
    const asked = lm.stats();
    expect(asked.chat).toBe(60);
    expect(asked.completions).toBe(60 * 2 + 5 + 60 * 5);
    expect(report.scoring.model).toEqual({ requests: asked.requests, cached: 0, failed: 0 });

    // The same recipe again: every cell and the golden anchors come from the dataset's cache.
    lm.resetStats();
    const again = join(tmp, 'again');
    await cli(again);
    const report2 = JSON.parse(readFileSync(join(again, 'report.json'), 'utf8'));
    expect(report2.scoring.computed).toBe(0);
    expect(report2.scoring.model.requests).toBe(0);
    expect(lm.stats().requests).toBe(0);
    expect(jsonl(join(again, 'selected.jsonl')).map((l) => l.id)).toEqual(
      jsonl(join(out, 'selected.jsonl')).map((l) => l.id),
    );
  }, 300_000);

  it('accelerated in-context selection on workerd: the model scores a per-cluster sample and the audit only', async () => {
    lm.resetStats();
    const rows = (JSON.parse(readFileSync(DATA, 'utf8')) as unknown[]).slice(100, 220);
    const input = join(tmp, `${unique('ic')}.json`);
    writeFileSync(input, JSON.stringify(rows));
    const golden = { id: 'golden', config: { provider: 'lm', anchors: `file:${ANCHORS}`, maxAnchors: 4 } };
    const recipe = {
      shardBytes: 8 * 1024,
      scorers: [{ id: 'length' }, { id: 'lexical' }, { id: 'heuristics' }],
      providers: { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 4 } },
      cluster: { k: 3, seed: 1 },
      select: {
        rank: { terms: [{ score: 'golden_est' }] },
        budget: 30,
        incontext: { scorer: golden, sampleRate: 0.15, minPerCluster: 3 },
      },
    };
    const recipeFile = join(tmp, 'ic-recipe.json');
    writeFileSync(recipeFile, JSON.stringify(recipe));
    const out = join(tmp, 'ic-out');
    await winnowRunShared(input, out, ['--recipe', recipeFile]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const ic = report.selection.incontext;
    expect(report.counts.selected).toBe(30);
    // The default audit: 5% of the candidates outside the sample, scored in full to measure agreement.
    expect(ic.audited).toBe(Math.ceil(0.05 * ic.candidates));
    expect(ic).toMatchObject({
      callsPerRecord: 4,
      calls: (ic.sampled + ic.audited) * 4,
      auditCalls: ic.audited * 4,
      fullCalls: ic.candidates * 4,
      compared: ic.audited,
    });
    expect(ic.sampled).toBeGreaterThanOrEqual(9);
    expect(ic.callRatio).toBeLessThanOrEqual(0.35);
    // The stand-in saw the anchors' zero-shot scores and the sample's and audit's one-shot scores, nothing else.
    expect(lm.stats().completions).toBe(4 + ic.calls);
    const lines = [...jsonl(join(out, 'selected.jsonl')), ...jsonl(join(out, 'rejected.jsonl'))];
    const measured = lines.filter((l) => l.flags?.includes('golden_measured'));
    expect(measured).toHaveLength(ic.sampled + ic.audited);
    for (const l of lines) if (l.rank >= 0) expect(Number.isFinite(l.scores.golden_est)).toBe(true);
  }, 300_000);
});
