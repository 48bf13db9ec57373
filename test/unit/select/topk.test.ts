import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import {
  BINS,
  type Cut,
  decide,
  EXACT_KEYS,
  firstRound,
  MAX_ROUNDS,
  mergeSummaries,
  type RoundSpec,
  type ShardSummary,
  selectMask,
  summarize,
  topkLocal,
} from '../../../src/select/index.ts';

/** Brute force: sort by value desc, then global position asc; take k. Returns "shard:index" keys. */
function reference(shards: Float64Array[], k: number): Set<string> {
  return bruteForce(shards)(k);
}

/**
 * The brute-force order of every value, sorted once: the reference top k for any k is a prefix of it
 * (the same sets as `reference`, without sorting again for each k).
 */
function bruteForce(shards: Float64Array[]): (k: number) => Set<string> {
  const all: { v: number; s: number; i: number }[] = [];
  shards.forEach((vals, s) => {
    vals.forEach((v, i) => {
      all.push({ v, s, i });
    });
  });
  all.sort((a, b) => b.v - a.v || a.s - b.s || a.i - b.i);
  const keys = all.map((e) => `${e.s}:${e.i}`);
  return (k) => new Set(keys.slice(0, Math.max(0, k)));
}

function picked(shards: Float64Array[], masks: Uint8Array[]): Set<string> {
  const out = new Set<string>();
  masks.forEach((m, s) => {
    expect(m.length).toBe(shards[s].length);
    m.forEach((x, i) => {
      if (x) out.add(`${s}:${i}`);
    });
  });
  return out;
}

/** The coordinator loop, with every message JSON round-tripped as it would be on the wire. */
function coordinate(
  shards: Float64Array[],
  k: number,
): { masks: Uint8Array[]; rounds: number; maxBytes: number } {
  const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x));
  const plan = { k, total: shards.reduce((n, s) => n + s.length, 0) };
  let step = firstRound(plan);
  let rounds = 0;
  let maxBytes = 0;
  while (step.kind === 'next') {
    const spec: RoundSpec = wire(step.spec);
    const perShard: ShardSummary[] = shards.map((vals) => {
      const json = JSON.stringify(summarize(vals, spec));
      maxBytes = Math.max(maxBytes, json.length);
      return JSON.parse(json);
    });
    let merged = perShard[0];
    for (let s = 1; s < perShard.length; s++) merged = mergeSummaries(merged, perShard[s]);
    rounds++;
    step = decide(plan, spec, merged, perShard);
  }
  const cut: Cut = wire(step.cut);
  return { masks: shards.map((vals, s) => selectMask(vals, cut, s)), rounds, maxBytes };
}

type Dist = (rand: () => number, i: number) => number;
const DISTS: Record<string, Dist> = {
  uniform: (r) => r(),
  ties: (r) => [0, 0.25, 0.5, 1][Math.floor(r() * 4)],
  identical: () => 0.7,
  ulps: (r) => 0.5 + Math.floor(r() * 8) * Number.EPSILON,
  ulpRun: (_r, i) => 0.5 + (i % 97) * Number.EPSILON,
  tinyBin: (r) => 0.3 + r() * 1e-6,
  tinyBinTies: (r) => 0.3 + Math.floor(r() * 5) * 1e-9,
  exponential: (r) => 2 ** -(r() * 1074),
  mixed: (r) => (r() < 0.5 ? r() : [0, 1, 0.5][Math.floor(r() * 3)]),
};

