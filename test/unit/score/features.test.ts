import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeTables,
  encodeTables,
  fieldTexts,
  fmix32,
  hashedNgrams,
  hashString,
  ngramHashes,
  quantile,
  robustScale,
  sparseCounts,
  squash,
  wordHashes,
} from '../../../src/score/features/index.ts';
import { words } from '../../../src/score/words.ts';
import { dataFile } from '../../support/data.ts';

describe('hashing', () => {
  it('is FNV-1a then murmur3 fmix32 (published test vectors)', () => {
    // murmur3_32("", seed) = fmix32(seed): 1 → 0x514e28b7, 0xffffffff → 0x81f16f39.
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
    // FNV-1a 32: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(hashString('')).toBe(fmix32(0x811c9dc5));
    expect(hashString('a')).toBe(fmix32(0xe40c292c));
    expect(hashString('foobar')).toBe(fmix32(0xbf9cf968));
    expect(hashString('a', 1)).not.toBe(hashString('a'));
  });

  it('wordHashes equals words() hashed, on real data and awkward Unicode', () => {
    const texts = [
      'İstanbul ǅemal ΣΑΣ abc中文かなカナ한국어 x\u0301y 😀a𠀀b 𝐀𝐁 \ud800x ١٢٣ नमस्ते',
      '',
      ' ... ',
    ];
    for (const f of ['alpaca-random-9k.json', 'dolly-3k.json']) {
      const rows = JSON.parse(readFileSync(dataFile(f), 'utf8')) as {
        instruction: string;
        output: string;
      }[];
      for (const r of rows.slice(0, 1500)) texts.push(r.instruction, r.output);
    }
    for (const t of texts) {
      expect(Array.from(wordHashes(t, 7))).toEqual(words(t).map((w) => hashString(w, 7)));
    }
  });

  it('spreads real bigrams evenly over buckets (chi-square per degree of freedom ≈ 1)', () => {
    const rows = JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as {
      output: string;
    }[];
    const B = 256;
    const seen = new Set<string>();
    const counts = new Float64Array(B);
    for (const r of rows.slice(0, 3000)) {
      const w = words(r.output);
      for (let i = 0; i + 1 < w.length; i++) {
        const g = `${w[i]} ${w[i + 1]}`;
        if (seen.has(g)) continue;
        seen.add(g);
        counts[hashedNgrams([w[i], w[i + 1]], { buckets: B, orders: [2] })[0]]++;
      }
    }
    const e = seen.size / B;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2 / (B - 1)).toBeLessThan(1.3);
  });
});

describe('ngramHashes / hashedNgrams / sparseCounts', () => {
  const toks = ['the', 'cat', 'sat', 'the', 'cat'];

  it('emits one hash per n-gram occurrence, order-sensitive, also from word hashes', () => {
    const h = ngramHashes(toks, { orders: [1, 2, 3] });
    expect(h.length).toBe(5 + 4 + 3);
    expect(h[0]).toBe(h[3]); // "the" twice
    expect(h[5]).toBe(h[8]); // "the cat" twice
    expect(h[5]).not.toBe(ngramHashes(['cat', 'the'], { orders: [2] })[0]);
    expect(
      ngramHashes(
        Uint32Array.from(toks, (w) => hashString(w)),
        { orders: [1, 2, 3] },
      ),
    ).toEqual(h);
    expect(ngramHashes(toks, { seed: 3 })).not.toEqual(ngramHashes(toks));
    expect(ngramHashes(['ab'], { orders: [], charOrders: [2, 3] }).length).toBe(3 + 2); // <a ab b> / <ab ab>
    expect(() => ngramHashes(new Uint32Array(2), { charOrders: [3] })).toThrow(TypeError);
    expect(() => ngramHashes(toks, { orders: [0] })).toThrow('orders must hold integers ≥ 1, got 0');
    expect(ngramHashes([], {}).length).toBe(0);
  });

  it('maps into any bucket count', () => {
    const b = hashedNgrams(toks, { buckets: 10 });
    expect(b.length).toBe(9);
    expect(b.every((x) => x < 10)).toBe(true);
    expect(b).toEqual(ngramHashes(toks).map((x) => x % 10));
    expect(() => hashedNgrams(toks, { buckets: 0 })).toThrow(
      'buckets must be an integer in [1, 2^31], got 0',
    );
  });

  it('counts per bucket, sorted; signed counts can cancel', () => {
    const h = ngramHashes(toks);
    const v = sparseCounts(h, { buckets: 1 << 20 });
    const byBucket = new Map<number, number>();
    for (const x of h) byBucket.set(x % (1 << 20), (byBucket.get(x % (1 << 20)) ?? 0) + 1);
    expect(Array.from(v.index)).toEqual([...byBucket.keys()].sort((a, b) => a - b));
    expect(Array.from(v.value)).toEqual(Array.from(v.index, (i) => byBucket.get(i)));
    const one = sparseCounts(h, { buckets: 1 });
    expect([one.index[0], one.value[0]]).toEqual([0, 9]);
    const signed = sparseCounts(h, { buckets: 1, signed: true });
    expect(signed.value.length === 0 || Math.abs(signed.value[0]) < 9).toBe(true);
  });
});

