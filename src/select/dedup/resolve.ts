import { decodeColumns, encodeColumns } from './entries.ts';
import { descendingKeys, radixOrder } from './radix.ts';
import type { Edges } from './reduce.ts';

export const DUP_REASONS = ['duplicate', 'near_duplicate'] as const;
export type DupReason = (typeof DUP_REASONS)[number];

export interface Losers {
  count: number;
  /** Ascending. */
  node: Uint32Array;
  /** The survivor: the kept record of the loser's final (near) group, never itself a loser. */
  keep: Uint32Array;
  /** Index into DUP_REASONS: 0 when the loser is not its exact group's best, else 1. */
  reason: Uint8Array;
}

/** Disjoint sets over 0..n-1 with path halving and union by size. */
class UnionFind {
  parent: Int32Array;
  size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }

  union(x: number, y: number): void {
    let rx = this.find(x);
    let ry = this.find(y);
    if (rx === ry) return;
    if (this.size[rx] < this.size[ry]) [rx, ry] = [ry, rx];
    this.parent[ry] = rx;
    this.size[rx] += this.size[ry];
  }
}

/** For every element, the best member of its set among `eligible` ones: rank desc, then index (= node) asc. */
function bestOf(uf: UnionFind, rank: Float64Array, eligible: (i: number) => boolean): Int32Array {
  const n = rank.length;
  const best = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (!eligible(i)) continue;
    const r = uf.find(i);
    if (best[r] < 0 || rank[i] > rank[best[r]]) best[r] = i;
  }
  return best;
}

/**
 * node -> its place in `ids` (ascending, distinct): a table when the nodes are dense enough (a quarter
 * of the range or more, as in a dedup with many duplicates: 4 bytes per node of the range), else a
 * binary search.
 */
