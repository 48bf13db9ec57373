import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import { hashString } from '../../../src/score/features/index.ts';
import {
  BOS,
  EOS,
  type LmModel,
  ngramLogProb,
  type PerplexityConfig,
  PerplexityConfigSchema,
  perplexityScorer,
  sequenceLogProb,
  trainLm,
  UNK,
} from '../../../src/score/ngram-lm/index.ts';
import type { ScoreInput } from '../../../src/score/types.ts';
import { dataFile } from '../../support/data.ts';

const rec = (answer: string, id = answer): ScoreInput => ({
  id,
  hash: id,
  turns: [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: answer },
  ],
});

/**
 * Interpolated modified Kneser–Ney written straight from the formulas with string-keyed Maps, sharing
 * no code with src/: one <s>, adjusted counts = raw at the top order and for n-grams starting with <s>,
 * else the number of distinct left neighbours; the recursion ends at 1/|V|, V = words + </s> + <unk>.
 */
function bruteKn(corpus: string[][], N: number, minCount = 1) {
  const freq = new Map<string, number>();
  for (const s of corpus) for (const w of s) freq.set(w, (freq.get(w) ?? 0) + 1);
  const known = (w: string) => (w === '<s>' || w === '</s>' || (freq.get(w) ?? 0) >= minCount ? w : '<unk>');
  const vocab = [...new Set([...freq.keys()].map(known)), '</s>', '<unk>'].filter(
    (w, i, a) => a.indexOf(w) === i,
  );
  const c: Map<string, number>[] = [new Map()];
  for (let n = 1; n <= N; n++) c.push(new Map());
  for (const s of corpus) {
    const seq = ['<s>', ...s.map(known), '</s>'];
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i + n <= seq.length; i++) {
        const g = seq.slice(i, i + n).join(' ');
        c[n].set(g, (c[n].get(g) ?? 0) + 1);
      }
    }
  }
  const a = (n: number, g: string): number => {
    if (n === N || g.split(' ')[0] === '<s>') return c[n].get(g) ?? 0;
    let k = 0;
    for (const h of c[n + 1].keys()) if (h.split(' ').slice(1).join(' ') === g) k++;
    return k;
  };
  const D: number[][] = [[]];
  for (let n = 1; n <= N; n++) {
    const nk = [0, 0, 0, 0, 0];
    for (const g of c[n].keys()) if (g !== '<s>' && a(n, g) <= 4) nk[a(n, g)]++;
    const Y = nk[1] / (nk[1] + 2 * nk[2]);
    const d = [0, 1 - (2 * Y * nk[2]) / nk[1], 2 - (3 * Y * nk[3]) / nk[2], 3 - (4 * Y * nk[4]) / nk[3]];
    // KenLM's --discount_fallback when the count-of-counts give no discount in (0, k).
    D.push(d.slice(1).every((x, k) => x > 0 && x < k + 1) ? d : [0, 0.5, 1, 1.5]);
  }
  const disc = (n: number, x: number) => (x === 0 ? 0 : D[n][Math.min(x, 3)]);
  const p = (w: string, h: string[]): number => {
    const n = h.length + 1;
    let A = 0;
    let mass = 0;
    for (const v of vocab) {
      const x = n === 1 ? a(1, v) : a(n, [...h, v].join(' '));
      A += x;
      mass += disc(n, x);
    }
    const lower = n === 1 ? 1 / vocab.length : p(w, h.slice(1));
    if (A === 0) return lower;
    const x = a(n, [...h, w].join(' '));
    return Math.max(x - disc(n, x), 0) / A + (mass / A) * lower;
  };
  const sentenceLogProb = (s: string[]) => {
    const seq = ['<s>', ...s.map(known), '</s>'];
    let lp = 0;
    for (let i = 1; i < seq.length; i++) lp += Math.log(p(seq[i], seq.slice(Math.max(0, i - N + 1), i)));
    return lp;
  };
  return { p, D, vocab, known, c, sentenceLogProb };
}

// A small corpus with a skewed word distribution whose count-of-counts give Chen & Goodman discounts
// in (0, k) at every order of a trigram model (seed found by search; other orders use the fallback).
const rand = mulberry32(17);
const WORDS = 'the cat sat on mat dog ran a big red hat sun hot we see it'.split(' ');
const corpus = Array.from({ length: 60 }, () =>
  Array.from({ length: 1 + Math.floor(rand() * 6) }, () => WORDS[Math.floor(WORDS.length * rand() ** 2)]),
);
const cfg = (o: Partial<PerplexityConfig> = {}) =>
  PerplexityConfigSchema.parse({ crossFit: false, precision: 'float64', ...o });

