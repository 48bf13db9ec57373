import { logSumExp } from './gmm-stats.ts';
import { clusterKernel } from './kernel.ts';
import type { GmmParams, Matrix } from './types.ts';
import { checkMatrix, checkParams } from './validate.ts';

export interface ComponentProbability {
  component: number;
  p: number;
}

export interface GmmPosteriors {
  /** Most probable component of each row (the lower index on a tie). */
  labels: Int32Array;
  /** Per row, up to `top` components with p > 0, most probable first (empty when top is 0). */
  top: ComponentProbability[][];
  /** log p(x) of each row (natural log). */
  logLik: Float64Array;
}

/** Posterior component probabilities of every row under the mixture. */
export function gmmPosteriors(x: Matrix, params: GmmParams, top = 3): GmmPosteriors {
  checkMatrix(x);
  checkParams(params, x.dim);
  if (!Number.isInteger(top) || top < 0) throw new RangeError('top must be a non-negative integer');
  const labels = new Int32Array(x.n);
  const logLik = new Float64Array(x.n);
  const tops: ComponentProbability[][] = top > 0 ? new Array(x.n) : [];
  const order: number[] = [];
  clusterKernel().mixture(
    x,
    params,
    (row, comps, values, count) => {
      const lse = logSumExp(values, count);
      logLik[row] = lse;
      order.length = 0;
      for (let t = 0; t < count; t++) {
        values[t] = lse > Number.NEGATIVE_INFINITY ? Math.exp(values[t] - lse) : 0;
        if (values[t] > 0) order.push(t);
      }
      order.sort((a, b) => values[b] - values[a] || comps[a] - comps[b]);
      labels[row] = order.length > 0 ? comps[order[0]] : 0;
      if (top > 0) tops[row] = order.slice(0, top).map((t) => ({ component: comps[t], p: values[t] }));
    },
    null,
  );
  return { labels, top: tops, logLik };
}
