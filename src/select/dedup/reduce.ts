import { decodeColumns, type Entries, encodeColumns } from './entries.ts';
import { estimateJaccard } from './minhash.ts';

export interface Edges {
  count: number;
  /** The smaller node of each edge (reducePartition writes a < b; resolve accepts either order). */
  a: Uint32Array;
  b: Uint32Array;
  rankA: Float64Array;
  rankB: Float64Array;
  /** 0 exact, 1 near. */
  kind: Uint8Array;
}

export interface ReduceOptions {
  /** Min estimated Jaccard for a near edge. */
  threshold: number;
  /** Earlier members (distinct sketches, best first) a band-bucket member is compared with; default 32. */
  maxCompare?: number;
}

/**
 * Default verification threshold on the estimated Jaccard of character 5-gram sets. With 32-byte sketches
 * (σ ≈ 0.08 at J = 0.7) and 16×4 bands a pair is flagged with probability 0.07 at J = 0.5, 0.42 at 0.6,
 * 0.86 at 0.7, 0.99 at 0.8 (binomial). Planted one-edit copies of Alpaca records sit at J ≥ 0.7
 * (median ≈ 0.95); 0.5 also caught them all but doubled the clean flags, mostly same-template records
 * ("Classify the tone…: Positive").
 * Measured recall and clean false positives: dedup-alpaca.test.ts.
 */
export const DEDUP_THRESHOLD = 0.6;

/**
 * Group every file's entries by (kind, key). Exact bucket: star edges from its best member (rank desc,
 * node asc) to the others. Band bucket with >= 2 distinct nodes: members in (rank desc, node asc) order;
 * each compares with at most `maxCompare` earlier members and gets a kind-1 edge to each whose estimated
 * Jaccard >= threshold. Members whose sketch equals an earlier member's are not compared: they get one
 * edge to the first such member (estimate 1), so a bucket of many copies costs one edge per copy. Edges
 * are unique within the partition, sorted (a, b, kind). `buckets` counts buckets with >= 2 distinct
 * nodes, `compared` the sketch comparisons made.
 */
export function reducePartition(
  files: readonly Entries[],
  { threshold, maxCompare = 32 }: ReduceOptions,
): { edges: Edges; buckets: number; compared: number } {
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError('threshold must be a number in [0, 1]');
  if (!Number.isInteger(maxCompare) || maxCompare < 0)
    throw new RangeError('maxCompare must be an integer >= 0');
  let n = 0;
  let len = -1;
  for (const f of files) {
    n += f.count;
    if (f.count > 0 && len >= 0 && f.sketchLen !== len)
      throw new RangeError(`entries files disagree on the sketch length (${len} vs ${f.sketchLen})`);
    if (f.count > 0) len = f.sketchLen;
  }
  len = Math.max(len, 0);
  const keyHi = new Uint32Array(n);
  const keyLo = new Uint32Array(n);
  const kind = new Uint8Array(n);
  const node = new Uint32Array(n);
  const rank = new Float64Array(n);
  const sketch = new Uint8Array(n * len);
  let at = 0;
  for (const f of files) {
    keyHi.set(f.keyHi.subarray(0, f.count), at);
    keyLo.set(f.keyLo.subarray(0, f.count), at);
    kind.set(f.kind.subarray(0, f.count), at);
    node.set(f.node.subarray(0, f.count), at);
    rank.set(f.rank.subarray(0, f.count), at);
    sketch.set(f.sketch.subarray(0, f.count * len), at * len);
    at += f.count;
  }
  // (kind, key) groups together; inside a group the best member comes first.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(
    (x, y) =>
      kind[x] - kind[y] ||
      keyHi[x] - keyHi[y] ||
      keyLo[x] - keyLo[y] ||
      rank[y] - rank[x] ||
      node[x] - node[y] ||
      x - y,
  );
  const out = new EdgeList();
  let buckets = 0;
  let compared = 0;
  const sketchOf = (i: number) => sketch.subarray(i * len, i * len + len);
  for (let s = 0; s < n; ) {
    let e = s + 1;
    const o = order[s];
    while (
      e < n &&
      kind[order[e]] === kind[o] &&
      keyHi[order[e]] === keyHi[o] &&
      keyLo[order[e]] === keyLo[o]
    )
      e++;
    if (e - s >= 2) {
      // distinct nodes, best first (a node listed twice keeps its first, best, entry)
      const seen = new Set<number>();
      const members: number[] = [];
      for (let g = s; g < e; g++) {
        if (seen.has(node[order[g]])) continue;
        seen.add(node[order[g]]);
        members.push(order[g]);
      }
      if (members.length >= 2) {
        buckets++;
        if (kind[o] === 0)
          for (let m = 1; m < members.length; m++) out.add(members[0], members[m], 0, node, rank);
        else
          compared += compareBand(members, sketchOf, threshold, maxCompare, (x, y) =>
            out.add(x, y, 1, node, rank),
          );
      }
    }
    s = e;
  }
  return { edges: out.finish(), buckets, compared };
}