describe('top-k by histogram rounds', () => {
  for (const [name, dist] of Object.entries(DISTS)) {
    it(`matches brute force: ${name}`, () => {
      const rand = mulberry32(name.length * 7919 + 17);
      for (let trial = 0; trial < 25; trial++) {
        const nShards = 1 + Math.floor(rand() * 40);
        let idx = 0;
        const shards = Array.from({ length: nShards }, () => {
          const size = rand() < 0.15 ? 0 : Math.floor(rand() * 501);
          return Float64Array.from({ length: size }, () => dist(rand, idx++));
        });
        const total = idx;
        const ks = [
          0,
          1,
          total,
          total - 1,
          Math.floor(rand() * (total + 1)),
          Math.floor(rand() * (total + 1)),
        ];
        const referenceTop = bruteForce(shards);
        for (const k of ks) {
          const { masks, rounds } = coordinate(shards, k);
          expect(rounds).toBeLessThanOrEqual(MAX_ROUNDS);
          const got = picked(shards, masks);
          expect(got.size).toBe(Math.max(0, Math.min(k, total)));
          expect(got).toEqual(referenceTop(k));
        }
      }
    });
  }

  it('handles k < 0, k > total, no shards and all-empty shards without rounds', () => {
    expect(firstRound({ k: -3, total: 10 })).toMatchObject({ kind: 'done' });
    expect(topkLocal([], 5)).toMatchObject({ rounds: 0, masks: [] });
    const r = topkLocal([new Float64Array(0), new Float64Array(0)], 1);
    expect(r.rounds).toBe(0);
    const some = topkLocal([Float64Array.of(0.2, 0.9)], 99);
    expect([...some.masks[0]]).toEqual([1, 1]);
    expect(topkLocal([Float64Array.of(0, 0.5)], 0).masks[0]).toEqual(Uint8Array.of(0, 0));
  });

  it('splits a tied threshold across shards in shard order, earliest first', () => {
    const shards = [Float64Array.of(0.5, 0.9, 0.5), Float64Array.of(0.5, 0.1), Float64Array.of(0.5, 0.5)];
    const r = topkLocal(shards, 4);
    expect(r.cut).toEqual({ threshold: 0.5, strict: true, tieQuota: [2, 1, 0] });
    expect(r.masks.map((m) => [...m])).toEqual([
      [1, 1, 1],
      [1, 0],
      [0, 0],
    ]);
    expect(r.rounds).toBe(2);
  });

  it('finishes in one round when a bin boundary gives exactly k', () => {
    const r = topkLocal([Float64Array.of(0.1, 0.9), Float64Array.of(0.8, 0.2)], 2);
    expect(r.rounds).toBe(1);
    expect(r.cut).toEqual({ threshold: 0.8, strict: false, tieQuota: null });
  });

  it('stays within MAX_ROUNDS on an adversarial spread built to defeat every histogram round', () => {
    // Build x1 > x2 > ... so each round's chosen bin holds many zeros plus the next x at its top edge:
    // the window keeps the widest span a round allows, the worst case the bound in topk.ts covers.
    const view = new DataView(new ArrayBuffer(8));
    const fromOrdinal = (o: bigint): number => {
      view.setBigUint64(0, o);
      return view.getFloat64(0);
    };
    const toOrdinal = (v: number): bigint => {
      view.setFloat64(0, v);
      return view.getBigUint64(0);
    };
    const binOf = (v: number, spec: RoundSpec): number => {
      const s = summarize(Float64Array.of(v), spec);
      return s.kind === 'hist' ? s.bins[0][0] : -1;
    };
    const xs: number[] = [];
    let spec: RoundSpec = { kind: 'hist', by: 'value', lo: 0, hi: 1, above: 0, round: 0 };
    for (let round = 0; round < MAX_ROUNDS - 1; round++) {
      let lo = 0n; // largest ordinal still in bin 0 of this round's window
      let hi = toOrdinal(spec.hi);
      while (lo < hi) {
        const mid = (lo + hi + 1n) / 2n;
        if (binOf(fromOrdinal(mid), spec) === 0) lo = mid;
        else hi = mid - 1n;
      }
      const x = fromOrdinal(lo);
      xs.push(x);
      spec = { kind: 'hist', by: 'ordinal', lo: 0, hi: x, above: 0, round: round + 1 };
    }
    const values = Float64Array.from([1, ...xs, ...new Array(20_000).fill(0)]);
    const k = 1 + xs.length + 100; // the cut falls among the zeros
    const shards = [values.slice(0, 3), values.slice(3, 10_000), values.slice(10_000)];
    const { masks, rounds } = coordinate(shards, k);
    expect(rounds).toBe(MAX_ROUNDS);
    expect(picked(shards, masks)).toEqual(reference(shards, k));
    expect(Number(toOrdinal(xs[4]))).toBeLessThan(EXACT_KEYS); // the last window is tiny by then
  });

  it('keeps summaries small for 5,000 values per shard', () => {
    const rand = mulberry32(42);
    for (const dist of [DISTS.uniform, DISTS.tinyBin, DISTS.exponential]) {
      const shards = Array.from({ length: 8 }, () =>
        Float64Array.from({ length: 5000 }, () => dist(rand, 0)),
      );
      const { maxBytes, rounds } = coordinate(shards, 12_345);
      expect(rounds).toBeLessThanOrEqual(3);
      expect(maxBytes).toBeLessThan(200_000); // ≤ ~40 bytes per value, and never more than BINS entries
    }
    const dense = Float64Array.from({ length: 200_000 }, (_, i) => (i + rand()) / 200_000); // every bin hit
    const json = JSON.stringify(
      summarize(dense, { kind: 'hist', by: 'value', lo: 0, hi: 1, above: 0, round: 0 }),
    );
    expect(json.length).toBeLessThan(1_000_000);
    expect(JSON.parse(json).bins.length).toBe(BINS);
  });

  it('rejects values outside [0, 1] and mismatched rounds; skips -1 (no candidate)', () => {
    const spec: RoundSpec = { kind: 'hist', by: 'value', lo: 0, hi: 1, above: 0, round: 0 };
    expect(() => summarize(Float64Array.of(0.2, Number.NaN), spec)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: rank values must be numbers in [0, 1] (or -1: no candidate); value 1 is NaN]`,
    );
    expect(() => summarize(Float64Array.of(-0.5), spec)).toThrow('value 0 is -0.5');
    expect(summarize(Float64Array.of(-1, 0.5, -1), spec)).toEqual(summarize(Float64Array.of(0.5), spec));
    const ties: RoundSpec = { kind: 'ties', lo: 0, hi: 1, above: 0, round: 1 } as RoundSpec;
    expect(summarize(Float64Array.of(-1, 0.5), ties)).toEqual(summarize(Float64Array.of(0.5), ties));
    const a = summarize(Float64Array.of(0.5), spec);
    const b = summarize(Float64Array.of(0.5), { ...spec, round: 1 });
    expect(() => mergeSummaries(a, b)).toThrow(/cannot merge/);
    expect(() => decide({ k: 1, total: 1 }, { ...spec, round: 1 }, a)).toThrow(/round 0/);
  });
});
