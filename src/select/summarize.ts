import { floatOrdinal } from './float-ordinal.ts';
import { BINS, type HistBin, type RoundSpec, type ShardSummary } from './topk.ts';

/**
 * One shard's answer to a top-k round (see topk.ts). Values must be numbers in [0, 1], or -1 for a
 * record that is no candidate (a filter rejected it), which every round skips; anything else (NaN
 * included) throws, since it would silently break the global counts.
 */
export function summarize(values: Float64Array, spec: RoundSpec): ShardSummary {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!((v >= 0 && v <= 1) || v === -1))
      throw new RangeError(`rank values must be numbers in [0, 1] (or -1: no candidate); value ${i} is ${v}`);
  }
  return spec.kind === 'hist' ? histogram(values, spec) : distinct(values, spec);
}

function histogram(values: Float64Array, spec: Extract<RoundSpec, { kind: 'hist' }>): ShardSummary {
  const { lo, hi } = spec;
  const counts = new Uint32Array(BINS);
  const mins = new Float64Array(BINS);
  const maxs = new Float64Array(BINS);
  const ordinal = floatOrdinal(lo);
  // Both mappings are monotone in v, so a bin's [min, max] holds exactly that bin's values.
  const byValue = spec.by === 'value';
  const scale = byValue ? BINS / (hi - lo) : BINS / (ordinal(hi) + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo || v > hi) continue;
    let b = Math.floor((byValue ? v - lo : ordinal(v)) * scale);
    if (!(b >= 0))
      b = 0; // hi == lo by value: one bin
    else if (b >= BINS) b = BINS - 1;
    if (counts[b] === 0) {
      mins[b] = v;
      maxs[b] = v;
    } else if (v < mins[b]) mins[b] = v;
    else if (v > maxs[b]) maxs[b] = v;
    counts[b]++;
  }
  const bins: HistBin[] = [];
  for (let b = 0; b < BINS; b++) {
    if (counts[b] === 0) continue;
    bins.push(mins[b] === maxs[b] ? [b, counts[b], mins[b] + 0] : [b, counts[b], mins[b], maxs[b]]);
  }
  return { kind: 'hist', round: spec.round, bins };
}

function distinct(values: Float64Array, spec: RoundSpec): ShardSummary {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v >= spec.lo && v <= spec.hi) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const out = [...counts].map(([v, c]): [number, number] => [v + 0, c]).sort((a, b) => b[0] - a[0]);
  return { kind: 'ties', round: spec.round, values: out };
}
