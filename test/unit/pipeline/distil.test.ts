import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile } from '../../support/data.ts';
import { type Standin, standinProviders, startStandin } from '../../support/standin-lm/index.ts';
import { runRows } from './select-helpers.ts';

const rows = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[]).slice(0, 400);

describe('a classifier distilled from a judge (classifier.labelsFrom), against the stand-in model server', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());
  const providers = () => standinProviders(lm);
  const judge = { id: 'judge', config: { provider: 'lm' } };
  const classifier = (extra: object = {}) => ({
    id: 'classifier',
    config: { labelsFrom: { scorer: 'judge', config: { provider: 'lm' }, min: 4, sample: 120 }, ...extra },
  });
  const recipe = (scorers: object[]) => ({
    shardBytes: 40_000,
    scorers: [{ id: 'length' }, ...scorers],
    providers: { lm: { kind: 'openai', baseUrl: 'http://stand-in', model: 'x' } },
    select: { budget: '30%' },
  });

  it('asks the judge about the sample only, then scores every record offline', async () => {
    lm.resetStats();
    const out = await runRows(rows, recipe([classifier()]), { id: 'distil1', providers: providers() });
    const fit = out.report.fits.classifier.summary;
    expect(fit).toMatchObject({ labelsFrom: 'judge.judge ≥ 4', labelCached: 0 });
    expect(fit.labelRequests).toBe(lm.stats().requests);
    expect(fit.labelRequests as number).toBeLessThanOrEqual(120);
    expect(fit.labelledSample as number).toBeGreaterThan(100);
    // A full judge run would ask about every valid record.
    expect(fit.fullRunRequests).toBe(
      Math.round(((fit.labelRequests as number) / 120) * out.report.counts.valid),
    );
    expect(fit.auc as number).toBeGreaterThan(0.5);
    const lines = [...out.selected, ...out.rejected];
    expect(lines.filter((l) => Number.isFinite(l.scores.classifier))).toHaveLength(out.report.counts.valid);
  }, 120_000);

  it('the judge in the same recipe reuses the sample’s verdicts from the cell cache', async () => {
    lm.resetStats();
    const out = await runRows(rows, recipe([judge, classifier()]), { id: 'distil2', providers: providers() });
    const fit = out.report.fits.classifier.summary;
    expect(out.report.scoring.byScorer.judge.cached).toBe(120);
    expect(out.report.scoring.byScorer.judge.computed + 120).toBe(
      out.report.scoring.byScorer.length.computed + out.report.scoring.byScorer.length.cached,
    );
    expect(lm.stats().requests).toBe(
      (fit.labelRequests as number) + out.report.scoring.byScorer.judge.computed,
    );
  }, 120_000);

  it('refuses an offline scorer, a second label source, and one class only, saying where', async () => {
    const bad = (config: object) =>
      runRows(rows.slice(0, 60), recipe([{ id: 'classifier', config }]), { providers: providers() });
    await expect(bad({ labelsFrom: { scorer: 'length', min: 0.5 } })).rejects.toThrow(
      'classifier.config.labelsFrom.scorer: "length" is an offline scorer',
    );
    await expect(
      bad({ labels: 'refs/l.jsonl', labelsFrom: { scorer: 'judge', config: { provider: 'lm' }, min: 4 } }),
    ).rejects.toThrow(
      'labels (a labelled dataset) and labelsFrom (a scorer labels a sample) exclude each other',
    );
    await expect(
      bad({ labelsFrom: { scorer: 'judge', config: { provider: 'lm' }, min: 99, sample: 20 } }),
    ).rejects.toThrow(
      /classifier.config.labelsFrom.min: labelsFrom gave 0 positive and \d+ negative examples/,
    );
  }, 120_000);
});
