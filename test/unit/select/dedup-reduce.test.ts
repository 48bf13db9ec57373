/*
 * reducePartition against the straightforward version it replaced (a comparator sort by key, one
 * Set per bucket, estimateJaccard on subarrays, kept below as `sortedReduce`): the same edges, ranks,
 * buckets and comparisons on random partitions full of shared keys, repeated nodes, identical and
 * near-identical sketches, in several files, for sketch lengths that are and are not whole words.
 */
import { describe, expect, it } from 'vitest';
import { BandVerifier } from '../../../src/select/dedup/band-verify.ts';
import { EdgeList } from '../../../src/select/dedup/edge-list.ts';
import {
  type Edges,
  type Entries,
  estimateJaccard,
  reducePartition,
} from '../../../src/select/dedup/index.ts';
import { keyGroups } from '../../../src/select/dedup/key-groups.ts';

const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** The previous reducePartition, verbatim in substance. */
function sortedReduce(files: readonly Entries[], threshold: number, maxCompare = 32) {
  const n = files.reduce((a, f) => a + f.count, 0);
  const len = files.find((f) => f.count > 0)?.sketchLen ?? 0;
  const cat = <T extends Uint32Array | Uint8Array | Float64Array>(
    pick: (f: Entries) => T,
    make: (n: number) => T,
    w = 1,
  ) => {
    const out = make(n * w);
    let at = 0;
    for (const f of files) {
      out.set(pick(f).subarray(0, f.count * w), at * w);
      at += f.count;
    }
    return out;
  };
  const keyHi = cat(
    (f) => f.keyHi,
    (k) => new Uint32Array(k),
  );
  const keyLo = cat(
    (f) => f.keyLo,
    (k) => new Uint32Array(k),
  );
  const kind = cat(
    (f) => f.kind,
    (k) => new Uint8Array(k),
  );
  const node = cat(
    (f) => f.node,
    (k) => new Uint32Array(k),
  );
  const rank = cat(
    (f) => f.rank,
    (k) => new Float64Array(k),
  );
  const sketch = cat(
    (f) => f.sketch,
    (k) => new Uint8Array(k),
    len,
  );
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) =>
      kind[x] - kind[y] ||
      keyHi[x] - keyHi[y] ||
      keyLo[x] - keyLo[y] ||
      rank[y] - rank[x] ||
      node[x] - node[y] ||
      x - y,
  );
  const edges: [number, number, number, number, number][] = [];
  const add = (x: number, y: number, k: number) => {
    if (node[x] === node[y]) return;
    const [lo, hi] = node[x] < node[y] ? [x, y] : [y, x];
    edges.push([node[lo], node[hi], k, rank[lo], rank[hi]]);
  };
  const sk = (i: number) => sketch.subarray(i * len, i * len + len);
  const eq = (x: Uint8Array, y: Uint8Array) => x.every((v, i) => v === y[i]);
  let buckets = 0;
  let compared = 0;
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
    const seen = new Set<number>();
    const members = order.slice(s, e).filter((i) => !seen.has(node[i]) && seen.add(node[i]));
    s = e;
    if (members.length < 2) continue;
    buckets++;
    if (kind[o] === 0) {
      for (let m = 1; m < members.length; m++) add(members[0], members[m], 0);
      continue;
    }
    const reps: number[] = [];
    for (const m of members) {
      const same = reps.find((r) => eq(sk(r), sk(m)));
      if (same !== undefined) {
        add(same, m, 1);
        continue;
      }
      let found = 0;
      for (let r = 0; r < reps.length && r < maxCompare && found < 2; r++) {
        compared++;
        if (estimateJaccard(sk(reps[r]), sk(m)) >= threshold) {
          add(reps[r], m, 1);
          found++;
        }
      }
      reps.push(m);
    }
  }
  edges.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
  const unique = edges.filter(
    (e, i) => i === 0 || e[0] !== edges[i - 1][0] || e[1] !== edges[i - 1][1] || e[2] !== edges[i - 1][2],
  );
  return { edges: unique, buckets, compared };
}

const rows = (e: Edges) =>
  Array.from({ length: e.count }, (_, i) => [e.a[i], e.b[i], e.kind[i], e.rankA[i], e.rankB[i]]);

