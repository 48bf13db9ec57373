import { describe, expect, it } from 'vitest';
import { type Csr, truncatedSvd } from '../../../src/embed/svd.ts';
import { fitTfidf, recordFeatures, TfidfConfigSchema, tfidfEmbedder } from '../../../src/embed/tfidf.ts';
import { contentHash } from '../../../src/formats/index.ts';
import type { ScoreInput } from '../../../src/score/index.ts';

function csr(dense: number[][]): Csr {
  const ptr = [0];
  const index: number[] = [];
  const value: number[] = [];
  for (const row of dense) {
    row.forEach((v, j) => {
      if (v !== 0) {
        index.push(j);
        value.push(v);
      }
    });
    ptr.push(index.length);
  }
  return {
    rows: dense.length,
    cols: dense[0].length,
    ptr: Uint32Array.from(ptr),
    index: Uint32Array.from(index),
    value: Float32Array.from(value),
  };
}

function record(i: number, user: string, answer: string): ScoreInput {
  const turns = [
    { role: 'user' as const, content: user },
    { role: 'assistant' as const, content: answer },
  ];
  return { id: String(i), hash: contentHash(turns), turns, record: {} };
}

describe('truncatedSvd', () => {
  // numpy.linalg.svd of the same matrix (numpy 1.24): singular values and the first right vector.
  const X = [
    [1, 0, 2, 0, 0],
    [0, 3, 0, 0, 1],
    [4, 0, 0, 5, 0],
    [0, 0, 6, 0, 7],
    [0, 8, 0, 9, 0],
    [1, 1, 0, 0, 2],
  ];
  const S = [
    12.871241737665011, 9.469330188606659, 5.298649219386574, 2.4008517787163965, 1.6802229305248142,
  ];
  const V0 = [
    0.1103991842082803, 0.6153926317921192, 0.013298419391620159, 0.779573300993345, 0.034533306852077686,
  ];

  it('matches numpy on a full-rank matrix', () => {
    const svd = truncatedSvd(csr(X), 3, { seed: 7 });
    for (let c = 0; c < 3; c++) expect(svd.values[c]).toBeCloseTo(S[c], 6);
    // numpy's sign is arbitrary; ours makes the largest loading positive.
    for (let j = 0; j < 5; j++) expect(svd.components[j * 3]).toBeCloseTo(V0[j], 6);
  });

  it('gives orthonormal components, the same for a seed, and zeros past the rank', () => {
    const a = truncatedSvd(csr(X), 5, { seed: 1 });
    for (let p = 0; p < 5; p++)
      for (let q = 0; q < 5; q++) {
        let dot = 0;
        for (let j = 0; j < 5; j++) dot += a.components[j * 5 + p] * a.components[j * 5 + q];
        expect(dot).toBeCloseTo(p === q ? 1 : 0, 6);
      }
    expect(truncatedSvd(csr(X), 5, { seed: 1 }).components).toEqual(a.components);
    const rank1 = truncatedSvd(
      csr([
        [1, 2, 0],
        [2, 4, 0],
      ]),
      2,
    );
    expect(rank1.values[0]).toBeCloseTo(5, 6);
    expect(rank1.values[1]).toBe(0);
  });
});

describe('tfidf embedder', () => {
  const c = TfidfConfigSchema.parse({ dim: 4, minDf: 1 });
  const topics = [
    ['ocean', 'whale', 'coral', 'tide', 'reef'],
    ['engine', 'piston', 'gear', 'torque', 'crankshaft'],
    ['violin', 'melody', 'chord', 'tempo', 'orchestra'],
  ];
  const sample: ScoreInput[] = [];
  for (let i = 0; i < 60; i++) {
    const w = topics[i % 3];
    sample.push(
      record(
        i,
        `Please explain the ${w[i % 5]} and the ${w[(i + 1) % 5]}.`,
        `The ${w[(i + 2) % 5]} is related to the ${w[(i + 3) % 5]} and the ${w[(i + 4) % 5]}.`,
      ),
    );
  }

  it('counts words and bigrams per record', () => {
    const f = recordFeatures(record(0, 'a b a', 'b'), { field: 'both', bigrams: true, seed: 0 });
    // words a, b (a twice and b twice over both texts) and bigrams "a b", "b a"
    expect([...f.count].sort()).toEqual([1, 1, 2, 2]);
    expect(
      recordFeatures(record(0, '你好世界', ''), { field: 'both', bigrams: true, seed: 0 }).hash.length,
    ).toBe(7);
  });

  it('puts records of one topic together and the others apart', () => {
    const model = fitTfidf(sample, c);
    const v = tfidfEmbedder.embed(sample, c, { model }) as Float32Array;
    const cos = (a: number, b: number) => {
      let s = 0;
      for (let k = 0; k < 4; k++) s += v[a * 4 + k] * v[b * 4 + k];
      return s;
    };
    for (let k = 0; k < 4 * sample.length; k += 4) {
      let n = 0;
      for (let d = 0; d < 4; d++) n += v[k + d] ** 2;
      expect(n).toBeCloseTo(1, 5);
    }
    expect(cos(0, 3)).toBeGreaterThan(0.8);
    expect(cos(0, 1)).toBeLessThan(0.3);
    expect(cos(1, 2)).toBeLessThan(0.3);
  });

  it('round-trips its model through bytes and embeds the same bits', () => {
    const { model } = tfidfEmbedder.fitted!.fit(sample, c);
    const back = tfidfEmbedder.fitted!.decodeModel(tfidfEmbedder.fitted!.encodeModel(model));
    expect(tfidfEmbedder.embed(sample, c, { model: back })).toEqual(
      tfidfEmbedder.embed(sample, c, { model }),
    );
  });

  it('embeds a record with no known word as a zero row, and refuses a model of another dim', () => {
    const { model } = tfidfEmbedder.fitted!.fit(sample, c);
    expect([...(tfidfEmbedder.embed([record(1, 'zzz', 'qqq')], c, { model }) as Float32Array)]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(() => tfidfEmbedder.embed(sample, { ...c, dim: 8 }, { model })).toThrow('config.dim is 8');
  });
});
