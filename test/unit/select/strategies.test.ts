import { describe, expect, it } from 'vitest';
import {
  decodeGroupEntries,
  type GroupItem,
  greedyCosine,
  groupByCluster,
  kcenterOrder,
  partitionGroups,
  quotas,
  spearman,
  topOverlap,
} from '../../../src/select/strategies/index.ts';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n rows near `centers` random directions (noise 0 = copies), normalized in float32. */
function randomRows(n: number, dim: number, seed: number, centers = n, noise = 1): Float32Array {
  const rnd = mulberry32(seed);
  const c = Array.from({ length: centers * dim }, () => rnd() * 2 - 1);
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const base = Math.floor(rnd() * centers) * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += (v[i * dim + j] = c[base + j] + noise * (rnd() * 2 - 1)) ** 2;
    for (let j = 0; j < dim; j++) v[i * dim + j] /= Math.sqrt(s);
  }
  return v;
}

const f32 = (...rows: number[][]) => new Float32Array(rows.flat());

describe('group entries', () => {
  const item = (node: number, cluster: number, rank: number): GroupItem => ({
    node,
    cluster,
    rank,
    vec: new Float32Array([node, cluster, rank]),
  });
  // Two shards; clusters 0 and 3 go to partition 0, cluster 1 to partition 1, partition 2 is empty.
  const shardA = partitionGroups(
    [item(5, 3, 0.5), item(1, 0, 0.25), item(3, 1, 0.75), item(9, 0, 0.5)],
    3,
    3,
  );
  const shardB = partitionGroups(
    [item(2, 0, 0.5), item(4, 3, 0.9), item(7, 0, 0.25), item(8, 1, 0.75)],
    3,
    3,
  );

  it('round-trips and groups members by (rank desc, node asc), clusters ascending', () => {
    expect(shardA.map((f) => f.length)).toEqual([16 + 3 * 28, 16 + 28, 16]);
    const p0 = groupByCluster([decodeGroupEntries(shardA[0]), decodeGroupEntries(shardB[0])]);
    expect(p0.map((c) => [c.cluster, [...c.node], [...c.rank]])).toEqual([
      [0, [2, 9, 1, 7], [0.5, 0.5, 0.25, 0.25]],
      [3, [4, 5], [0.9, 0.5]],
    ]);
    expect([...p0[0].vecs]).toEqual([2, 0, 0.5, 9, 0, 0.5, 1, 0, 0.25, 7, 0, 0.25]);
    expect(p0[1].dim).toBe(3);
    const p1 = groupByCluster([decodeGroupEntries(shardB[1]), decodeGroupEntries(shardA[1])]);
    expect(p1.map((c) => [c.cluster, [...c.node]])).toEqual([[1, [3, 8]]]);
    expect(groupByCluster([decodeGroupEntries(shardA[2])])).toEqual([]);
    // An empty file's dim does not matter (an empty shard may not know it).
    const empty = decodeGroupEntries(partitionGroups([], 1, 1)[0]);
    expect(groupByCluster([empty, decodeGroupEntries(shardB[1])]).map((c) => [...c.node])).toEqual([[8]]);
    expect(groupByCluster([])).toEqual([]);
  });

  it('decodes unaligned bytes by copying them', () => {
    const padded = new Uint8Array(shardA[0].length + 1);
    padded.set(shardA[0], 1);
    const e = decodeGroupEntries(padded.subarray(1));
    expect([...e.node]).toEqual([5, 1, 9]);
    expect([...e.cluster]).toEqual([3, 0, 0]);
  });

  it('refuses truncated, foreign and mismatched input', () => {
    const file = shardA[0];
    expect(() => decodeGroupEntries(file.subarray(0, file.length - 1))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: group-entries file is truncated: 3 entries of dim 3 need 100 bytes, got 99]`,
    );
    expect(() => decodeGroupEntries(file.subarray(0, 10))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: not a group-entries file: 10 bytes, shorter than the 16-byte header]`,
    );
    expect(() => decodeGroupEntries(new TextEncoder().encode('{"not": "a group file"}'))).toThrow(
      'not a group-entries file: bad magic bytes (want WGRE)',
    );
    const bumped = file.slice();
    bumped[4] = 2;
    const other = partitionGroups([{ node: 1, cluster: 0, rank: 1, vec: new Float32Array(4) }], 4, 1);
    const cases: [() => unknown, string][] = [
      [() => decodeGroupEntries(bumped), 'group-entries file version 2 is not supported (want 1)'],
      [() => decodeGroupEntries(new Uint8Array([...file, 0])), '1 bytes past its 3 entries'],
      [() => partitionGroups([item(1, 0, 0.5)], 4, 2), 'items[0].vec: has 3 numbers, expected dim = 4'],
      [
        () => partitionGroups([item(-1, 0, 0.5)], 3, 2),
        'items[0].node must be an integer in [0, 2^32), got -1',
      ],
      [() => partitionGroups([item(1, 0, Number.NaN)], 3, 2), 'items[0].rank must be finite, got NaN'],
      [() => partitionGroups([], 3, 0), 'partitions must be an integer in [1, 2^32), got 0'],
    ];
    for (const [f, message] of cases) expect(f).toThrow(message);
    const mixed = [decodeGroupEntries(file), decodeGroupEntries(other[0])];
    expect(() => groupByCluster(mixed)).toThrow(
      expect.objectContaining({
        code: 'dim_mismatch',
        message: 'files[1]: has dim 4, but files[0] has dim 3',
      }),
    );
  });
});