async function fitOn(sentences: string[][], o: Partial<PerplexityConfig> = {}) {
  const self = sentences.map((s, i) => rec(s.join(' '), `r${i}`));
  return perplexityScorer.fit!({ self, references: {}, seed: 1 }, cfg(o));
}

const idsOf = (model: LmModel, tokens: string[]) =>
  tokens.map((w) => (w === '<s>' ? BOS : w === '</s>' ? EOS : model.parts[0].vocab.id(hashString(w))));

describe('interpolated modified Kneser–Ney against a brute-force reference', () => {
  const brute = bruteKn(corpus, 3);

  it('uses the Chen & Goodman discounts of a non-degenerate corpus', () => {
    for (let n = 1; n <= 3; n++) expect(brute.D[n]).not.toEqual([0, 0.5, 1, 1.5]);
    const trained = trainLm(
      corpus.map((s) => Uint32Array.from(s, (w) => hashString(w))),
      { order: 3, minCount: 1, precision: 'float64', maxTokens: 1e9 },
    );
    for (const [k, d] of trained.discounts.entries()) {
      for (const [j, x] of d.entries()) expect(x).toBeCloseTo(brute.D[k + 1][j + 1], 12);
    }
  });

  it('matches conditional probabilities to 1e-9', async () => {
    const { model } = await fitOn(corpus);
    const cases: string[][] = [
      ['the', 'cat', 'sat'], // seen trigram
      ['the', 'cat', 'ran'], // context seen, word maybe not after it
      ['<s>', 'the', 'cat'],
      ['<s>', 'mat'],
      ['ran', 'ran', '</s>'],
      ['dog', 'on', 'mat'],
      ['sat', 'xyzzy', 'the'], // unknown word in the context
      ['the', 'cat', 'xyzzy'], // unknown word predicted
      ['mat'],
    ];
    for (const g of cases) {
      const want = brute.p(brute.known(g.at(-1)!), g.slice(0, -1).map(brute.known));
      const got = Math.exp(ngramLogProb(model.parts[0].tables, idsOf(model, g)));
      expect(Math.abs(got - want), g.join(' ')).toBeLessThan(1e-9);
    }
  });

  it('normalizes every context over the vocabulary and </s> to 1 within 1e-9', async () => {
    const { model } = await fitOn(corpus);
    const t = model.parts[0].tables;
    const ids = [...brute.vocab.map((w) => idsOf(model, [w])[0])];
    expect(new Set(ids).size).toBe(brute.vocab.length);
    const contexts = [
      ...brute.c[1].keys(),
      ...brute.c[2].keys(),
      ['mat', 'mat', 'mat'].join(' '),
      'xyzzy the',
    ];
    for (const h of contexts) {
      const ctx = idsOf(model, h.split(' ').slice(-2));
      if (ctx.at(-1) === EOS) continue;
      let sum = 0;
      for (const w of ids) sum += Math.exp(ngramLogProb(t, [...ctx, w]));
      expect(Math.abs(sum - 1), h).toBeLessThan(1e-9);
    }
  });

  it("scores a sentence's perplexity (with </s>) to 1e-9, streaming and float32 within 1e-6", async () => {
    const sentence = ['the', 'dog', 'sat', 'on', 'the', 'mat', 'xyzzy'];
    const want = Math.exp(-brute.sentenceLogProb(sentence) / (sentence.length + 1));
    for (const precision of ['float64', 'float32'] as const) {
      const { model } = await fitOn(corpus, { precision });
      const [row] = await perplexityScorer.score([rec(sentence.join(' '))], cfg(), { seed: 1, model });
      const tol = precision === 'float64' ? 1e-9 : 1e-6;
      expect(Math.abs(row.scores.perplexity / want - 1)).toBeLessThan(tol);
    }
  });

  it('matches the reference at orders 1, 2 and 4, and with rare words mapped to <unk>', async () => {
    for (const [order, minCount] of [
      [1, 1],
      [2, 1],
      [4, 1],
      [3, 3],
    ]) {
      const b = bruteKn(corpus, order, minCount);
      const { model } = await fitOn(corpus, { order, minCount });
      const t = model.parts[0].tables;
      for (const s of [corpus[0], corpus[5], ['dog', 'dog', 'ran', 'on', 'xyzzy', 'the']]) {
        const ids = Uint32Array.from(idsOf(model, s));
        expect(Math.abs(sequenceLogProb(t, ids, BOS, EOS) - b.sentenceLogProb(s)), `${order}`).toBeLessThan(
          1e-9,
        );
      }
      if (minCount > 1) {
        const rare = WORDS.filter((w) => b.known(w) === '<unk>');
        expect(rare.length).toBeGreaterThan(0);
        for (const w of rare) expect(idsOf(model, [w])[0]).toBe(UNK);
      }
    }
  });

  it('round-trips the model through bytes exactly', async () => {
    for (const o of [{}, { crossFit: true }, { order: 2, precision: 'float32' as const }]) {
      const { model } = await fitOn(corpus, o);
      const bytes = perplexityScorer.encodeModel!(model);
      const back = perplexityScorer.decodeModel!(bytes);
      expect(back).toEqual(model);
      expect(perplexityScorer.encodeModel!(back)).toEqual(bytes);
      const batch = corpus.slice(0, 10).map((s, i) => rec(`${s.join(' ')} xyzzy`, `t${i}`));
      expect(await perplexityScorer.score(batch, cfg(), { seed: 1, model: back })).toEqual(
        await perplexityScorer.score(batch, cfg(), { seed: 1, model }),
      );
    }
  });
});