describe('model bytes', () => {
  const tables = {
    a: Float64Array.of(1.5, -Infinity, 3),
    b: Uint32Array.of(7, 0xffffffff),
    c: Float32Array.of(0.1),
    d: new Uint8Array(0),
    e: Int32Array.of(-1),
  };

  it('round-trips tables and meta, from aligned or unaligned bytes', () => {
    const bytes = encodeTables('test', { x: 1, s: 'é', l: [1, 2] }, tables);
    expect(bytes.length % 8).toBe(0);
    expect(decodeTables(bytes, 'test')).toEqual({ meta: { x: 1, s: 'é', l: [1, 2] }, arrays: tables });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeTables(shifted.subarray(3), 'test').arrays).toEqual(tables);
  });

  it('rejects other bytes clearly', () => {
    const bytes = encodeTables('test', {}, tables);
    expect(() => decodeTables(new Uint8Array(4), 'test')).toThrow('not a test model: bad magic bytes');
    expect(() => decodeTables(bytes, 'other')).toThrow('not a other model: it is a test model');
    expect(() => decodeTables(bytes.subarray(0, bytes.length - 16), 'test')).toThrow(/truncated/);
  });
});

describe('robust scale and field texts', () => {
  it('uses type-7 quantiles and maps the quartiles to 0.25 / 0.75', () => {
    const sorted = Float64Array.of(1, 2, 3, 4, 10);
    expect([0, 0.25, 0.5, 1].map((q) => quantile(sorted, q))).toEqual([1, 2, 3, 10]);
    expect(quantile(sorted, 0.9)).toBeCloseTo(7.6, 14); // numpy.quantile([1, 2, 3, 4, 10], 0.9)
    const s = robustScale([10, 4, 3, Number.NaN, 2, 1]);
    expect(s.median).toBe(3);
    expect(s.scale).toBeCloseTo(2 / (2 * Math.log(3)), 15);
    expect(squash(4, s)).toBeCloseTo(0.75, 15);
    expect(squash(2, s)).toBeCloseTo(0.25, 15);
    expect(robustScale([])).toEqual({ median: 0, scale: 1 });
    expect(robustScale([5, 5]).scale).toBe(1e-3);
  });

  it('picks the answer, the instruction or both', () => {
    const turns = [
      { role: 'system' as const, content: 'sys' },
      { role: 'user' as const, content: 'q1' },
      { role: 'assistant' as const, content: 'a1' },
      { role: 'user' as const, content: 'q2' },
      { role: 'assistant' as const, content: 'a2' },
    ];
    expect(fieldTexts(turns, 'answer')).toEqual(['a1\n\na2']);
    expect(fieldTexts(turns, 'instruction')).toEqual(['q1\n\nq2']);
    expect(fieldTexts(turns, 'both')).toEqual(['q1\n\nq2', 'a1\n\na2']);
  });
});
