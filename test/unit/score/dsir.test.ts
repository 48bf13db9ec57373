import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DsirConfig, DsirConfigSchema, dsirScorer, gumbelTopK } from '../../../src/score/dsir/index.ts';
import { hashedNgrams } from '../../../src/score/features/index.ts';
import type { ScoreInput } from '../../../src/score/types.ts';
import { dataFile } from '../../support/data.ts';

const rec = (instruction: string, output: string, id = `${instruction}|${output}`): ScoreInput => ({
  id,
  hash: id,
  turns: [
    { role: 'user', content: instruction },
    { role: 'assistant', content: output },
  ],
});
const load = (file: string) =>
  (
    JSON.parse(readFileSync(dataFile(file), 'utf8')) as {
      instruction: string;
      input: string;
      output: string;
    }[]
  ).map((r, i) => rec(r.input ? `${r.instruction}\n\n${r.input}` : r.instruction, r.output, `${file}:${i}`));
const cfg = (o: Partial<DsirConfig>) => DsirConfigSchema.parse({ target: 'refs/target.json', ...o });

describe('dsir scorer', () => {
  it('computes the hand-derived log importance weight on a toy corpus', async () => {
    // Target "a b": n-grams a, b, "a b" (N_t = 3). Raw "a c", "b c": a, c, "a c", b, c, "b c" (N_r = 6).
    // With α = 1 and B buckets (no collisions among the 5 distinct n-grams):
    //   "a b": ln[(1+1)/(3+B)] - ln[(1+1)/(6+B)] for a and for b, ln[(1+1)/(3+B)] - ln[(0+1)/(6+B)] for "a b".
    const B = 50;
    const distinct = ['a', 'b', 'c'].map((w) => hashedNgrams([w], { buckets: B })[0]);
    distinct.push(
      ...['a b', 'a c', 'b c'].map((g) => hashedNgrams(g.split(' '), { buckets: B, orders: [2] })[0]),
    );
    expect(new Set(distinct).size).toBe(6);
    const config = cfg({ buckets: B, field: 'answer', normalize: 'sum', raw: 'refs/raw.json' });
    const { model, summary } = await dsirScorer.fit!(
      {
        self: [],
        references: {
          'refs/target.json': [rec('', 'a b')],
          'refs/raw.json': [rec('', 'a c'), rec('', 'b c')],
        },
        seed: 1,
      },
      config,
    );
    expect(summary).toMatchObject({ target: 1, raw: 2, targetNgrams: 3, rawNgrams: 6, buckets: B });
    const r = Math.log((6 + B) / (3 + B));
    const want = { ab: 3 * r + Math.log(2), c: Math.log(1 / (3 + B)) - Math.log(3 / (6 + B)) };
    const rows = await dsirScorer.score([rec('', 'a b'), rec('', 'c'), rec('', 'A, b!')], config, {
      seed: 1,
      model,
    });
    expect(rows[0].scores.dsir).toBeCloseTo(want.ab, 12);
    expect(rows[1].scores.dsir).toBeCloseTo(want.c, 12);
    expect(rows[2].scores.dsir).toBe(rows[0].scores.dsir);
    // mean: the same sum over the 3 n-gram occurrences of "a b".
    const mean = await dsirScorer.score(
      [rec('', 'a b')],
      { ...config, normalize: 'mean' },
      { seed: 1, model },
    );
    expect(mean[0].scores.dsir).toBeCloseTo(want.ab, 12); // the model decides, not the config
    const meanModel = (
      await dsirScorer.fit!(
        {
          self: [rec('', 'a c'), rec('', 'b c')],
          references: { 'refs/target.json': [rec('', 'a b')] },
          seed: 1,
        },
        { ...config, raw: undefined, normalize: 'mean' },
      )
    ).model;
    const [m] = await dsirScorer.score([rec('', 'a b')], config, { seed: 1, model: meanModel });
    expect(m.scores.dsir).toBeCloseTo(want.ab / 3, 12);
    // Raw weights: "a c" and "b c" both score (ln[(1+1)/(3+B)/(2/(6+B))] + 2·ln[(0+1)/(3+B)/((c+1)/(6+B))]) / 3 …
    expect(meanModel.median).toBeCloseTo(
      (r + (Math.log(1 / (3 + B)) - Math.log(3 / (6 + B))) + (r - Math.log(2))) / 3,
      12,
    );
  });

  it('weights records like the target higher: Alpaca over Dolly under Alpaca-GPT4 anchors', async () => {
    const anchors = load('alpaca-gpt4-anchors-100.json');
    const dolly = load('dolly-3k.json');
    const alpaca = load('alpaca-random-9k.json');
    const config = cfg({ raw: 'dolly' });
    expect(dsirScorer.references!(config)).toEqual(['refs/target.json', 'dolly']);
    // The fit is one pass over the target and two over the raw sample (counts, then the weights'
    // median and scale): an operation count, not a clock. Each record's turns are read through a counter.
    let reads = 0;
    const counted = (rows: ScoreInput[]) =>
      rows.map((r) => ({
        ...r,
        get turns() {
          reads++;
          return r.turns;
        },
      }));
    const { model } = await dsirScorer.fit!(
      { self: [], references: { 'refs/target.json': counted(anchors), dolly: counted(dolly) }, seed: 1 },
      config,
    );
    const mean = (rows: { scores: Record<string, number> }[], k: string) =>
      rows.reduce((s, r) => s + r.scores[k], 0) / rows.length;
    const a = await dsirScorer.score(alpaca, config, { seed: 1, model });
    const d = await dsirScorer.score(dolly, config, { seed: 1, model });
    expect(mean(a, 'dsir')).toBeGreaterThan(mean(d, 'dsir') + 0.1);
    expect(mean(a, 'dsir_p')).toBeGreaterThan(0.6);
    const sorted = d.map((r) => r.scores.dsir_p).sort((x, y) => x - y);
    expect(sorted[sorted.length >> 1]).toBeCloseTo(0.5, 2);
    expect(reads).toBeGreaterThanOrEqual(anchors.length + dolly.length);
    expect(reads).toBeLessThanOrEqual(anchors.length + 2 * dolly.length);
  });

  it('round-trips the model through bytes, flags empty text', async () => {
    const config = cfg({ buckets: 1000, smoothing: 0.5 });
    const self = load('dolly-3k.json').slice(0, 300);
    const { model } = await dsirScorer.fit!(
      { self, references: { 'refs/target.json': load('alpaca-gpt4-anchors-100.json') }, seed: 1 },
      config,
    );
    const back = dsirScorer.decodeModel!(dsirScorer.encodeModel!(model));
    expect(back).toEqual(model);
    expect(await dsirScorer.score(self, config, { seed: 1, model: back })).toEqual(
      await dsirScorer.score(self, config, { seed: 1, model }),
    );
    const [empty] = await dsirScorer.score([rec('?', '...')], config, { seed: 1, model });
    expect(empty).toEqual({ scores: { dsir: 0, dsir_p: 0 }, flags: ['empty_text'] });
  });

  it('requires a target, with a clear message', () => {
    expect(() => DsirConfigSchema.parse({})).toThrowErrorMatchingInlineSnapshot(`
      [ZodError: [
        {
          "expected": "string",
          "code": "invalid_type",
          "path": [
            "target"
          ],
          "message": "dsir needs \`target\`: the R2 key of a dataset that looks like the data you want (e.g. \\"refs/target.jsonl\\")"
        }
      ]]
    `);
    expect(() => DsirConfigSchema.parse({ target: '' })).toThrow(/dsir needs `target`/);
    expect(DsirConfigSchema.parse({ target: 'k' })).toEqual({
      target: 'k',
      field: 'both',
      buckets: 10_000,
      orders: [1, 2],
      smoothing: 1,
      normalize: 'mean',
    });
    expect(() =>
      dsirScorer.fit!({ self: [rec('a', 'b')], references: {}, seed: 1 }, cfg({})),
    ).toThrowErrorMatchingInlineSnapshot(`[RangeError: dsir: target refs/target.json has no records]`);
  });
});