describe('perplexity scorer', () => {
  const alpaca = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as { output: string }[])
    .slice(0, 9000)
    .map((r, i) => rec(r.output, `a${i}`));

  it('gives gibberish a much higher perplexity than fluent held-out text', async () => {
    const config = PerplexityConfigSchema.parse({});
    const { model, summary } = await perplexityScorer.fit!({ self: alpaca, references: {}, seed: 1 }, config);
    expect(summary).toMatchObject({ records: 9000, crossFit: 1, collisions: 0 });
    const fluent = rec(
      'The best way to learn a new language is to practice speaking it every day with native speakers.',
    );
    const salad = rec(
      'speakers every the language practice day with is new to a learn it way best native speaking.',
    );
    const gibberish = rec('Xq blorf zzkt wub fnargle qwop vex trundle snib ploo.');
    const rows = await perplexityScorer.score([fluent, salad, gibberish, rec('  ')], config, {
      seed: 1,
      model,
    });
    const [f, s, g, empty] = rows.map((r) => r.scores);
    expect(s.perplexity).toBeGreaterThan(5 * f.perplexity);
    expect(g.perplexity).toBeGreaterThan(100 * f.perplexity);
    expect(f.lm_quality).toBeGreaterThan(0.6);
    expect(g.lm_quality).toBeLessThan(0.05);
    expect(empty).toEqual({ perplexity: model.parts[0].maxPerplexity, lm_quality: 0 });
    expect(rows[3].flags).toEqual(['empty_text']);
    // Calibrated on the job's own records: the median record scores ≈ 0.5.
    const own = await perplexityScorer.score(alpaca, config, { seed: 1, model });
    const q = own.map((r) => r.scores.lm_quality).sort((a, b) => a - b);
    expect(q[q.length >> 1]).toBeCloseTo(0.5, 1);
  });

  it('trains on a reference when named, and fails clearly without words', async () => {
    const config = PerplexityConfigSchema.parse({ reference: 'refs/good.jsonl' });
    expect(perplexityScorer.references!(config)).toEqual(['refs/good.jsonl']);
    expect(perplexityScorer.references!(PerplexityConfigSchema.parse({}))).toEqual([]);
    const { summary } = await perplexityScorer.fit!(
      { self: alpaca.slice(0, 5), references: { 'refs/good.jsonl': alpaca.slice(100, 300) }, seed: 1 },
      config,
    );
    expect(summary).toMatchObject({ records: 200, crossFit: 0 });
    expect(() =>
      perplexityScorer.fit!(
        { self: [rec('...')], references: {}, seed: 1 },
        PerplexityConfigSchema.parse({}),
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: perplexity: no words to train on in the job's own records (1 records)]`,
    );
    expect(() => PerplexityConfigSchema.parse({ order: 0 })).toThrow();
  });
});