function denseIndex(ids: Uint32Array): (v: number) => number {
  const m = ids.length;
  const range = m ? ids[m - 1] + 1 : 0;
  if (range <= 4 * m + 1024) {
    const table = new Int32Array(range);
    for (let i = 0; i < m; i++) table[ids[i]] = i;
    return (v) => table[v];
  }
  return (v) => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * Two levels. Exact edges: union-find -> exact groups; survivor = best (rank desc, node asc); others
 * `duplicate`. Near edges: endpoints mapped to their exact-group survivors, then a greedy pass in rank
 * order (see `nearKeepers`): a survivor near an already kept one is `near_duplicate`. Every loser's
 * `keep` is the kept record its group answers to. Order-independent: the same edge sets in any order give
 * the same Losers (a node's rank is the largest any edge gives it).
 */
export function resolveDuplicates(edgeSets: readonly Edges[]): Losers {
  let total = 0;
  for (const e of edgeSets) total += e.count;
  const ends = new Uint32Array(2 * total);
  let at = 0;
  for (const e of edgeSets) {
    ends.set(e.a.subarray(0, e.count), at);
    ends.set(e.b.subarray(0, e.count), at + e.count);
    at += 2 * e.count;
  }
  ends.sort();
  let m = 0;
  for (let i = 0; i < ends.length; i++) if (i === 0 || ends[i] !== ends[i - 1]) ends[m++] = ends[i];
  const ids = ends.slice(0, m); // dense index -> node, ascending
  const index = denseIndex(ids);
  const rank = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  const exact = new UnionFind(m);
  let nearCount = 0;
  for (const e of edgeSets) for (let i = 0; i < e.count; i++) if (e.kind[i] !== 0) nearCount++;
  // A typed array: tens of millions of endpoints would overflow a JS array.
  const near = new Int32Array(2 * nearCount);
  let nearAt = 0;
  for (const e of edgeSets) {
    for (let i = 0; i < e.count; i++) {
      const x = index(e.a[i]);
      const y = index(e.b[i]);
      if (e.rankA[i] > rank[x]) rank[x] = e.rankA[i];
      if (e.rankB[i] > rank[y]) rank[y] = e.rankB[i];
      if (e.kind[i] === 0) exact.union(x, y);
      else {
        near[nearAt++] = x;
        near[nearAt++] = y;
      }
    }
  }
  const best1 = bestOf(exact, rank, () => true);
  const survivor1 = new Int32Array(m);
  for (let i = 0; i < m; i++) survivor1[i] = best1[exact.find(i)];
  const keeper = nearKeepers(m, rank, survivor1, near);

  const node: number[] = [];
  const keep: number[] = [];
  const reason: number[] = [];
  for (let i = 0; i < m; i++) {
    const s1 = survivor1[i];
    const final = keeper[s1] >= 0 ? keeper[s1] : s1;
    if (final === i) continue;
    node.push(ids[i]);
    keep.push(ids[final]);
    reason.push(s1 === i ? 1 : 0);
  }
  return {
    count: node.length,
    node: Uint32Array.from(node),
    keep: Uint32Array.from(keep),
    reason: Uint8Array.from(reason),
  };
}

/**
 * The near level, without chaining: exact-group survivors in (rank desc, index asc) order; each is kept
 * unless a near edge joins it to one already kept, and then it loses to the best such one. So every
 * `near_duplicate` is itself similar to the record it names, however the similar records chain (a
 * union-find would merge a long chain of templated records into one group and keep one of them).
 * Returns, per index, the kept record it lost to, or -1.
 */
function nearKeepers(m: number, rank: Float64Array, survivor1: Int32Array, near: Int32Array): Int32Array {
  const degree = new Int32Array(m + 1);
  const pairs = new Int32Array(near.length);
  let np = 0;
  for (let k = 0; k < near.length; k += 2) {
    const x = survivor1[near[k]];
    const y = survivor1[near[k + 1]];
    if (x === y) continue;
    pairs[np++] = x;
    pairs[np++] = y;
    degree[x + 1]++;
    degree[y + 1]++;
  }
  for (let i = 0; i < m; i++) degree[i + 1] += degree[i];
  const adj = new Int32Array(np);
  const fill = degree.slice(0, m);
  for (let k = 0; k < np; k += 2) {
    adj[fill[pairs[k]]++] = pairs[k + 1];
    adj[fill[pairs[k + 1]]++] = pairs[k];
  }
  // Survivors by rank desc, then index asc (radixOrder keeps ties in the order given: ascending).
  let survivors = 0;
  for (let i = 0; i < m; i++) if (survivor1[i] === i) survivors++;
  const ids = new Uint32Array(survivors);
  for (let i = 0, t = 0; i < m; i++) if (survivor1[i] === i) ids[t++] = i;
  const order = radixOrder(survivors, descendingKeys(rank, ids)).map((t) => ids[t]);
  const kept = new Uint8Array(m);
  const keeper = new Int32Array(m).fill(-1);
  for (const x of order) {
    let best = -1;
    for (let e = degree[x]; e < degree[x + 1]; e++) {
      const y = adj[e];
      if (kept[y] && (best < 0 || rank[y] > rank[best] || (rank[y] === rank[best] && y < best))) best = y;
    }
    if (best < 0) kept[x] = 1;
    else keeper[x] = best;
  }
  return keeper;
}

const LOSERS = 'WDDL';

/** 'WDDL' file: node u32, keep u32, reason u8. */
export function encodeLosers(l: Losers): Uint8Array {
  const n = l.count;
  return encodeColumns(LOSERS, n, 0, [l.node.subarray(0, n), l.keep.subarray(0, n), l.reason.subarray(0, n)]);
}

export function decodeLosers(bytes: Uint8Array): Losers {
  const { count, columns } = decodeColumns(bytes, LOSERS, 'dedup losers file', (n) => [
    ['u32', n],
    ['u32', n],
    ['u8', n],
  ]);
  const [node, keep, reason] = columns;
  for (let i = 0; i < count; i++) {
    if (reason[i] >= DUP_REASONS.length)
      throw new RangeError(`dedup losers: loser ${i} has reason ${reason[i]} (expected 0 or 1)`);
    if (i > 0 && node[i] <= node[i - 1])
      throw new RangeError(`dedup losers: nodes are not ascending at ${i}`);
  }
  return { count, node: node as Uint32Array, keep: keep as Uint32Array, reason: reason as Uint8Array };
}

/** The losers with from <= node < to (binary search), for one shard; the arrays view `l`'s. */
export function losersInRange(l: Losers, from: number, to: number): Losers {
  const lower = (v: number) => {
    let lo = 0;
    let hi = l.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l.node[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const s = lower(from);
  const e = Math.max(s, lower(to));
  return {
    count: e - s,
    node: l.node.subarray(s, e),
    keep: l.keep.subarray(s, e),
    reason: l.reason.subarray(s, e),
  };
}
