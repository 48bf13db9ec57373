/**
 * Exact global top-k over sharded rank values, by rounds of small mergeable summaries.
 *
 * Selected: the k largest values, ties broken by global position (earlier shard, then lower local index).
 * Each round the coordinator sends a RoundSpec, every shard answers with `summarize`, the coordinator
 * folds the answers with `mergeSummaries` (associative and commutative) and calls `decide`.
 *
 * - Round 0 is a `hist` round: BINS equal-width bins over [0,1], each with count, min and max. The
 *   coordinator walks the bins from the top to the one where the count reaches k - above. If the values
 *   from that bin up make exactly k, it is done (keep all >= the bin's min). Otherwise the window narrows
 *   to [min, max] of that bin and `above` grows by the counts of the bins over it.
 * - Later `hist` rounds bin by float ordinal (the bit pattern, i.e. equal numbers of representable doubles
 *   per bin) rather than by value, so each round divides the number of possible values in the window by
 *   BINS whatever the distribution (exponential spreads, ulp-close clusters, subnormals). A window is never
 *   "a few ulps wide but unsplittable": its ends are actual values, which land in bin 0 and the last bin.
 * - The last round is always a `ties` (exact) round over the window: each shard sends its distinct values
 *   in [lo, hi] with counts. It is chosen as soon as the window holds at most EXACT_COUNT values or at most
 *   EXACT_KEYS representable doubles (so every summary stays small), or when the round budget runs out.
 *   `decide` finds the exact threshold there and, if the threshold value must be split, hands out the
 *   remaining quota to shards in shard order from the per-shard summaries (`perShard`).
 *
 * Bound: after round 0 a window spans < 2^62 ordinals; each ordinal round divides that by 2^14, so after
 * round 4 it spans <= ~2^6 < EXACT_KEYS, and round 5 (ties) finishes: at most MAX_ROUNDS = 6 rounds.
 * Typical data (distinct-ish values, <= ~10^8 records) finishes in 2 rounds: hist, then ties.
 */
import { floatOrdinal } from './float-ordinal.ts';

export const BINS = 16384;
export const MAX_ROUNDS = 6;
/** A window with at most this many values goes straight to the exact `ties` round. */
export const EXACT_COUNT = BINS;
/** A window spanning at most this many representable doubles goes straight to the `ties` round. */
export const EXACT_KEYS = 256;

export interface TopkPlan {
  k: number;
  /** Number of candidate values over all shards. */
  total: number;
}

/**
 * `hist`: histogram of the values in [lo, hi] (`by: 'value'` equal-width in value, `'ordinal'` equal
 * numbers of doubles per bin). `ties`: every distinct value in [lo, hi] with its count (lo == hi: one value).
 * `above`: how many values are already known to be strictly greater than hi.
 */
export type RoundSpec =
  | { kind: 'hist'; by: 'value' | 'ordinal'; lo: number; hi: number; above: number; round: number }
  | { kind: 'ties'; lo: number; hi: number; above: number; round: number };

/** `[bin, count, min, max]`; max is left out when it equals min (always for count 1). */
export type HistBin = [bin: number, count: number, min: number, max?: number];

/** What one shard (or a merge of shards) sends back: sparse and JSON-serializable. */
export type ShardSummary =
  /** Non-empty bins, ascending by bin index. */
  | { kind: 'hist'; round: number; bins: HistBin[] }
  /** `[value, count]` for each distinct value in the window, descending by value. */
  | { kind: 'ties'; round: number; values: [value: number, count: number][] };

/**
 * Keep values > threshold; values == threshold: with `tieQuota`, the first `tieQuota[shard]` of them in
 * the shard (by local position); without it, all of them unless `strict`.
 */
export interface Cut {
  threshold: number;
  strict: boolean;
  tieQuota: number[] | null;
}

export type Decision = { kind: 'next'; spec: RoundSpec } | { kind: 'done'; cut: Cut };

export const NONE: Cut = { threshold: Number.MAX_VALUE, strict: true, tieQuota: null };
export const ALL: Cut = { threshold: -Number.MAX_VALUE, strict: false, tieQuota: null };

/** A cut that selects everything or nothing: no threshold was searched for. */
export function isTrivialCut(cut: Cut): boolean {
  return Math.abs(cut.threshold) === Number.MAX_VALUE;
}

export function binMax(b: HistBin): number {
  return b.length > 3 ? (b[3] as number) : b[2];
}

