/**
 * The mixture's statistics for the sampler's `mixture` policy: an example's typicality (its
 * log-density under its own diagonal Gaussian component) and a component's spread (the entropy of
 * that Gaussian). Sums in float64.
 */

const LOG_2PI = Math.log(2 * Math.PI);

/** log N(x; mean, diag(variance)) = −½ Σ_j [log(2π·σ²_j) + (x_j − μ_j)² / σ²_j]. */
export function diagLogDensity(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
): number {
  const d = x.length;
  if (mean.length !== d || variance.length !== d)
    throw new RangeError(
      `x, mean and variance must have the same length, got ${d}, ${mean.length}, ${variance.length}`,
    );
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = variance[j];
    if (!(v > 0)) throw new RangeError(`variance[${j}] must be positive, got ${v}`);
    s += LOG_2PI + Math.log(v) + (x[j] - mean[j]) ** 2 / v;
  }
  return -0.5 * s;
}

/** The differential entropy of N(μ, diag(variance)): ½ Σ_j log(2πe·σ²_j), in nats. Larger: more spread. */
export function diagEntropy(variance: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < variance.length; j++) {
    const v = variance[j];
    if (!(v > 0)) throw new RangeError(`variance[${j}] must be positive, got ${v}`);
    s += LOG_2PI + 1 + Math.log(v);
  }
  return 0.5 * s;
}

/**
 * Each example's typicality rank within its component, in (0, 1): (mid-rank − ½) / n_c of its
 * log-density among the component's members (1 − 1/(2n) for the most typical). NaN densities (not
 * known) get 1, as if typical: the policy then leaves them alone.
 */
export function typicalityRanks(
  label: ArrayLike<number>,
  density: ArrayLike<number>,
  k: number,
): Float32Array {
  const n = label.length;
  if (density.length !== n) throw new RangeError('label and density must have the same length');
  const out = new Float32Array(n).fill(1);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) if (Number.isFinite(density[i])) members[label[i]].push(i);
  for (const m of members) {
    m.sort((a, b) => density[a] - density[b]);
    for (let s = 0; s < m.length; ) {
      let e = s + 1;
      while (e < m.length && density[m[e]] === density[m[s]]) e++;
      const rank = (s + e - 1) / 2 + 0.5; // mid-rank of positions s … e−1, minus ½ … plus ½
      for (let t = s; t < e; t++) out[m[t]] = rank / m.length;
      s = e;
    }
  }
  return out;
}

/** The standard normal CDF Φ(z) (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Running diagonal Gaussian of the embeddings a trainer reported for one component (Welford, float64),
 * and the running mean and variance of those embeddings' log-densities under it.
 */
export interface EmbeddingStats {
  n: number;
  mean: number[];
  m2: number[];
  /** Reported log-densities: count, mean, sum of squared deviations. */
  tn: number;
  tmean: number;
  tm2: number;
}

export const emptyEmbeddingStats = (dim: number): EmbeddingStats => ({
  n: 0,
  mean: new Array(dim).fill(0),
  m2: new Array(dim).fill(0),
  tn: 0,
  tmean: 0,
  tm2: 0,
});

/** Adds one embedding (weight 1) to the component's running mean and variance. */
export function addEmbedding(s: EmbeddingStats, e: ArrayLike<number>): void {
  if (e.length !== s.mean.length)
    throw new RangeError(`embedding has ${e.length} values, the component's have ${s.mean.length}`);
  s.n++;
  for (let j = 0; j < e.length; j++) {
    const d = e[j] - s.mean[j];
    s.mean[j] += d / s.n;
    s.m2[j] += d * (e[j] - s.mean[j]);
  }
}

/** The component's current variances (population), each at least `floor`. */
export function embeddingVariance(s: EmbeddingStats, floor: number): number[] {
  return s.m2.map((m) => Math.max(floor, s.n > 0 ? m / s.n : 0));
}

/** Adds one log-density to the component's running mean and variance of them. */
export function addDensity(s: EmbeddingStats, t: number): void {
  s.tn++;
  const d = t - s.tmean;
  s.tmean += d / s.tn;
  s.tm2 += d * (t - s.tmean);
}