/** Random files: few keys (big buckets), nodes with fixed ranks, sketches copied and mutated from a few bases. */
function randomFiles(seed: number, len: number, size: number): Entries[] {
  const rand = prng(seed);
  const bases = Array.from({ length: 6 }, () =>
    Uint8Array.from({ length: len }, () => Math.floor(rand() * 256)),
  );
  const rankOf = (node: number) => Math.floor(((node * 7919) % 97) / 3) / 32; // many ties
  return Array.from({ length: 3 }, (_, fi) => {
    const n = fi === 1 ? 0 : size;
    const f: Entries = {
      count: n,
      sketchLen: len,
      keyHi: new Uint32Array(n),
      keyLo: new Uint32Array(n),
      kind: new Uint8Array(n),
      node: new Uint32Array(n),
      rank: new Float64Array(n),
      sketch: new Uint8Array(n * len),
    };
    for (let i = 0; i < n; i++) {
      const key = Math.floor(rand() ** 2 * 40); // skewed: some buckets hold dozens
      f.keyHi[i] = key % 3;
      f.keyLo[i] = key;
      f.kind[i] = rand() < 0.2 ? 0 : 1;
      f.node[i] = Math.floor(rand() * (size * 1.5)); // some nodes twice
      f.rank[i] = rankOf(f.node[i]);
      const sk = bases[Math.floor(rand() * bases.length)].slice();
      const edits = rand() < 0.3 ? 0 : Math.floor(rand() * len);
      for (let k = 0; k < edits; k++) sk[Math.floor(rand() * len)] = Math.floor(rand() * 256);
      f.sketch.set(sk, i * len);
    }
    return f;
  });
}

describe('reducePartition against the sort-based version', () => {
  for (const [len, threshold, maxCompare] of [
    [32, 0.6, 32],
    [32, 0.3, 4],
    [7, 0.5, 32],
    [1, 0.9, 3],
  ] as const) {
    it(`gives the same edges, buckets and comparisons (sketch ${len}, threshold ${threshold}, maxCompare ${maxCompare})`, () => {
      for (let seed = 1; seed <= 4; seed++) {
        const files = randomFiles(seed, len, 400);
        const want = sortedReduce(files, threshold, maxCompare);
        const got = reducePartition(files, { threshold, maxCompare });
        expect(want.edges.length).toBeGreaterThan(50); // non-degenerate
        expect(want.compared).toBeGreaterThan(50);
        expect(rows(got.edges)).toEqual(want.edges);
        expect(got.buckets).toBe(want.buckets);
        expect(got.compared).toBe(want.compared);
      }
    });
  }
});

describe('keyGroups', () => {
  it('groups equal (kind, hi, lo) keys in entry order, numbered by first appearance', () => {
    const kind = Uint8Array.from([1, 1, 0, 1, 1, 1]);
    const hi = Uint32Array.from([5, 5, 5, 6, 5, 5]);
    const lo = Uint32Array.from([9, 8, 9, 9, 9, 8]);
    const g = keyGroups(kind, hi, lo, 6);
    const groups = Array.from({ length: g.count }, (_, k) =>
      Array.from(g.member.subarray(g.start[k], g.start[k + 1])),
    );
    expect(groups).toEqual([[0, 4], [1, 5], [2], [3]]);
    expect(keyGroups(new Uint8Array(0), new Uint32Array(0), new Uint32Array(0), 0).count).toBe(0);
  });
});

describe('BandVerifier', () => {
  it('counts agreeing bytes as a byte loop does, a word at a time', () => {
    const rand = prng(9);
    for (const len of [32, 12, 5]) {
      const sketch = Uint8Array.from({ length: 50 * len }, () => Math.floor(rand() * 4)); // many equal bytes
      const v = new BandVerifier(sketch, len, 0.5, 32);
      for (let x = 0; x < 50; x++)
        for (let y = 0; y < 50; y += 7) {
          let m = 0;
          for (let i = 0; i < len; i++) if (sketch[x * len + i] === sketch[y * len + i]) m++;
          expect(v.matches(x, y)).toBe(m);
        }
    }
  });

  it('matches exactly where estimateJaccard reaches the threshold', () => {
    const len = 32;
    const base = Uint8Array.from({ length: len }, (_, i) => i);
    // entry k agrees with entry 0 in 32 - k bytes
    const sketch = new Uint8Array(33 * len);
    for (let k = 0; k <= 32; k++) {
      const s = base.slice();
      for (let i = 0; i < k; i++) s[i] = 200 + k;
      sketch.set(s, k * len);
    }
    for (const threshold of [0, 0.3, 0.6, 0.61, 0.9, 1]) {
      const node = Uint32Array.from({ length: 33 }, (_, i) => i);
      const out = new EdgeList(node, new Float64Array(33));
      const v = new BandVerifier(sketch, len, threshold, 1);
      // every entry after the first is compared with entry 0 only (maxCompare 1)
      expect(v.bucket(node, 0, 33, out)).toBe(32);
      const e = out.finish();
      const got = Array.from(e.b);
      expect(Array.from(e.a).every((a) => a === 0)).toBe(true);
      const want: number[] = [];
      for (let k = 1; k <= 32; k++)
        if (estimateJaccard(sketch.subarray(0, len), sketch.subarray(k * len, k * len + len)) >= threshold)
          want.push(k);
      expect(got).toEqual(want);
    }
  });
});