/** The opening decision: done at once when k <= 0 (none) or k >= total (all), else a round-0 histogram. */
export function firstRound(plan: TopkPlan): Decision {
  checkPlan(plan);
  if (plan.k <= 0) return { kind: 'done', cut: { ...NONE } };
  if (plan.k >= plan.total) return { kind: 'done', cut: { ...ALL } };
  return { kind: 'next', spec: ROUND_ZERO };
}

/** Round 0: a histogram of equal-width bins over [0, 1]. */
export const ROUND_ZERO: RoundSpec = { kind: 'hist', by: 'value', lo: 0, hi: 1, above: 0, round: 0 };

/**
 * Given the merged summary of a round, either finish or ask for the next round.
 * `perShard` (each shard's own summary, in shard order) is needed only when a `ties` round must split
 * the threshold value between shards.
 */
export function decide(
  plan: TopkPlan,
  spec: RoundSpec,
  merged: ShardSummary,
  perShard?: readonly ShardSummary[],
): Decision {
  checkPlan(plan);
  if (merged.kind !== spec.kind || merged.round !== spec.round) {
    throw new Error(
      `top-k: got a ${merged.kind} summary of round ${merged.round} for a ${spec.kind} round ${spec.round}`,
    );
  }
  const need = plan.k - spec.above;
  if (need < 1)
    throw new Error(`top-k: round ${spec.round} has nothing left to find (k=${plan.k}, above=${spec.above})`);
  return merged.kind === 'hist'
    ? decideHist(spec, merged.bins, need)
    : decideTies(spec, merged.values, need, perShard);
}

function decideHist(spec: RoundSpec, bins: HistBin[], need: number): Decision {
  let cum = 0;
  for (let j = bins.length - 1; j >= 0; j--) {
    const [, count, min] = bins[j];
    if (cum + count < need) {
      cum += count;
      continue;
    }
    if (cum + count === need) return { kind: 'done', cut: { threshold: min, strict: false, tieQuota: null } };
    const max = binMax(bins[j]);
    const round = spec.round + 1;
    const above = spec.above + cum;
    const exact =
      min === max || count <= EXACT_COUNT || floatOrdinal(min)(max) < EXACT_KEYS || round >= MAX_ROUNDS - 1;
    const next: RoundSpec = exact
      ? { kind: 'ties', lo: min, hi: max, above, round }
      : { kind: 'hist', by: 'ordinal', lo: min, hi: max, above, round };
    return { kind: 'next', spec: next };
  }
  throw inconsistent(spec, cum, need);
}

function decideTies(
  spec: RoundSpec,
  values: [number, number][],
  need: number,
  perShard: readonly ShardSummary[] | undefined,
): Decision {
  let cum = 0;
  for (const [value, count] of values) {
    if (cum + count < need) {
      cum += count;
      continue;
    }
    const wanted = need - cum;
    if (wanted === count) return { kind: 'done', cut: { threshold: value, strict: false, tieQuota: null } };
    if (!perShard)
      throw new TypeError('top-k: splitting ties needs the per-shard summaries of the ties round');
    let left = wanted;
    const tieQuota = perShard.map((s) => {
      const take = Math.min(left, countOf(s, spec.round, value));
      left -= take;
      return take;
    });
    if (left > 0)
      throw new Error(`top-k: per-shard summaries hold ${wanted - left} of ${wanted} tied values`);
    return { kind: 'done', cut: { threshold: value, strict: true, tieQuota } };
  }
  throw inconsistent(spec, cum, need);
}

function countOf(s: ShardSummary, round: number, value: number): number {
  if (s.kind !== 'ties' || s.round !== round)
    throw new Error(`top-k: per-shard summary is not from ties round ${round}`);
  const vs = s.values; // descending
  let lo = 0;
  let hi = vs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = vs[mid][0];
    if (v === value) return vs[mid][1];
    if (v > value) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

function inconsistent(spec: RoundSpec, seen: number, need: number): Error {
  return new Error(
    `top-k: round ${spec.round} summaries hold ${seen} values in [${spec.lo}, ${spec.hi}] but ${need} are needed; ` +
      'plan.total does not match the shards',
  );
}

function checkPlan(plan: TopkPlan): void {
  if (!Number.isSafeInteger(plan.k)) throw new RangeError(`k must be an integer, got ${plan.k}`);
  if (!Number.isSafeInteger(plan.total) || plan.total < 0) {
    throw new RangeError(`total must be a non-negative integer, got ${plan.total}`);
  }
}
