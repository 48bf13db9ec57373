import { describe, expect, it } from 'vitest';
import { type SamplerPolicy, SamplerPolicySchema } from '../../../schemas/sampler.ts';
import { drawCategorical } from '../../../src/sample/order.ts';
import { type Membership, Sampler } from '../../../src/sample/sampler.ts';
import { hardMembership } from '../../support/membership.ts';

const hard = hardMembership;
const policy = (p: unknown) => SamplerPolicySchema.parse(p) as SamplerPolicy;

describe('sampling primitives', () => {
  it('draws categorically in proportion', () => {
    const draws = drawCategorical([0.1, 0, 0.6, 0.3], 20_000, 7);
    const freq = [0, 1, 2, 3].map((c) => draws.filter((d) => d === c).length / draws.length);
    expect(freq[1]).toBe(0);
    expect(freq[0]).toBeCloseTo(0.1, 1);
    expect(freq[2]).toBeCloseTo(0.6, 1);
  });
});

describe('Sampler', () => {
  it('loss policy: p = (1 − ε)·π·exp(η·z)/Σ + ε·π, π_k = n_k/N (reference values)', () => {
    const s = new Sampler(hard([2, 3, 5]), {
      batchSize: 4,
      seed: 1,
      policy: policy({ id: 'loss', signal: 'loss' }),
    });
    s.state.comps.forEach((c, k) => {
      c.loss = k + 1;
      c.decrease = 0;
    });
    const w = s.weights();
    expect(w[0]).toBeCloseTo(0.0456695221, 9);
    expect(w[1]).toBeCloseTo(0.161041538, 9);
    expect(w[2]).toBeCloseTo(0.7932889399, 9);
    // η = 0: uniform over examples.
    const flat = new Sampler(hard([2, 3, 5]), {
      batchSize: 4,
      seed: 1,
      policy: policy({ id: 'loss', eta: 0 }),
    });
    flat.state.comps.forEach((c, k) => {
      c.loss = k;
      c.decrease = k;
    });
    expect(flat.weights().map((x) => Number(x.toFixed(12)))).toEqual([0.2, 0.3, 0.5]);
    // A component never reported on counts as the most promising seen, so it is explored.
    s.state.comps[0].loss = null;
    expect(s.weights()[0]).toBeGreaterThan(s.weights()[1]);
  });

  it('moves component statistics by importance-corrected EMAs: rate = min(1, β / (1 − (1 − p_k)^B))', () => {
    const s = new Sampler(hard([2, 2, 2]), {
      batchSize: 3,
      seed: 1,
      policy: policy({ id: 'loss', beta: 0.2 }),
    });
    s.feedback([0, 2, 4], [1, 1, 1], [0.5, 0.4, 0.1]); // first observations set the EMAs
    s.feedback([0, 2, 4], [2, 2, 2], [0.5, 0.4, 0.1]);
    // B = 3: the chances of each component being in the batch are 0.875, 0.784 and 0.271.
    const rate = [0.2285714285714286, 0.25510204081632654, 0.7380073800738011];
    s.state.comps.forEach((c, k) => {
      expect(c.loss).toBeCloseTo(1 + rate[k], 12);
      expect(c.decrease).toBeCloseTo(-rate[k] * rate[k], 12);
    });
  });

  it('is deterministic: the same seed and feedback give the same batches; another seed others', () => {
    const run = (seed: number) => {
      const s = new Sampler(hard([30, 50, 20]), { batchSize: 16, seed, policy: policy({ id: 'loss' }) });
      const out: number[][] = [];
      for (let t = 0; t < 30; t++) {
        const b = s.next()!;
        out.push(b.idx);
        s.feedback(
          b.idx,
          b.idx.map((i) => (i < 30 ? 2 - t * 0.05 : 1)),
          b.p,
        );
      }
      return out;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('serves each component without replacement within its epoch, and no example twice in a batch', () => {
    const s = new Sampler(hard([7, 13]), { batchSize: 5, seed: 2, policy: policy({ id: 'uniform' }) });
    const count = new Array(20).fill(0);
    for (let t = 0; t < 200; t++) {
      const b = s.next()!;
      expect(new Set(b.idx).size).toBe(b.idx.length);
      for (const i of b.idx) count[i]++;
    }
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    expect(spread(count.slice(0, 7))).toBeLessThanOrEqual(1);
    expect(spread(count.slice(7))).toBeLessThanOrEqual(1);
  });

  it('a component drawn more often than it has members fills the rest of the batch from the others', () => {
    // Balanced over a 5-member and a 100-member component: about 32 of 64 draws hit the small one.
    const s = new Sampler(hard([5, 100]), { batchSize: 64, seed: 9, policy: policy({ id: 'balanced' }) });
    for (let t = 0; t < 40; t++) {
      const b = s.next()!;
      expect(b.idx).toHaveLength(64);
      expect(new Set(b.idx).size).toBe(64);
      expect(b.comps.filter((c) => c === 0)).toHaveLength(5);
      expect(s.state.comps[0].carry.length).toBeLessThanOrEqual(5);
    }
    // The small component's epochs advance about once per batch, not once per failed draw.
    expect(s.state.comps[0].epoch).toBeLessThanOrEqual(2 * 40 + 1);
    expect(JSON.stringify(s.state).length).toBeLessThan(2000);
  });

  it('balanced: equal components, each example at most `cap` times, then exhausted', () => {
    const s = new Sampler(hard([2, 3, 5]), {
      batchSize: 3,
      seed: 5,
      policy: policy({ id: 'balanced', cap: 2 }),
    });
    expect(s.weights()).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const count = new Array(10).fill(0);
    for (let b = s.next(); b; b = s.next()) for (const i of b.idx) count[i]++;
    expect(count).toEqual(new Array(10).fill(2));
    expect(s.state.exhausted).toBe(true);
  });

  it('stops after `epochs` × N examples', () => {
    const s = new Sampler(hard([4, 6]), {
      batchSize: 4,
      seed: 5,
      policy: policy({ id: 'uniform' }),
      epochs: 1.5,
    });
    let served = 0;
    for (let b = s.next(); b; b = s.next()) served += b.idx.length;
    expect(served).toBe(15);
  });

  it('gmm serves an example in proportion to its responsibilities', () => {
    // e1 is 1% in component 0 and 99% in component 1; e0 and e2 are fully in one each.
    const m: Membership = {
      n: 3,
      k: 2,
      label: Int32Array.from([0, 1, 1]),
      width: 2,
      postComp: Int32Array.from([0, -1, 0, 1, 1, -1]),
      postP: Float32Array.from([1, 0, 0.01, 0.99, 1, 0]),
    };
    const s = new Sampler(m, {
      batchSize: 1,
      seed: 4,
      policy: policy({ id: 'gmm', eta: 0, epsilon: 1, refresh: false }),
    });
    const count = [0, 0, 0];
    for (let t = 0; t < 30_000; t++) count[s.next()!.idx[0]]++;
    // p = (1.01, 1.99)/3 over the components; each spreads over its members by responsibility: 1/3 each.
    for (const c of count) expect(c / 30_000).toBeCloseTo(1 / 3, 1);
  });

  it('gmm refresh: r_ik ∝ r⁰_ik · N(loss; μ_k, σ_k²) (reference values)', () => {
    const m: Membership = {
      n: 1,
      k: 2,
      label: Int32Array.from([0]),
      width: 2,
      postComp: Int32Array.from([0, 1]),
      postP: Float32Array.from([0.7, 0.3]),
    };
    const s = new Sampler(m, { batchSize: 1, seed: 0, policy: policy({ id: 'gmm', refresh: true }) });
    Object.assign(s.state.comps[0], { loss: 1, decrease: 0, variance: 0.25 });
    Object.assign(s.state.comps[1], { loss: 3, decrease: 0, variance: 1 });
    // One feedback with p = 1 (rate β = 0.2): μ = (1.3, 2.9), σ² = (0.65, 0.85); then the refresh.
    s.feedback([0], [2.5], [1, 1]);
    expect(s.state.comps[0].loss).toBeCloseTo(1.3, 12);
    expect(s.state.comps[1].variance).toBeCloseTo(0.85, 12);
    expect(s.resp[0]).toBeCloseTo(0.4919644902, 6);
    expect(s.resp[1]).toBeCloseTo(0.5080355098, 6);
    expect(s.dirty.has(0)).toBe(true);
  });
});
