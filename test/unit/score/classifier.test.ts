import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  auc,
  type ClassifierConfig,
  ClassifierConfigSchema,
  classifierScorer,
  decodeClassifier,
  encodeClassifier,
  featureDot,
  featurize,
  margin,
  parseLabel,
  stratifiedFolds,
  subsample,
} from '../../../src/score/classifier/index.ts';
// The registry of built-in scorers: the classifier's offline-score features (features.scores) read it.
import '../../../src/score/index.ts';
import type { ScoreInput } from '../../../src/score/types.ts';
import { dataFile } from '../../support/data.ts';

type Row = { instruction: string; input: string; output: string; category?: string; label?: unknown };
const rec = (r: Row, id: string): ScoreInput => ({
  id,
  hash: id,
  turns: [
    { role: 'user', content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
    { role: 'assistant', content: r.output },
  ],
  record: r,
});
const load = (file: string) =>
  (JSON.parse(readFileSync(dataFile(file), 'utf8')) as Row[]).map((r, i) => rec(r, `${file}:${i}`));
const cfg = (o: Partial<ClassifierConfig> = {}) => ClassifierConfigSchema.parse(o);

describe('auc', () => {
  it('matches scikit-learn roc_auc_score, ties counting one half', () => {
    // python3 -c "from sklearn.metrics import roc_auc_score; print(roc_auc_score(y, s))" (scikit-learn 1.9.1)
    expect(
      auc([0.1, 0.4, 0.35, 0.8, 0.8, 0.2, 0.4, 0.9, 0.4, 0.05], [0, 1, 1, 0, 1, 0, 0, 1, 1, 0]),
    ).toBeCloseTo(0.78, 14);
    expect(auc([3, 1, 2, 2, 5, 3, 3, 0, 1, 2, 4, 4], [1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0])).toBeCloseTo(
      0.6527777777777779,
      14,
    );
    expect(auc([1, 2, 3], [false, true, true])).toBe(1);
    expect(auc([1, 1, 1], [false, true, true])).toBe(0.5);
  });

  it('needs both classes', () => {
    expect(() => auc([1, 2], [1, 1])).toThrow('AUC needs both classes, got 2 positive and 0 negative');
    expect(() => auc([1, 2], [1])).toThrow(RangeError);
  });
});

describe('labels and folds', () => {
  it('parses booleans, 0/1 and listed strings; absent is unlabelled', () => {
    const pos = ['good', 'yes'];
    expect([true, 1, ' Good ', 'YES'].map((v) => parseLabel(v, pos))).toEqual([1, 1, 1, 1]);
    expect([false, 0, 'bad', 2, 'good!'].map((v) => parseLabel(v, pos))).toEqual([0, 0, 0, 0, 0]);
    expect(parseLabel(undefined, pos)).toBeNull();
  });

  it('stratifies: every fold gets its share of each class, seeded', () => {
    const y = Uint8Array.from({ length: 103 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const f = stratifiedFolds(y, 5, 9);
    for (let k = 0; k < 5; k++) {
      const pos = [...y.keys()].filter((i) => f[i] === k && y[i]).length;
      const neg = [...y.keys()].filter((i) => f[i] === k && !y[i]).length;
      expect(pos).toBeGreaterThanOrEqual(6);
      expect(pos).toBeLessThanOrEqual(7);
      expect(neg).toBeGreaterThanOrEqual(13);
      expect(neg).toBeLessThanOrEqual(14);
    }
    expect(stratifiedFolds(y, 5, 9)).toEqual(f);
    expect(stratifiedFolds(y, 5, 10)).not.toEqual(f);
  });
});

describe('classifier scorer', () => {
  const dolly = load('dolly-3k.json').filter((r) =>
    ['open_qa', 'classification'].includes((r.record as Row).category!),
  );
  const config = cfg({ labelField: 'category', positive: ['open_qa'] });

  it("learns Dolly's open_qa vs classification from the job's own rows: CV AUC > 0.9", async () => {
    expect(classifierScorer.wantsForFit!(dolly[0], config)).toBe(true);
    expect(
      classifierScorer.wantsForFit!(rec({ instruction: 'a', input: '', output: 'b' }, 'x'), config),
    ).toBe(false);
    expect(classifierScorer.references!(config)).toEqual([]);
    const { model, summary } = await classifierScorer.fit!({ self: dolly, references: {}, seed: 3 }, config);
    expect(summary).toMatchObject({ records: 1584, positives: 943, negatives: 641, folds: 5 });
    expect(summary.auc).toBeGreaterThan(0.9);
    expect(summary.aucStd).toBeGreaterThan(0);
    expect(summary.aucStd).toBeLessThan(0.05);
    const rows = await classifierScorer.score(dolly, config, { seed: 1, model });
    const p = rows.map((r) => r.scores.classifier);
    expect(p.every((x) => x > 0 && x < 1)).toBe(true);
    expect(
      auc(
        p,
        dolly.map((r) => ((r.record as Row).category === 'open_qa' ? 1 : 0)),
      ),
    ).toBeGreaterThan(0.97);
  });

  it('hashes signed by default: colliding n-grams cancel instead of adding up', async () => {
    expect(cfg().signed).toBe(true);
    // Dolly's closed_qa + information_extraction against the rest, n-grams only, 2^18 buckets: the
    // long contexts' n-grams collide, and unsigned buckets add them up (bench/classifier-auc.ts).
    const all = load('dolly-3k.json');
    const task = cfg({
      labelField: 'category',
      positive: ['closed_qa', 'information_extraction'],
      features: { idf: false, scores: [] },
    });
    const fitAuc = async (signed: boolean) =>
      (await classifierScorer.fit!({ self: all, references: {}, seed: 3 }, { ...task, signed })).summary
        .auc as number;
    const [signed, unsigned] = [await fitAuc(true), await fitAuc(false)];
    expect(signed).toBeGreaterThan(unsigned + 0.005);
  });

  it('trains from a labels dataset and scores identically after a bytes round trip', async () => {
    const labelled = load('alpaca-random-9k.json')
      .slice(0, 2000)
      .map((r, i) => {
        const row = r.record as Row;
        return rec({ ...row, label: /\d/.test(row.output) ? 'yes' : 'no' }, `l${i}`);
      });
    const c = cfg({ labels: 'refs/labels.jsonl', buckets: 2 ** 16, folds: 3 });
    expect(classifierScorer.references!(c)).toEqual(['refs/labels.jsonl']);
    expect(classifierScorer.wantsForFit!(labelled[0], c)).toBe(false);
    const { model, summary } = await classifierScorer.fit!(
      { self: [], references: { 'refs/labels.jsonl': labelled }, seed: 1 },
      c,
    );
    expect(summary.folds).toBe(3);
    expect(summary.auc).toBeGreaterThan(0.8);
    const bytes = classifierScorer.encodeModel!(model);
    const back = classifierScorer.decodeModel!(bytes);
    expect(back).toEqual(model);
    const batch = labelled.slice(0, 200);
    expect(await classifierScorer.score(batch, c, { seed: 1, model: back })).toEqual(
      await classifierScorer.score(batch, c, { seed: 1, model }),
    );
    // The fast scoring path equals the sparse-vector margin up to float rounding.
    for (const r of batch.slice(0, 20)) {
      expect(featureDot(r.turns, model, model.weights)).toBeCloseTo(
        margin(featurize(r.turns, model), model.weights, 0),
        12,
      );
    }
  });

  it('is deterministic: the same seed gives identical model bytes, another seed does not', async () => {
    const small = dolly.slice(0, 300);
    const c = cfg({ labelField: 'category', positive: ['open_qa'], buckets: 4096, epochs: 3 });
    const fitBytes = async (seed: number) =>
      classifierScorer.encodeModel!(
        (await classifierScorer.fit!({ self: small, references: {}, seed }, c)).model,
      );
    const a = await fitBytes(5);
    expect(await fitBytes(5)).toEqual(a);
    expect(await fitBytes(6)).not.toEqual(a);
  });

  it('caps the examples with a seeded stratified subset', async () => {
    const c = cfg({ labelField: 'category', positive: ['open_qa'], maxExamples: 100, folds: 3 });
    const { summary } = await classifierScorer.fit!({ self: dolly, references: {}, seed: 1 }, c);
    expect(summary).toMatchObject({ records: 101, positives: 60, negatives: 41, labelled: 1584 });
    const y = Uint8Array.from({ length: 1000 }, (_, i) => (i < 3 ? 1 : 0));
    const sub = subsample([...y.keys()], y, 10, 1);
    expect(sub.y.reduce((s, v) => s + v, 0)).toBe(2);
    expect(sub.records).toEqual([...sub.records].sort((a, b) => a - b));
    expect(subsample([...y.keys()], y, 10, 1)).toEqual(sub);
  });

  it('needs two examples of each class', async () => {
    const rows = [
      rec({ instruction: 'a', input: '', output: 'x', label: 'good' }, '1'),
      rec({ instruction: 'b', input: '', output: 'y', label: true }, '2'),
      rec({ instruction: 'c', input: '', output: 'z', label: 'bad' }, '3'),
      rec({ instruction: 'd', input: '', output: 'w' }, '4'),
    ];
    await expect(
      (async () => classifierScorer.fit!({ self: rows, references: {}, seed: 1 }, cfg()))(),
    ).rejects.toThrowErrorMatchingInlineSnapshot(
      `[RangeError: classifier: need at least 2 positive and 2 negative examples, got 2 positive and 1 negative (field "label" in the job's own records; positive values: good, high, 1, true, yes, positive)]`,
    );
    await expect(
      (async () =>
        classifierScorer.fit!({ self: rows, references: {}, seed: 1 }, cfg({ labels: 'refs/l.jsonl' })))(),
    ).rejects.toThrow('got 0 positive and 0 negative');
  });
});

describe('classifier features beyond the n-grams', () => {
  // Labels a length feature separates and the words do not: the same words, long answers positive.
  const rows = Array.from({ length: 80 }, (_, i) => {
    const long = i % 2 === 0;
    const words = ['river', 'stone', 'cloud', 'field'][i % 4];
    const output = long ? `${words} `.repeat(40 + (i % 7)) : `${words} ${words}`;
    return rec(
      { instruction: `Tell me about the ${words}.`, input: '', output, label: long ? 'good' : 'bad' },
      String(i),
    );
  });

  it('reads standardized offline scores beside the n-grams, and keeps them in its model', async () => {
    const both = await classifierScorer.fit!({ self: rows, references: {}, seed: 1 }, cfg());
    const words = await classifierScorer.fit!(
      { self: rows, references: {}, seed: 1 },
      cfg({ features: { idf: false, scores: [] } }),
    );
    expect(String(both.summary.features)).toContain('length');
    expect(words.summary.features).toBe('tf');
    expect(both.summary.auc as number).toBeGreaterThan(0.95);
    // Longer answers are the positives here: the length feature's weight came out positive.
    const m = both.model;
    expect(m.weights[m.buckets + m.numeric!.names.indexOf('length')]).toBeGreaterThan(0);
    // Its model carries the standardization and the fitted perplexity model: the same scores after bytes.
    const model = decodeClassifier(encodeClassifier(both.model));
    expect(model.numeric?.names).toEqual(both.model.numeric?.names);
    const a = await classifierScorer.score(rows, cfg(), { seed: 0, model: both.model });
    const b = await classifierScorer.score(rows, cfg(), { seed: 0, model });
    expect(b).toEqual(a);
  });

  it('names a feature scorer that cannot be one, where it is', async () => {
    await expect(
      (async () =>
        classifierScorer.fit!(
          { self: rows, references: {}, seed: 1 },
          cfg({ features: { idf: false, scores: ['length', 'judge'] } }),
        ))(),
    ).rejects.toThrow('classifier.config.features.scores[1]: "judge" cannot be a classifier feature');
    await expect(
      (async () =>
        classifierScorer.fit!(
          { self: rows, references: {}, seed: 1 },
          cfg({ features: { idf: false, scores: ['nope'] } }),
        ))(),
    ).rejects.toThrow('classifier.config.features.scores[0]: unknown scorer "nope"');
  });
});
