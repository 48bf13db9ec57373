/** Where a learning scorer centres and scales its [0, 1] output: a sample's median and quartiles. */
export interface RobustScale {
  median: number;
  /** (q75 - q25) / (2 ln 3), floored at 1e-3: the quartiles then map to 0.25 and 0.75 under `squash`. */
  scale: number;
}

/** Quantile with linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Median and quartile scale of the finite values; {0, 1} for an empty sample. */
export function robustScale(values: ArrayLike<number>): RobustScale {
  const finite = Float64Array.from(values).filter(Number.isFinite).sort();
  if (finite.length === 0) return { median: 0, scale: 1 };
  const iqr = quantile(finite, 0.75) - quantile(finite, 0.25);
  return { median: quantile(finite, 0.5), scale: Math.max(iqr / (2 * Math.log(3)), 1e-3) };
}

/** 1 / (1 + exp(-(x - median) / scale)): the median maps to 0.5, higher x towards 1. */
export function squash(x: number, { median, scale }: RobustScale): number {
  return 1 / (1 + Math.exp(-(x - median) / scale));
}