describe('greedyCosine', () => {
  // Cosines: v0·v1 .8, v0·v3 .6, v1·v2 .6, v1·v3 .96, v2·v3 .8, v4·v5 .96, v2·v5 .28, v1·v5 .168, v3·v5 .224.
  const v = f32([1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0.6, 0.8, 0], [0, 0, 1], [0, 0.28, 0.96]);

  it('refuses members similar to a kept one and names the most similar', () => {
    const r = greedyCosine(v, 3, 0.5);
    expect([...r.kept]).toEqual([1, 0, 1, 0, 1, 0]);
    expect([...r.by]).toEqual([-1, 0, -1, 2, -1, 4]);
    expect([...r.sim].map((s) => +s.toFixed(6))).toEqual([-Infinity, 0.8, 0, 0.8, 0, 0.96]);
    // At 0.9, v1 is kept and then refuses v3 (0.96), though v2 (0.8) is kept too.
    const h = greedyCosine(v, 3, 0.9);
    expect([...h.kept]).toEqual([1, 1, 1, 0, 1, 0]);
    expect([...h.by]).toEqual([-1, -1, -1, 1, -1, 4]);
    expect([...h.sim].map((s) => +s.toFixed(6))).toEqual([-Infinity, 0.8, 0.6, 0.96, 0, 0.96]);
    expect([...h.visited]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('names the earlier kept member on equal similarity', () => {
    const s = Math.SQRT1_2;
    const axes = f32(
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, -1],
      [s, s, 0],
      [0, s, s],
      [0, 0, 1],
      [s, 0, -s],
    );
    const r = greedyCosine(axes, 3, 0.5);
    expect([...r.by]).toEqual([-1, -1, -1, -1, 0, 1, 2, 0]);
  });

  it('stops after maxKeep kept members', () => {
    const r = greedyCosine(v, 3, 0.5, 2);
    expect([...r.visited]).toEqual([1, 1, 1, 0, 0, 0]);
    expect([...r.kept]).toEqual([1, 0, 1, 0, 0, 0]);
    expect(r.by[3]).toBe(-1);
    expect(r.sim[3]).toBeNaN();
    expect([...greedyCosine(v, 3, 0.5, 0).visited]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('threshold 1 refuses exact copies only; above 1 keeps all', () => {
    const rows = randomRows(5, 7, 3);
    const copies = new Float32Array(7 * 7);
    copies.set(rows);
    copies.set(rows.subarray(0, 7), 35); // row 5 = row 0
    copies.set(rows.subarray(0, 7), 42);
    copies[42] += 1e-3; // row 6 ≈ row 0
    const r = greedyCosine(copies, 7, 1);
    expect([...r.kept]).toEqual([1, 1, 1, 1, 1, 0, 1]);
    expect([r.by[5], r.sim[5]]).toEqual([0, 1]);
    expect([...greedyCosine(copies, 7, 1.0001).kept]).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('matches a plain reference on clustered random rows', () => {
    const dim = 13;
    const rows = randomRows(403, dim, 7, 30, 0.35);
    const r = greedyCosine(rows, dim, 0.9);
    const kept: number[] = [];
    let refused = 0;
    for (let i = 0; i < 403; i++) {
      let best = -Infinity;
      let by = -1;
      for (const j of kept) {
        let d = 0;
        for (let k = 0; k < dim; k++) d += rows[i * dim + k] * rows[j * dim + k];
        if (d > best) [best, by] = [d, j];
      }
      if (best >= 0.9) {
        refused++;
        expect([r.by[i], r.sim[i]]).toEqual([by, expect.closeTo(best, 6)]);
      } else {
        kept.push(i);
        expect(r.kept[i]).toBe(1);
      }
    }
    expect(refused).toBeGreaterThan(50);
    expect(() => greedyCosine(rows, 12, 0.9)).toThrow('vecs has 5239 numbers, not a multiple of dim = 12');
    expect(() => greedyCosine(rows, dim, Number.NaN)).toThrow('threshold must be a number, got NaN');
  });
});

describe('kcenterOrder', () => {
  it('picks farthest first on the unit circle', () => {
    // Angles 0°, 10°, 180°, 100°, 270°, 200°: the chord of angle Δ is 2 sin(Δ/2).
    const deg = [0, 10, 180, 100, 270, 200].map((a) => (a * Math.PI) / 180);
    const v = f32(...deg.map((a) => [Math.cos(a), Math.sin(a)]));
    const chord = (d: number) => 2 * Math.sin((d * Math.PI) / 360);
    const r = kcenterOrder(v, 2, 6);
    expect([...r.order]).toEqual([0, 5, 1, 3, 2, 4]);
    const want = [Infinity, chord(10), 2, chord(80), chord(90), chord(20)];
    r.radius.forEach((x, i) => {
      expect(x).toBeCloseTo(want[i], 6);
    });
    const three = kcenterOrder(v, 2, 3);
    expect([...three.order]).toEqual([0, -1, 1, -1, 2, -1]);
    // Unpicked members report how far they are from the picks.
    expect(three.radius[3]).toBeCloseTo(chord(80), 6);
    expect(three.radius[1]).toBeCloseTo(chord(10), 6);
  });

  it('breaks ties by lower index and gives copies radius 0', () => {
    const r = kcenterOrder(f32([1, 0], [0, -1], [0, 1], [1, 0]), 2, 9);
    expect([...r.order]).toEqual([0, 1, 2, 3]);
    expect([...r.radius]).toEqual([Infinity, Math.SQRT2, Math.SQRT2, 0]);
    expect([...kcenterOrder(f32([1, 0]), 2, 0).order]).toEqual([-1]);
    expect(() => kcenterOrder(f32([1, 0]), 2, 1.5)).toThrow('picks must be a non-negative integer, got 1.5');
  });

  it('matches a naive O(n²·k) farthest-first traversal', () => {
    const [n, dim, k] = [203, 17, 60];
    const v = randomRows(n, dim, 11);
    const dist = (a: number, b: number) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (v[a * dim + j] - v[b * dim + j]) ** 2;
      return Math.sqrt(s);
    };
    const centers = [0];
    const radii = [Infinity];
    while (centers.length < k) {
      let [far, farD] = [-1, -1];
      for (let i = 0; i < n; i++) {
        if (centers.includes(i)) continue;
        const d = Math.min(...centers.map((c) => dist(i, c)));
        if (d > farD) [far, farD] = [i, d];
      }
      centers.push(far);
      radii.push(farD);
    }
    const r = kcenterOrder(v, dim, k);
    expect(centers.map((c) => r.order[c])).toEqual([...Array(k).keys()]);
    expect(r.order.filter((o) => o >= 0).length).toBe(k);
    centers.forEach((c, p) => {
      expect(r.radius[c]).toBeCloseTo(radii[p], 9);
    });
  });
});

describe('quotas', () => {
  it('splits by weight with caps and water-filling (hand-computed)', () => {
    const av = [100, 10, 1];
    // proportional, cap 15: 20·100/111 ≥ 15 settles c0; the other 5 split 10:1 → 4.55, 0.45 → [5, 0].
    expect(quotas(av, 20, 'proportional', 15)).toEqual([15, 5, 0]);
    // equal: c2 settles at 1, then 19 / 2 = 9.5 each; the spare unit goes to the lower index.
    expect(quotas(av, 20, 'equal', 15)).toEqual([10, 9, 1]);
    // sqrt: c2 settles at 1; 19 over weights 10 : √10 → 14.43, 4.57 → [14, 5].
    expect(quotas(av, 20, 'sqrt', 15)).toEqual([14, 5, 1]);
    // Without a cap: 3000/111, 300/111, 30/111 → 27 r3, 2 r78, 0 r30 → the unit goes to c1.
    expect(quotas(av, 30, 'proportional')).toEqual([27, 3, 0]);
    expect(quotas(av, 30, 'equal')).toEqual([19, 10, 1]);
    expect(quotas(av, 30, 'sqrt')).toEqual([22, 7, 1]);
    // Target above what the caps allow: everyone at the limit.
    for (const mode of ['proportional', 'equal', 'sqrt'] as const) {
      expect(quotas(av, 30, mode, 15)).toEqual([15, 10, 1]);
      expect(quotas(av, 1000, mode)).toEqual(av);
      expect(quotas([], 10, mode)).toEqual([]);
      expect(quotas([0, 5, 0], 3, mode)).toEqual([0, 3, 0]);
      expect(quotas(av, 0, mode)).toEqual([0, 0, 0]);
    }
    expect(quotas([4, 4, 4], 10, 'equal', 0)).toEqual([0, 0, 0]);
  });

  it('is within one unit of exact water-filling and sums exactly (seeded random cases)', () => {
    const rnd = mulberry32(5);
    for (let t = 0; t < 500; t++) {
      const m = 1 + Math.floor(rnd() * 12);
      const av = Array.from({ length: m }, () => (rnd() < 0.2 ? 0 : Math.floor(rnd() ** 3 * 500)));
      const cap = rnd() < 0.5 ? undefined : Math.floor(rnd() * 80);
      const target = Math.floor(rnd() * 1.2 * av.reduce((s, a) => s + a, 0));
      const mode = (['proportional', 'equal', 'sqrt'] as const)[t % 3];
      const limit = av.map((a) => Math.min(a, cap ?? a));
      const w = av.map((a) => (mode === 'proportional' ? a : mode === 'equal' ? +(a > 0) : Math.sqrt(a)));
      const goal = Math.min(
        target,
        limit.reduce((s, l) => s + l, 0),
      );
      // Reference: bisect the water level λ with Σ min(limit, λ·w) = goal.
      const fill = (l: number) => limit.map((x, c) => Math.min(x, l * w[c]));
      let [lo, hi] = [0, 1e6];
      for (let it = 0; it < 200; it++) {
        const mid = (lo + hi) / 2;
        if (fill(mid).reduce((s, x) => s + x, 0) < goal) lo = mid;
        else hi = mid;
      }
      const q = quotas(av, target, mode, cap);
      expect(q.reduce((s, x) => s + x, 0)).toBe(goal);
      fill(hi).forEach((x, c) => {
        expect(q[c]).toBeLessThanOrEqual(limit[c]);
        expect(Math.abs(q[c] - x)).toBeLessThan(1 + 1e-6);
      });
    }
  });

  it('keeps remainders exact when products pass 2^53', () => {
    // Shares 2^50 − 1 + (1/2 + 2e-16), 2^50 − 1 + 4e-16, 1 + (1/2 − 7e-16): the spare unit goes to c0.
    expect(quotas([2 ** 51, 2 ** 51 - 1, 3], 2 ** 51, 'proportional')).toEqual([2 ** 50, 2 ** 50 - 1, 1]);
    // Exact (Python fractions); float64 shares would hand the spare unit to c1 instead of c2.
    expect(quotas([233277250719, 393481881680, 459153353398], 315642346473, 'proportional')).toEqual([
      67806733746, 114373438055, 133462174672,
    ]);
  });

  it('refuses bad input with exact messages', () => {
    expect(() => quotas([1, -2], 1, 'equal')).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: available[1] must be a non-negative integer, got -2]`,
    );
    expect(() => quotas([1.5], 1, 'equal')).toThrow('available[0] must be a non-negative integer, got 1.5');
    expect(() => quotas([1], 0.5, 'equal')).toThrow('target must be a non-negative integer, got 0.5');
    expect(() => quotas([1], 1, 'equal', -1)).toThrow('cap must be a non-negative integer, got -1');
    expect(() => quotas([1], 1, 'zipf' as never)).toThrow(
      'mode must be "proportional", "equal" or "sqrt", got "zipf"',
    );
  });
});

describe('rank agreement', () => {
  it('spearman averages tied ranks (scipy.stats.spearmanr: 15/38)', () => {
    // Ranks: a → 1, 2.5, 2.5, 4, 5; b → 2, 1, 4.5, 4.5, 3; Σxy = 3.75, Σx² = Σy² = 9.5.
    expect(spearman([1, 2, 2, 3, 5], [2, 1, 4, 4, 3])).toBeCloseTo(15 / 38, 14);
    expect(spearman(new Float64Array([0.1, 0.5, 0.3]), [1, 9, 4])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow('a and b must have the same length, got 2 and 1');
  });

  it('topOverlap compares the top fraction, ties to the lower index', () => {
    const a = [0.9, 0.8, 0.7, 0.1, 0.2, 0.3];
    expect(topOverlap(a, a, 0.5)).toBe(1);
    expect(topOverlap(a, [0.9, 0.1, 0.2, 0.8, 0.7, 0.3], 0.5)).toBeCloseTo(1 / 3, 15);
    // b ties everything: its top 2 are items 0 and 1.
    expect(topOverlap([0, 5, 1, 9], [1, 1, 1, 1], 0.5)).toBe(0.5);
    expect(topOverlap(a, a, 0.05)).toBeNaN();
    expect(() => topOverlap(a, a, 1.5)).toThrow('fraction must be in [0, 1], got 1.5');
  });
});
