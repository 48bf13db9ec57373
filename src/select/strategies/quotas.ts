export type QuotaMode = 'proportional' | 'equal' | 'sqrt';

const MODES: readonly QuotaMode[] = ['proportional', 'equal', 'sqrt'];

/**
 * Per-cluster quotas for the `balanced` strategy: splits `target` over clusters with `available[c]`
 * candidates each. Weights: proportional → available, equal → 1 (for clusters with any), sqrt →
 * √available. Each quota is at most min(available[c], cap ?? Infinity), and they sum to exactly
 * min(target, Σ min(available[c], cap)).
 *
 * Water-filling: a cluster whose share by weight reaches its limit gets its limit, and the rest of
 * the target is shared again by weight among the others, until no share reaches its limit (the
 * fixed point does not depend on the order clusters are settled in). The remaining shares are then
 * rounded by largest remainder: each gets its floor, and the units left go to the largest fractional
 * parts, ties to the lower cluster index. For proportional and equal the shares and remainders are
 * exact integer ratios (BigInt past 2^53); for sqrt they are float64.
 */
export function quotas(
  available: readonly number[],
  target: number,
  mode: QuotaMode,
  cap?: number,
): number[] {
  let sum = 0;
  available.forEach((a, i) => {
    if (!Number.isSafeInteger(a) || a < 0)
      throw new RangeError(`available[${i}] must be a non-negative integer, got ${a}`);
    sum += a;
  });
  if (!Number.isSafeInteger(sum)) throw new RangeError(`available must sum to a safe integer, got ${sum}`);
  if (!Number.isSafeInteger(target) || target < 0)
    throw new RangeError(`target must be a non-negative integer, got ${target}`);
  if (!MODES.includes(mode))
    throw new RangeError(`mode must be "proportional", "equal" or "sqrt", got ${JSON.stringify(mode)}`);
  if (cap !== undefined && cap !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(cap) || cap < 0))
    throw new RangeError(`cap must be a non-negative integer, got ${cap}`);

  const m = available.length;
  const limit = available.map((a) => Math.min(a, cap ?? a));
  const out = new Array<number>(m).fill(0);
  const weight = available.map((a) =>
    mode === 'proportional' ? a : mode === 'equal' ? (a > 0 ? 1 : 0) : Math.sqrt(a),
  );
  const exact = mode !== 'sqrt';
  // Clusters still sharing, by limit / weight ascending: the ones that saturate first come first.
  let open = [...Array(m).keys()].filter((c) => limit[c] > 0);
  open.sort((a, b) => limit[a] / weight[a] - limit[b] / weight[b] || a - b);
  const room = limit.reduce((s, l) => s + l, 0);
  let rest = Math.min(target, room);
  let W = open.reduce((s, c) => s + weight[c], 0);
  for (let settled = true; settled && rest > 0; ) {
    settled = false;
    const still: number[] = [];
    for (const c of open) {
      // Does the share rest · w / W reach the limit? (Every settlement only raises rest / W.)
      const reaches = exact ? mulDiv(rest, weight[c], W).q >= limit[c] : (rest * weight[c]) / W >= limit[c];
      if (reaches) {
        out[c] = limit[c];
        rest -= limit[c];
        W -= weight[c];
        settled = true;
      } else {
        still.push(c);
      }
    }
    open = still;
    W = open.reduce((s, c) => s + weight[c], 0); // no drift from the subtractions (sqrt)
  }
  if (rest <= 0 || open.length === 0) return out;

  // Largest remainder over the open clusters (all below their limits, so floor + 1 fits).
  const fracs: { c: number; key: number }[] = [];
  let left = rest;
  for (const c of open) {
    let q: number;
    let key: number;
    if (exact) {
      ({ q, r: key } = mulDiv(rest, weight[c], W)); // remainders share the denominator W
    } else {
      const share = (rest * weight[c]) / W;
      q = Math.min(Math.floor(share), limit[c] - 1);
      key = share - q;
    }
    out[c] = q;
    left -= q;
    fracs.push({ c, key });
  }
  fracs.sort((a, b) => b.key - a.key || a.c - b.c);
  for (let t = 0; left > 0 && t < fracs.length; t++, left--) out[fracs[t].c]++;
  // float64 shares (sqrt) can, in principle, leave a unit over; hand it to any room, lowest index first.
  for (let c = 0; left > 0 && c < m; c++) {
    const add = Math.min(left, limit[c] - out[c]);
    out[c] += add;
    left -= add;
  }
  return out;
}

/** floor(a · b / d) and the remainder, exactly, for non-negative integers. */
function mulDiv(a: number, b: number, d: number): { q: number; r: number } {
  const p = a * b;
  if (p + d <= Number.MAX_SAFE_INTEGER) {
    let q = Math.floor(p / d);
    let r = p - q * d;
    if (r < 0) {
      q--;
      r += d;
    } else if (r >= d) {
      q++;
      r -= d;
    }
    return { q, r };
  }
  const P = BigInt(a) * BigInt(b);
  const D = BigInt(d);
  return { q: Number(P / D), r: Number(P % D) };
}
