/**
 * Agreement between two rankings of the same items (e.g. a cheap scorer against a reference one).
 */

/** Spearman rank correlation with average ranks for ties (Pearson of the ranks); NaN when undefined. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair(a, b);
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2; // the mean of average ranks is always (n + 1) / 2
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = ra[i] - mean;
    const y = rb[i] - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  // A constant input has no ranking: NaN, as scipy.stats.spearmanr.
  if (saa === 0 || sbb === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/**
 * |top(a) ∩ top(b)| / |top(a)|, where top is the round(fraction · n) largest values, ties to the
 * lower index. NaN when that is no items.
 */
export function topOverlap(a: ArrayLike<number>, b: ArrayLike<number>, fraction: number): number {
  checkPair(a, b);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  const k = Math.round(fraction * a.length);
  if (k === 0) return Number.NaN;
  const inA = new Uint8Array(a.length);
  for (const i of byValueDesc(a).subarray(0, k)) inA[i] = 1;
  let both = 0;
  for (const i of byValueDesc(b).subarray(0, k)) both += inA[i];
  return both / k;
}

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length)
    throw new RangeError(`a and b must have the same length, got ${a.length} and ${b.length}`);
  for (const [v, name] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    for (let i = 0; i < v.length; i++) if (Number.isNaN(v[i])) throw new RangeError(`${name}[${i}] is NaN`);
  }
}

/** Indices by value descending, ties by lower index. */
function byValueDesc(v: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(v.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((x, y) => (v[y] > v[x] ? 1 : v[y] < v[x] ? -1 : x - y));
}

/** 1-based ranks ascending; tied values share the mean of their ranks. */
function averageRanks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((x, y) => (v[x] < v[y] ? -1 : v[x] > v[y] ? 1 : 0));
  const ranks = new Float64Array(n);
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && v[idx[e]] === v[idx[s]]) e++;
    const r = (s + e + 1) / 2; // mean of ranks s+1 … e
    for (let t = s; t < e; t++) ranks[idx[t]] = r;
    s = e;
  }
  return ranks;
}
