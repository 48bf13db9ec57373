import { describe, expect, it } from 'vitest';
import { type SamplerPolicy, SamplerPolicySchema } from '../../../schemas/sampler.ts';
import { gmmPosteriors } from '../../../src/cluster/index.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { diagEntropy, diagLogDensity, normalCdf, typicalityRanks } from '../../../src/sample/mixture.ts';
import { MIN_EMBEDDINGS, Sampler } from '../../../src/sample/sampler.ts';
import { hardMembership } from '../../support/membership.ts';

const policy = (p: unknown) => SamplerPolicySchema.parse(p) as SamplerPolicy;
const gauss = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
/** log of the 1-D normal density, written out: the reference the diagonal routine must match. */
const logPdf1 = (x: number, mu: number, v: number) =>
  Math.log(Math.exp(-((x - mu) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v));

const hard = hardMembership;

describe('the mixture statistics', () => {
  it('diagLogDensity: −½ Σ [log 2πσ² + (x − μ)²/σ²] (hand value and a product of 1-D densities)', () => {
    // 3·log 2π + log 0.25 + log 4 + log 1 + 0.5²/0.25 + 1²/4 + 0.5²/1 = 3·1.8378770664093453 + 1.5
    expect(diagLogDensity([1, -2, 0.5], [0.5, -1, 0], [0.25, 4, 1])).toBeCloseTo(-3.506815599614018, 13);
    const rand = mulberry32(3);
    const d = 12;
    const x = Array.from({ length: d }, () => gauss(rand));
    const mu = Array.from({ length: d }, () => gauss(rand));
    const v = Array.from({ length: d }, () => 0.1 + 3 * rand());
    const ref = x.reduce((a, xi, j) => a + logPdf1(xi, mu[j], v[j]), 0);
    expect(diagLogDensity(x, mu, v)).toBeCloseTo(ref, 11);
    expect(() => diagLogDensity([1, 2], [0, 0], [1, 0])).toThrow('variance[1] must be positive, got 0');
    expect(() => diagLogDensity([1, 2], [0], [1, 1])).toThrow(
      'x, mean and variance must have the same length, got 2, 1, 2',
    );
  });

  it('diagEntropy: ½ Σ log 2πeσ² (hand value), and −E[log N(x)] by a seeded Monte Carlo', () => {
    expect(diagEntropy([0.25, 4, 1])).toBeCloseTo(1.5 * (Math.log(2 * Math.PI) + 1), 13);
    const mu = [1, -1, 0.3];
    const v = [0.5, 2, 0.1];
    const rand = mulberry32(9);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = mu.map((m, j) => m + Math.sqrt(v[j]) * gauss(rand));
      sum -= diagLogDensity(x, mu, v);
    }
    // the sd of −log N over 3 dims is √(3/2); over 100k draws the mean's sd is ≈ 0.004
    expect(Math.abs(sum / n - diagEntropy(v))).toBeLessThan(0.02);
  });

  it('the cluster stage’s typicality, log p(x) + log r_c − log w_c, is the log-density under the label’s component', () => {
    const dim = 3;
    const params = {
      k: 3,
      dim,
      weights: Float64Array.from([0.5, 0.3, 0.2]),
      means: Float64Array.from([0, 0, 0, 3, 1, -2, -2, 4, 1]),
      variances: Float64Array.from([1, 0.5, 2, 0.3, 1, 1, 2, 2, 0.4]),
    };
    const rand = mulberry32(5);
    const n = 200;
    const data = Float32Array.from({ length: n * dim }, () => 3 * gauss(rand));
    const post = gmmPosteriors({ data, n, dim }, params, 3);
    for (let i = 0; i < n; i++) {
      const c = post.labels[i];
      const viaPosterior = post.logLik[i] + Math.log(post.top[i][0].p) - Math.log(params.weights[c]);
      const direct = diagLogDensity(
        data.subarray(i * dim, (i + 1) * dim),
        params.means.subarray(c * dim, (c + 1) * dim),
        params.variances.subarray(c * dim, (c + 1) * dim),
      );
      expect(viaPosterior).toBeCloseTo(direct, 4);
    }
  });

  it('typicalityRanks: the mid-rank of the log-density within the component, in (0, 1); unknown counts as 1', () => {
    const u = typicalityRanks([0, 0, 0, 0, 1, 1], [-3, -1, -1, 5, Number.NaN, 2], 2);
    // component 0: −3 → 0.5/4, the tied −1s → mid-rank 1.5 → 2/4, 5 → 3.5/4; component 1: the one known → ½
    expect(Array.from(u)).toEqual([0.125, 0.5, 0.5, 0.875, 1, 0.5]);
  });

  it('normalCdf matches Φ to 2e-7', () => {
    for (const [z, p] of [
      [0, 0.5],
      [1, 0.8413447460685429],
      [-1.96, 0.024997895148220435],
      [2.5, 0.9937903346742238],
      [-4, 3.167124183311998e-5],
    ])
      expect(Math.abs(normalCdf(z) - p)).toBeLessThan(2e-7);
  });
});

