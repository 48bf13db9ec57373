import { BOS, type OrderCounts } from './kn-counts.ts';

/** Used for an order whose count-of-counts cannot give discounts in (0, k) (KenLM's --discount_fallback). */
export const FALLBACK_DISCOUNTS: readonly [number, number, number] = [0.5, 1, 1.5];

/** Interpolated modified Kneser–Ney, every order, in float64, indexed like `OrderCounts`. */
export interface KnEstimate {
  /** Per order (index 0 = unigrams): [D1, D2, D3+]. */
  discounts: [number, number, number][];
  /** Per order: ln p(word | prefix) of each n-gram, interpolated down to the uniform distribution. */
  logp: Float64Array[];
  /** Per order below the highest: ln γ(g) of each n-gram g as a context (0 when never a context). */
  backoff: Float64Array[];
}

/**
 * Chen & Goodman's discounts from the count-of-counts n1..n4 of adjusted counts:
 * Y = n1 / (n1 + 2 n2), D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3.
 */
export function knDiscounts(adjusted: Float64Array, skip = -1): [number, number, number] {
  const n = [0, 0, 0, 0, 0];
  for (let i = 0; i < adjusted.length; i++) {
    const c = adjusted[i];
    if (i !== skip && c >= 1 && c <= 4) n[c]++;
  }
  if (n[1] === 0 || n[2] === 0 || n[3] === 0 || n[4] === 0) return [...FALLBACK_DISCOUNTS];
  const y = n[1] / (n[1] + 2 * n[2]);
  const d: [number, number, number] = [
    1 - (2 * y * n[2]) / n[1],
    2 - (3 * y * n[3]) / n[2],
    3 - (4 * y * n[4]) / n[3],
  ];
  return d.every((x, k) => x > 0 && x < k + 1) ? d : [...FALLBACK_DISCOUNTS];
}

const discountOf = (d: readonly number[], c: number) => (c >= 3 ? d[2] : d[c - 1]);

/**
 * p(w | h) = max(a(hw) - D(a(hw)), 0) / Σ_v a(hv) + γ(h) p(w | h'), with
 * γ(h) = (D1 N1(h•) + D2 N2(h•) + D3+ N3+(h•)) / Σ_v a(hv), where a is the adjusted count, h' drops
 * the first word of h, and N_k(h•) counts the words seen after h with adjusted count k (3+: ≥ 3).
 * The recursion ends at the uniform distribution 1/|V| over every word but <s> (so <unk> and </s> get
 * their share of the unigram discount mass). <s> is never predicted: its probability is 0.
 */
export function estimateKn(orders: OrderCounts[]): KnEstimate {
  const vocab = orders[0].size;
  const discounts: [number, number, number][] = [];
  const prob: Float64Array[] = [];
  const backoff: Float64Array[] = [];
  for (let k = 0; k < orders.length; k++) {
    const o = orders[k];
    const d = knDiscounts(o.adjusted, k === 0 ? BOS : -1);
    discounts.push(d);
    // Context statistics: one context (the empty one) for unigrams, else each prefix (k)-gram.
    const nCtx = k === 0 ? 1 : orders[k - 1].size;
    const sum = new Float64Array(nCtx);
    const mass = new Float64Array(nCtx);
    for (let i = 0; i < o.size; i++) {
      const c = o.adjusted[i];
      if (c === 0 || (k === 0 && i === BOS)) continue;
      const ctx = k === 0 ? 0 : o.prefix[i];
      sum[ctx] += c;
      mass[ctx] += discountOf(d, c);
    }
    const gamma = new Float64Array(nCtx);
    for (let j = 0; j < nCtx; j++) gamma[j] = sum[j] > 0 ? mass[j] / sum[j] : 1;
    const p = new Float64Array(o.size);
    for (let i = 0; i < o.size; i++) {
      if (k === 0 && i === BOS) continue;
      const c = o.adjusted[i];
      const ctx = k === 0 ? 0 : o.prefix[i];
      const lower = k === 0 ? 1 / (vocab - 1) : prob[k - 1][o.suffix[i]];
      p[i] = (c > 0 ? (c - discountOf(d, c)) / sum[ctx] : 0) + gamma[ctx] * lower;
    }
    prob.push(p);
    if (k > 0) {
      const bo = new Float64Array(nCtx);
      for (let j = 0; j < nCtx; j++) bo[j] = sum[j] > 0 ? Math.log(gamma[j]) : 0;
      backoff.push(bo);
    }
  }
  return { discounts, logp: prob.map((p) => p.map(Math.log)), backoff };
}
