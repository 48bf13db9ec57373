import { binMax, type HistBin, type ShardSummary } from './topk.ts';

/** Folds two summaries of the same round: bins (or values) merged by key, counts added. Associative and commutative. */
export function mergeSummaries(a: ShardSummary, b: ShardSummary): ShardSummary {
  if (a.kind !== b.kind || a.round !== b.round) {
    throw new Error(
      `top-k: cannot merge a ${a.kind} summary of round ${a.round} with a ${b.kind} of round ${b.round}`,
    );
  }
  if (a.kind === 'hist' && b.kind === 'hist')
    return { kind: 'hist', round: a.round, bins: mergeBins(a.bins, b.bins) };
  if (a.kind === 'ties' && b.kind === 'ties') {
    return { kind: 'ties', round: a.round, values: mergeValues(a.values, b.values) };
  }
  throw new Error('top-k: unreachable summary kinds');
}

function mergeBins(x: HistBin[], y: HistBin[]): HistBin[] {
  const out: HistBin[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i][0] < y[j][0])) out.push(x[i++]);
    else if (i >= x.length || y[j][0] < x[i][0]) out.push(y[j++]);
    else {
      const p = x[i++];
      const q = y[j++];
      const min = Math.min(p[2], q[2]);
      const max = Math.max(binMax(p), binMax(q));
      out.push(min === max ? [p[0], p[1] + q[1], min] : [p[0], p[1] + q[1], min, max]);
    }
  }
  return out;
}

function mergeValues(x: [number, number][], y: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i][0] > y[j][0])) out.push(x[i++]);
    else if (i >= x.length || y[j][0] > x[i][0]) out.push(y[j++]);
    else {
      out.push([x[i][0], x[i][1] + y[j][1]]);
      i++;
      j++;
    }
  }
  return out;
}
