import { BandVerifier } from './band-verify.ts';
import { EdgeList } from './edge-list.ts';
import { decodeColumns, type Entries, encodeColumns } from './entries.ts';
import { keyGroups } from './key-groups.ts';

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
  const { count: groups, start, member } = keyGroups(kind, keyHi, keyLo, n);
  const out = new EdgeList(node, rank);
  const verifier = new BandVerifier(sketch, len, threshold, maxCompare);
  const distinct = new Set<number>();
  let buckets = 0;
  let compared = 0;
  for (let g = 0; g < groups; g++) {
    const s = start[g];
    const e = start[g + 1];
    if (e - s < 2) continue;
    bestFirst(member, s, e, rank, node);
    // distinct nodes, best first (a node listed twice keeps its first, best, entry): member[s, s + m)
    let m = 0;
    if (e - s <= 8) {
      for (let t = s; t < e; t++) {
        let seen = false;
        for (let u = s; u < s + m && !seen; u++) seen = node[member[u]] === node[member[t]];
        if (!seen) member[s + m++] = member[t];
      }
    } else {
      distinct.clear();
      for (let t = s; t < e; t++) {
        if (distinct.has(node[member[t]])) continue;
        distinct.add(node[member[t]]);
        member[s + m++] = member[t];
      }
    }
    if (m < 2) continue;
    buckets++;
    if (kind[member[s]] === 0) for (let t = 1; t < m; t++) out.add(member[s], member[s + t], 0);
    else compared += verifier.bucket(member, s, m, out);
  }
  return { edges: out.finish(), buckets, compared };
}

/**
 * Sorts list[s, e) best first: rank desc, node asc, then entry (an insertion sort when short).
 */
function bestFirst(list: Uint32Array, s: number, e: number, rank: Float64Array, node: Uint32Array): void {
  if (e - s > 16) {
    list.subarray(s, e).sort((x, y) => rank[y] - rank[x] || node[x] - node[y] || x - y);
    return;
  }
  for (let t = s + 1; t < e; t++) {
    const x = list[t];
    const rx = rank[x];
    let u = t - 1;
    for (; u >= s; u--) {
      const y = list[u];
      if (!(rx > rank[y] || (rx === rank[y] && (node[x] < node[y] || (node[x] === node[y] && x < y))))) break;
      list[u + 1] = y;
    }
    list[u + 1] = x;
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
