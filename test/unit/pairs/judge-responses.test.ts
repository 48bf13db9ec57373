import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { createProviders } from '../../../src/providers/index.ts';
import { MemoryCellCache } from '../../../src/score/index.ts';
import { readAlpaca, type Standin, startStandin } from '../../support/standin-lm/index.ts';

/**
 * Responses ranked by a model-backed scorer: the judge, through the provider layer, against the
 * stand-in model server (a real HTTP server). Each prompt gets its real Alpaca answer and two worse ones.
 */
describe('responses ranked by the LLM judge', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());

  const rows = readAlpaca('alpaca-random-9k.json')
    .slice(0, 30)
    .map((r) => ({
      prompt: r.input?.trim() ? `${r.instruction}\n\n${r.input}` : r.instruction,
      responses: [
        { text: r.output },
        { text: r.output.split(/\s+/).slice(0, 3).join(' ') },
        { text: 'As an AI language model, I cannot answer that.' },
      ],
    }));
  const text = rows.map((r) => JSON.stringify(r)).join('\n');
  const recipe = RecipeSchema.parse({
    shardBytes: 4096,
    scorers: [{ id: 'judge', config: { provider: 'lm' } }],
    providers: { lm: { kind: 'openai', baseUrl: 'http://placeholder', model: 'x' } },
    pairs: { score: 'judge', strategy: { id: 'best-vs-random' } },
  });

  it('scores every response once, pairs by the judge score, and a re-run is served from the cell cache', async () => {
    const deps = {
      cells: (() => {
        const cache = new MemoryCellCache();
        return () => cache;
      })(),
      providers: () =>
        createProviders(
          { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 8 } },
          { fetch, secrets: {} },
        ),
    };
    lm.resetStats();
    const { store, spec } = await memoryJob({ 'datasets/d/data.jsonl': text }, recipe);
    const report = await runLocal(store, spec, deps);
    // One cell per distinct content: an answer of three words or fewer is its own truncation.
    const distinct = new Set(rows.flatMap((r) => r.responses.map((x) => `${r.prompt}\u0000${x.text}`))).size;
    expect(distinct).toBeGreaterThan(80);
    expect(report.scoring.byScorer.judge.computed).toBe(distinct);
    expect(lm.stats().requests).toBe(distinct);
    const pairs = (await memoryOutput(store, 'job', 'pairs.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(pairs.length).toBe(report.pairs!.pairs);
    expect(report.pairs!.groups.total).toBe(30);
    expect(report.pairs!.groups.used + (report.pairs!.groups.skipped.margin_too_small ?? 0)).toBe(30);
    // The judge preferred the real answer over the refusal in most groups; every pair is ordered by it.
    for (const p of pairs) {
      expect(p.score_chosen).toBeGreaterThan(p.score_rejected);
      expect(p.margin).toBeCloseTo(p.score_chosen - p.score_rejected, 12);
      expect(rows.some((r) => r.prompt === p.prompt)).toBe(true);
    }
    const real = pairs.filter((p) => rows.find((r) => r.prompt === p.prompt)!.responses[0].text === p.chosen);
    expect(real.length).toBeGreaterThan(pairs.length / 2);

    lm.resetStats();
    const again = await memoryJob({ 'datasets/d/data.jsonl': text }, recipe, { id: 'job2' });
    const second = await runLocal(again.store, again.spec, deps);
    expect(second.scoring.byScorer.judge).toMatchObject({ computed: 0, cached: distinct });
    expect(lm.stats().requests).toBe(0);
    expect(await memoryOutput(again.store, 'job2', 'pairs.jsonl')).toBe(
      await memoryOutput(store, 'job', 'pairs.jsonl'),
    );
  }, 120_000);
});
