import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile } from '../../support/data.ts';
import { type Standin, standinProviders, startStandin } from '../../support/standin-lm/index.ts';
import { runRows } from './select-helpers.ts';

const rows = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[]).slice(0, 240);
const anchors = readFileSync(dataFile('alpaca-gpt4-anchors-100.json'), 'utf8');

describe('accelerated in-context selection against the stand-in model server', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());
  const providers = () => standinProviders(lm);
  const golden = { id: 'golden', config: { provider: 'lm', anchors: 'refs/anchors.json', maxAnchors: 8 } };
  const recipe = (full: boolean, audit?: number | string) => ({
    shardBytes: 30_000,
    scorers: [{ id: 'length' }, { id: 'lexical' }, { id: 'heuristics' }, ...(full ? [golden] : [])],
    providers: { lm: { kind: 'openai', baseUrl: 'http://stand-in', model: 'x' } },
    cluster: { k: 4, seed: 1 },
    select: {
      budget: '30%',
      rank: { terms: [{ score: 'golden_est' }] },
      incontext: {
        scorer: golden,
        sampleRate: 0.2,
        minPerCluster: 3,
        ...(audit !== undefined ? { audit } : {}),
      },
    },
  });

  it('scores a per-cluster sample with the model, estimates the rest, and ranks by the estimate', async () => {
    lm.resetStats();
    const out = await runRows(rows, recipe(false), {
      id: 'ic1',
      extra: { 'refs/anchors.json': anchors },
      providers: providers(),
    });
    const ic = out.report.selection.incontext!;
    expect(ic.callsPerRecord).toBe(8);
    expect(ic.fullCalls).toBe(ic.candidates * 8);
    // The default audit: 5% of the candidates, outside the sample, scored in full too; in the call ratio.
    expect(ic.audited).toBe(Math.ceil(0.05 * ic.candidates));
    expect(ic.auditCalls).toBe(ic.audited * 8);
    expect(ic.calls).toBe((ic.sampled + ic.audited) * 8);
    expect(ic.callRatio).toBeCloseTo((ic.sampled + ic.audited) / ic.candidates, 12);
    expect(ic.callRatio).toBeLessThanOrEqual(0.3);
    expect(ic.seconds).toBeGreaterThan(0);
    expect(ic.compared).toBe(ic.audited);
    expect(ic.topFraction).toBeCloseTo(out.selected.length / ic.candidates, 12);
    // The model was asked for the sample and the audit only (plus the anchors' zero-shot scores at fit).
    // A request retried after a timeout counts twice: on a loaded machine `requests` can exceed `calls`.
    expect(ic.requests).toBeGreaterThanOrEqual(ic.calls);
    expect(lm.stats().requests).toBeLessThanOrEqual(ic.requests + 8 + 4);
    const lines = [...out.selected, ...out.rejected].filter((l) => l.rank >= 0);
    expect(lines.every((l) => Number.isFinite(l.scores.golden_est))).toBe(true);
    const measured = lines.filter((l) => l.flags?.includes('golden_measured'));
    expect(measured).toHaveLength(ic.sampled + ic.audited);
    // Every cluster got its sample.
    const clusters = new Set(measured.map((l) => l.cluster));
    expect(clusters.size).toBe(4);
    expect(out.selected).toHaveLength(Math.round(out.report.counts.valid * 0.3));
  }, 120_000);

  it('with full scoring in the same recipe, audits every unsampled candidate at no cost', async () => {
    const out = await runRows(rows, recipe(true, '100%'), {
      id: 'ic2',
      extra: { 'refs/anchors.json': anchors },
      providers: providers(),
    });
    const ic = out.report.selection.incontext!;
    // The full column answers the sample: no extra requests in the in-context steps.
    expect(ic.requests).toBe(0);
    // The agreement is measured on records the estimator never saw: none of the sample.
    expect(ic.audited).toBe(ic.candidates - ic.sampled);
    expect(ic.compared).toBe(ic.audited);
    // On records the estimator never saw, the stand-in's 8-anchor golden score is close to unpredictable
    // (measured: Spearman 0.09, top-30% overlap 0.30, chance 0.30; over 181 records the standard error of
    // Spearman is ~0.075). Before the audit, the comparison set was the sample itself and read 1.
    expect(ic.spearman).toBeGreaterThan(-0.2);
    expect(ic.spearman).toBeLessThan(0.4);
    expect(ic.topOverlap).toBeLessThan(0.5);
    for (const l of out.selected.filter((l) => l.flags?.includes('golden_measured')))
      expect(l.scores.golden_est).toBe(l.scores.golden);
  }, 180_000);
});