/** Near edges one member gets in one band bucket, at most. */
export const MAX_EDGES = 2;

/** Verification inside one band bucket; returns the number of sketch comparisons. */
function compareBand(
  members: number[],
  sketchOf: (i: number) => Uint8Array,
  threshold: number,
  maxCompare: number,
  edge: (x: number, y: number) => void,
): number {
  const reps: number[] = []; // members with a sketch no earlier member has, best first
  const byHash = new Map<number, number[]>();
  let compared = 0;
  for (const m of members) {
    const sk = sketchOf(m);
    let h = 0x811c9dc5;
    for (let i = 0; i < sk.length; i++) h = Math.imul(h ^ sk[i], 0x01000193);
    const same = byHash.get(h)?.find((r) => equalBytes(sketchOf(r), sk));
    if (same !== undefined) {
      edge(same, m);
      continue;
    }
    // At most MAX_EDGES edges per member and bucket, to its best-ranked matches: resolve keeps a
    // record when none of its matches was kept, so more edges add little, and templated data (every
    // record similar to thousands) would otherwise grow the edges quadratically.
    let found = 0;
    for (let r = 0; r < reps.length && r < maxCompare && found < MAX_EDGES; r++) {
      compared++;
      if (estimateJaccard(sketchOf(reps[r]), sk) >= threshold) {
        edge(reps[r], m);
        found++;
      }
    }
    reps.push(m);
    const list = byHash.get(h);
    if (list) list.push(m);
    else byHash.set(h, [m]);
  }
  return compared;
}

function equalBytes(x: Uint8Array, y: Uint8Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Growable edge columns; `finish` orients (a < b), sorts (a, b, kind) and drops repeats. */
class EdgeList {
  a: number[] = [];
  b: number[] = [];
  rankA: number[] = [];
  rankB: number[] = [];
  kind: number[] = [];

  add(x: number, y: number, kind: number, node: Uint32Array, rank: Float64Array): void {
    if (node[x] === node[y]) return;
    const [lo, hi] = node[x] < node[y] ? [x, y] : [y, x];
    this.a.push(node[lo]);
    this.b.push(node[hi]);
    this.rankA.push(rank[lo]);
    this.rankB.push(rank[hi]);
    this.kind.push(kind);
  }

  finish(): Edges {
    const { a, b, kind } = this;
    const order = Array.from(a, (_, i) => i).sort((x, y) => a[x] - a[y] || b[x] - b[y] || kind[x] - kind[y]);
    const keep = order.filter(
      (i, k) =>
        k === 0 || a[i] !== a[order[k - 1]] || b[i] !== b[order[k - 1]] || kind[i] !== kind[order[k - 1]],
    );
    return {
      count: keep.length,
      a: Uint32Array.from(keep, (i) => a[i]),
      b: Uint32Array.from(keep, (i) => b[i]),
      rankA: Float64Array.from(keep, (i) => this.rankA[i]),
      rankB: Float64Array.from(keep, (i) => this.rankB[i]),
      kind: Uint8Array.from(keep, (i) => kind[i]),
    };
  }
}

const EDGES = 'WDDG';

/** 'WDDG' file: rankA f64, rankB f64, a u32, b u32, kind u8. */
export function encodeEdges(e: Edges): Uint8Array {
  const n = e.count;
  return encodeColumns(EDGES, n, 0, [
    e.rankA.subarray(0, n),
    e.rankB.subarray(0, n),
    e.a.subarray(0, n),
    e.b.subarray(0, n),
    e.kind.subarray(0, n),
  ]);
}

export function decodeEdges(bytes: Uint8Array): Edges {
  const { count, columns } = decodeColumns(bytes, EDGES, 'dedup edges file', (n) => [
    ['f64', n],
    ['f64', n],
    ['u32', n],
    ['u32', n],
    ['u8', n],
  ]);
  const [rankA, rankB, a, b, kind] = columns;
  for (let i = 0; i < count; i++)
    if (kind[i] > 1) throw new RangeError(`dedup edges: edge ${i} has kind ${kind[i]} (expected 0 or 1)`);
  return {
    count,
    a: a as Uint32Array,
    b: b as Uint32Array,
    rankA: rankA as Float64Array,
    rankB: rankB as Float64Array,
    kind: kind as Uint8Array,
  };
}