describe('the mixture policy', () => {
  it('tilts the prior by the spread: π_k ∝ n_k·exp(γ·z(H_k)) (reference values)', () => {
    const s = new Sampler(hard([2, 3, 5], undefined, [1, 2, 3]), {
      batchSize: 4,
      seed: 1,
      policy: policy({ id: 'mixture', spread: 1, typicality: 0 }),
    });
    const z = [-Math.sqrt(1.5), 0, Math.sqrt(1.5)]; // (H − 2) / √(2/3)
    const prior = [2, 3, 5].map((n, c) => n * Math.exp(z[c]));
    const total = prior.reduce((a, b) => a + b, 0);
    s.weights().forEach((w, c) => {
      expect(w).toBeCloseTo(prior[c] / total, 12);
    });
    // γ = 0 or unknown spreads: the sizes alone.
    const flat = new Sampler(hard([2, 3, 5]), {
      batchSize: 4,
      seed: 1,
      policy: policy({ id: 'mixture', spread: 1 }),
    });
    expect(flat.weights().map((w) => Number(w.toFixed(12)))).toEqual([0.2, 0.3, 0.5]);
  });

  it('serves an example, when its turn comes, with probability 1 − τ·(1 − typicality)', () => {
    const n = 100;
    const density = Array.from({ length: n }, (_, i) => i); // example i's typicality is (i + ½)/100
    const s = new Sampler(hard([n], density), {
      batchSize: 10,
      seed: 3,
      policy: policy({ id: 'mixture', typicality: 0.9 }),
    });
    expect(s.size(0)).toBeCloseTo(100 * (1 - 0.9 * 0.5), 4); // Σ keep = n·(1 − τ/2)
    const served = new Array<number>(n).fill(0);
    for (let t = 0; t < 3000; t++) for (const i of s.next()!.idx) served[i]++;
    const mean = (from: number, to: number) =>
      served.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    const keep = (i: number) => 1 - 0.9 * (1 - (i + 0.5) / n);
    const expected = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, j) => keep(from + j)).reduce((a, b) => a + b, 0) / (to - from);
    // Least typical tenth against the most typical: ≈ 0.145 / 0.955.
    const ratio = mean(0, 10) / mean(90, 100);
    expect(Math.abs(ratio - expected(0, 10) / expected(90, 100))).toBeLessThan(0.03);
  });

  it('is deterministic with a seed (batches and refreshed typicality), and another seed gives other batches', () => {
    const run = (seed: number) => {
      const rand = mulberry32(11);
      const density = Array.from({ length: 60 }, () => gauss(rand));
      const s = new Sampler(hard([20, 40], density, [1, 2]), {
        batchSize: 8,
        seed,
        policy: policy({ id: 'mixture', spread: 0.5 }),
      });
      const batches: number[][] = [];
      for (let t = 0; t < 30; t++) {
        const b = s.next()!;
        batches.push(b.idx);
        const emb = b.idx.map((i) => [i % 7, (i * 3) % 5, gauss(rand)]);
        s.feedback(
          b.idx,
          b.idx.map((i) => (i % 3) + 0.1 * t),
          b.p,
          emb,
        );
      }
      return { batches, typ: Array.from(s.typ) };
    };
    const a = run(1);
    expect(run(1)).toEqual(a);
    expect(run(2).batches).not.toEqual(a.batches);
  });

  it('refresh: trainer embeddings re-estimate typicality; an outlier becomes atypical, and a resumed sampler goes on identically', () => {
    const n = 80;
    const make = (memory?: { typ: Float32Array; emb: Sampler['emb'] }, state?: Sampler['state']) =>
      new Sampler(
        hard([n]),
        { batchSize: 8, seed: 5, policy: policy({ id: 'mixture', typicality: 0.8 }) },
        state,
        undefined,
        memory,
      );
    const s = make();
    expect(s.typ.every((u) => u === 1)).toBe(true); // no density from the job: all typical
    const rand = mulberry32(21);
    const embed = (i: number) =>
      i === 0 ? [10, 10, 10, 10] : [gauss(rand), gauss(rand), gauss(rand), gauss(rand)];
    const order: number[] = [];
    for (let t = 0; t < 30; t++) {
      const b = s.next()!;
      order.push(...b.idx);
      s.feedback(
        b.idx,
        b.idx.map(() => 1),
        b.p,
        b.idx.map(embed),
      );
    }
    expect(s.emb[0]!.n).toBe(30 * 8);
    expect(s.emb[0]!.tn).toBe(30 * 8 - (MIN_EMBEDDINGS - 1));
    expect(s.typ[0]).toBeLessThan(0.01);
    const others = Array.from(s.typ)
      .slice(1)
      .filter((u) => u < 1);
    expect(others.length).toBeGreaterThan(40);
    expect(others.reduce((a, b) => a + b, 0) / others.length).toBeGreaterThan(0.4);
    expect(s.typDirty.has(0)).toBe(true);
    // A sampler rebuilt from the saved state, typicality and statistics serves what the live one does.
    const copy = make(
      { typ: Float32Array.from(s.typ), emb: structuredClone(s.emb) },
      structuredClone(s.state),
    );
    for (let t = 0; t < 10; t++) expect(copy.next()).toEqual(s.next());
    expect(() => s.feedback([1, 2], [1, 1], [1], [[1, 2, 3, 4]])).toThrow('1 embeddings for 2 examples');
  });
});