describe('gumbelTopK', () => {
  it('is deterministic per seed and returns k distinct indices, best key first', () => {
    const w = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const a = gumbelTopK(w, 50, 42);
    expect(a).toEqual(gumbelTopK(w, 50, 42));
    expect(a).not.toEqual(gumbelTopK(w, 50, 43));
    expect(new Set(a).size).toBe(50);
    // A prefix of a larger draw with the same seed: the same keys, so the same top.
    expect(gumbelTopK(w, 10, 42)).toEqual(a.subarray(0, 10));
    expect([...gumbelTopK(w, 1000, 42)].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(gumbelTopK(w, 0, 1)).toEqual(new Uint32Array(0));
  });

  it('samples ∝ exp(weight) (Gumbel-max for k = 1), never -Infinity before finite weights', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const w = Float64Array.from([...p, 0], (x) => Math.log(x));
    const hits = [0, 0, 0, 0, 0];
    const trials = 20_000;
    for (let s = 0; s < trials; s++) hits[gumbelTopK(w, 1, s)[0]]++;
    for (const [i, x] of p.entries()) expect(Math.abs(hits[i] / trials - x)).toBeLessThan(0.015);
    expect(hits[4]).toBe(0);
    expect(gumbelTopK(w, 5, 3)[4]).toBe(4);
  });

  it('rejects bad k and NaN weights', () => {
    const w = new Float64Array(3);
    expect(() => gumbelTopK(w, 4, 1)).toThrow('k must be an integer in [0, 3], got 4');
    expect(() => gumbelTopK(w, 1.5, 1)).toThrow(RangeError);
    expect(() => gumbelTopK(Float64Array.of(0, Number.NaN), 1, 1)).toThrow('logWeights[1] is NaN');
  });
});
