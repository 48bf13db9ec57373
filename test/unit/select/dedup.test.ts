import { describe, expect, it } from 'vitest';
import {
  DUP_REASONS,
  decodeEdges,
  decodeEntries,
  decodeLosers,
  dedupColumns,
  dedupText,
  type Edges,
  type Entries,
  encodeEdges,
  encodeLosers,
  estimateJaccard,
  exactNormal,
  hash64,
  hash64Codes,
  losersInRange,
  MINHASH_DEFAULTS,
  minhashCodes,
  minhashInto,
  minhashSignature,
  nearNormal,
  normalCodes,
  packedIndexLength,
  packedSpan,
  packPartitions,
  partitionColumns,
  partitionEntries,
  reducePartition,
  resolveDuplicates,
} from '../../../src/select/dedup/index.ts';

/** mulberry32 */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const shingles = (t: string, w = 5) => {
  const s = new Set<string>();
  if (t.length < w) s.add(t);
  for (let i = 0; i + w <= t.length; i++) s.add(t.slice(i, i + w));
  return s;
};
const jaccard = (a: Set<string>, b: Set<string>) => {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
};

/** Pairs of word texts: a base of 30–120 random words and a copy with a fraction f of them replaced. */
function pairs(count: number, seed: number): { a: string; b: string; j: number }[] {
  const rand = prng(seed);
  const vocab = Array.from({ length: 3000 }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 8) }, () =>
      String.fromCharCode(97 + Math.floor(rand() * 26)),
    ).join(''),
  );
  const word = () => vocab[Math.floor(rand() * vocab.length)];
  return Array.from({ length: count }, (_, i) => {
    const base = Array.from({ length: 30 + Math.floor(rand() * 90) }, word);
    const f = (i + 0.5) / count; // an even spread of overlaps
    const copy = base.map((w) => (rand() < f * 0.6 ? word() : w));
    const [a, b] = [base.join(' '), copy.join(' ')];
    return { a, b, j: jaccard(shingles(a), shingles(b)) };
  });
}

describe('normalize', () => {
  it('builds the dedup text from roles and contents', () => {
    expect(
      dedupText([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ]),
    ).toBe('user: Hi\nassistant: Hello');
    expect(dedupText([])).toBe('');
  });

  it('exactNormal folds case, width and whitespace but keeps punctuation', () => {
    expect(exactNormal('  Hello\t\tWORLD\n\n the\u00a0end ')).toBe('hello world the end');
    expect(exactNormal('ＡＢＣ ﬁne')).toBe('abc fine');
    expect(exactNormal('Hello, world!')).not.toBe(exactNormal('Hello world'));
    expect(exactNormal('')).toBe('');
  });

  it('nearNormal also drops punctuation and symbols, keeping letters, marks and numbers', () => {
    expect(nearNormal("Don't  stop—BELIEVING!!  (1984) ")).toBe('don t stop believing 1984');
    expect(nearNormal('Hello, world!')).toBe(nearNormal('hello world'));
    expect(nearNormal('Café 中文 😀 नमस्ते')).toBe('café 中文 नमस्ते');
    expect(nearNormal('?!')).toBe('');
  });

  it('hash64 matches reference values and spreads its bits', () => {
    const hex = (s: string) => hash64(s).map((x) => x.toString(16).padStart(8, '0'));
    expect(hex('')).toEqual(['36f502c6', '5871f83a']);
    expect(hex('a')).toEqual(['d643c565', '8fde3c25']);
    expect(hex('hello world')).toEqual(['10c2fc35', '94f6abd5']);
    expect(hex('user: hi\nassistant: hello')).toEqual(['9ee19021', '70afb7f6']);
    expect(hex('héllo wörld 中文 😀')).toEqual(['1f223229', '09fcad8f']);
    const ones = new Array(64).fill(0);
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const [hi, lo] = hash64(`record ${i}`);
      seen.add(`${hi}:${lo}`);
      for (let b = 0; b < 32; b++) {
        ones[b] += (hi >>> b) & 1;
        ones[32 + b] += (lo >>> b) & 1;
      }
    }
    expect(seen.size).toBe(4000);
    for (const n of ones) expect(Math.abs(n / 4000 - 0.5)).toBeLessThan(0.04);
  });
});

/** hash64(exactNormal(…)) and minhashSignature(nearNormal(…)) of the text below, as the string versions computed them. */
const REF = {
  exact: ['702f637c', 'bb4a8c90'],
  bands: '7c92fd6cbbe37732a202cda194a30b4d',
  sketch: '5304e1ce0c05316a',
};

describe('normalCodes, hash64Codes and minhashCodes (prepare: both texts in one pass)', () => {
  /** Random texts over ASCII, accents and combining marks, CJK, emoji, lone surrogates and many kinds of space. */
  const texts = (count: number, seed: number) => {
    const rand = prng(seed);
    const alphabet = [
      ...'abcXYZ019 ,.;!?-—()\'"\t\n',
      'é',
      'e\u0301',
      'ﬁ',
      'Ａ',
      '中',
      'न',
      'ि',
      '\u00a0',
      '\u3000',
      '\u2028',
      '\ufeff',
      '😀',
      '\ud83d',
      '\ude00',
      '  ',
    ];
    return Array.from({ length: count }, () =>
      Array.from(
        { length: Math.floor(rand() * 60) },
        () => alphabet[Math.floor(rand() * alphabet.length)],
      ).join(''),
    );
  };

  const str = (codes: Uint16Array, n: number) => {
    let out = '';
    for (let i = 0; i < n; i += 4096) out += String.fromCharCode(...codes.subarray(i, Math.min(n, i + 4096)));
    return out;
  };

  it('gives the code units of exactNormal and nearNormal', () => {
    for (const t of [
      ...texts(3000, 5),
      '',
      '  ',
      'a',
      ' ?! x ',
      "Don't  stop—BELIEVING!!  (1984) ",
      'x '.repeat(6000),
    ]) {
      const c = normalCodes(t);
      expect(str(c.exact, c.exactLength)).toBe(exactNormal(t));
      expect(str(c.near, c.nearLength)).toBe(nearNormal(t));
    }
  });

  it('hashes and signs the codes as hash64 and minhashSignature do the strings', () => {
    const p = { bands: 5, rows: 3, sketch: 12, shingle: 3 };
    for (const t of [...texts(1000, 6), '', 'ab', 'x'.repeat(9000)]) {
      const c = normalCodes(t);
      expect(hash64Codes(c.exact, c.exactLength)).toEqual(hash64(exactNormal(t)));
      expect(minhashCodes(c.near, c.nearLength)).toEqual(minhashSignature(nearNormal(t)));
      expect(minhashCodes(c.near, c.nearLength, p)).toEqual(minhashSignature(nearNormal(t), p));
    }
  });

  it('keeps the signatures of earlier versions (reference values)', () => {
    const hex = (a: Uint32Array | Uint8Array, n: number) =>
      Array.from(a.subarray(0, n), (x) => x.toString(16).padStart(a instanceof Uint8Array ? 2 : 8, '0')).join(
        '',
      );
    const c = normalCodes('User: Give three tips for staying healthy.\nassistant: Eat well, sleep.');
    const s = minhashCodes(c.near, c.nearLength);
    expect(hash64Codes(c.exact, c.exactLength).map((x) => x.toString(16))).toEqual(REF.exact);
    expect(hex(s.bands, 4)).toBe(REF.bands);
    expect(hex(s.sketch, 8)).toBe(REF.sketch);
  });
});

describe('minhashSignature and estimateJaccard', () => {
  it('has the configured shape, is deterministic and fixed for the empty text', () => {
    const s = minhashSignature('the quick brown fox');
    expect(s.bands.length).toBe(2 * MINHASH_DEFAULTS.bands);
    expect(s.sketch.length).toBe(MINHASH_DEFAULTS.sketch);
    expect(minhashSignature('the quick brown fox')).toEqual(s);
    expect(minhashSignature('')).toEqual(minhashSignature(''));
    expect(minhashSignature('')).not.toEqual(minhashSignature('a'));
    expect(minhashSignature('abc').bands).not.toEqual(minhashSignature('abcd').bands);
    // band keys include the band index: one shingle fills every bin alike, yet the keys differ
    expect(new Set(minhashSignature('ab').bands).size).toBe(2 * MINHASH_DEFAULTS.bands);
    const p = { bands: 3, rows: 5, sketch: 7, shingle: 3 };
    expect(minhashSignature('hello there', p).bands.length).toBe(6);
    expect(() => minhashSignature('x', { ...p, rows: 0 })).toThrow('rows must be an integer in [1, 4096]');
  });

  it('estimateJaccard corrects for 8-bit collisions', () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i);
    const b = a.map((v, i) => (i < 16 ? v : v + 100));
    expect(estimateJaccard(a, a)).toBe(1);
    expect(estimateJaccard(a, b)).toBeCloseTo((0.5 - 1 / 256) / (1 - 1 / 256), 12);
    expect(
      estimateJaccard(
        a,
        a.map((v) => v + 1),
      ),
    ).toBe(0);
    expect(() => estimateJaccard(a, new Uint8Array(8))).toThrow('sketch lengths differ (32 vs 8)');
  });

  it('estimates the exact shingle Jaccard over 200 pairs', () => {
    const list = pairs(200, 7);
    const err = (sketch: number) => {
      const p = { ...MINHASH_DEFAULTS, sketch };
      const e = list.map(
        ({ a, b, j }) => estimateJaccard(minhashSignature(a, p).sketch, minhashSignature(b, p).sketch) - j,
      );
      return {
        mae: e.reduce((s, x) => s + Math.abs(x), 0) / e.length,
        bias: e.reduce((s, x) => s + x, 0) / e.length,
      };
    };
    expect(Math.min(...list.map((p) => p.j))).toBeLessThan(0.3);
    const d = err(32);
    expect(d.mae).toBeLessThan(0.06);
    expect(Math.abs(d.bias)).toBeLessThan(0.02);
    expect(err(128).mae).toBeLessThan(0.035);
  });

  it('makes LSH candidates at about 1-(1-J^r)^b', () => {
    const { bands, rows } = MINHASH_DEFAULTS;
    const bins = [0.2, 0.4, 0.6, 0.8, 1.01].map(() => ({ n: 0, hit: 0, expected: 0 }));
    for (const { a, b, j } of pairs(600, 11)) {
      const [x, y] = [minhashSignature(a).bands, minhashSignature(b).bands];
      let hit = 0;
      for (let k = 0; k < bands; k++) if (x[2 * k] === y[2 * k] && x[2 * k + 1] === y[2 * k + 1]) hit = 1;
      const bin = bins[Math.min(4, Math.floor(j / 0.2))];
      bin.n++;
      bin.hit += hit;
      bin.expected += 1 - (1 - j ** rows) ** bands;
    }
    for (const { n, hit, expected } of bins.filter((b) => b.n >= 30))
      expect(Math.abs(hit / n - expected / n)).toBeLessThan(0.1);
  });
});

/** Entries from rows [keyLo, kind, node, rank, sketch byte fill or bytes] (keyHi = 1), sketch length 8. */
function entries(rows: [number, number, number, number, number | number[]][]): Entries {
  const n = rows.length;
  return {
    count: n,
    sketchLen: 8,
    keyHi: new Uint32Array(n).fill(1),
    keyLo: Uint32Array.from(rows, (r) => r[0]),
    kind: Uint8Array.from(rows, (r) => r[1]),
    node: Uint32Array.from(rows, (r) => r[2]),
    rank: Float64Array.from(rows, (r) => r[3]),
    sketch: Uint8Array.from(rows.flatMap((r) => (typeof r[4] === 'number' ? new Array(8).fill(r[4]) : r[4]))),
  };
}
const list = (e: Edges) => Array.from({ length: e.count }, (_, i) => [e.a[i], e.b[i], e.kind[i]]);
const edges = (rows: [number, number, number][], rank: (node: number) => number): Edges => ({
  count: rows.length,
  a: Uint32Array.from(rows, (r) => r[0]),
  b: Uint32Array.from(rows, (r) => r[1]),
  rankA: Float64Array.from(rows, (r) => rank(r[0])),
  rankB: Float64Array.from(rows, (r) => rank(r[1])),
  kind: Uint8Array.from(rows, (r) => r[2]),
});
const table = (l: ReturnType<typeof resolveDuplicates>) =>
  Array.from({ length: l.count }, (_, i) => [l.node[i], l.keep[i], DUP_REASONS[l.reason[i]]]);

describe('entries files', () => {
  const items = [0, 1, 2].map((i) => ({
    node: 10 + i,
    rank: i / 4,
    exact: hash64(`text ${i}`),
    sig: minhashSignature(`some text number ${i}`),
  }));

  it('writes one exact and one entry per band to the partition of its key, and round-trips', () => {
    const files = partitionEntries(items, 5);
    expect(files).toHaveLength(5);
    const decoded = files.map(decodeEntries);
    expect(decoded.reduce((s, f) => s + f.count, 0)).toBe(3 * (1 + MINHASH_DEFAULTS.bands));
    decoded.forEach((f, p) => {
      for (let i = 0; i < f.count; i++) {
        expect(f.keyLo[i] % 5).toBe(p);
        const item = items[f.node[i] - 10];
        expect(f.rank[i]).toBe(item.rank);
        expect(Array.from(f.sketch.subarray(i * 32, i * 32 + 32))).toEqual(Array.from(item.sig.sketch));
        if (f.kind[i] === 0) expect([f.keyHi[i], f.keyLo[i]]).toEqual(item.exact);
      }
    });
    expect(decodeEntries(partitionEntries([], 3)[2]).count).toBe(0);
    // an unaligned copy decodes to the same columns
    const shifted = new Uint8Array(files[0].length + 1).subarray(1);
    shifted.set(files[0]);
    expect(decodeEntries(shifted)).toEqual(decoded[0]);
  });

  it('writes the same files from columns filled in place as from items', () => {
    const p = { bands: 6, rows: 2, sketch: 8, shingle: 4 };
    const texts = Array.from({ length: 40 }, (_, i) => `Record ${i % 13}: some text, number ${i * 7919}`);
    const rows = texts.map((t, i) => ({ node: 1000 + 3 * i, rank: ((i * 37) % 11) / 10, text: t }));
    const items = rows.map((r) => ({
      node: r.node,
      rank: r.rank,
      exact: hash64(exactNormal(r.text)),
      sig: minhashSignature(nearNormal(r.text), p),
    }));
    const c = dedupColumns(rows.length + 5, p); // room to spare: count says how many
    rows.forEach((r, k) => {
      const t = normalCodes(r.text);
      const [hi, lo] = hash64Codes(t.exact, t.exactLength);
      c.node[k] = r.node;
      c.rank[k] = r.rank;
      c.exact[2 * k] = hi;
      c.exact[2 * k + 1] = lo;
      minhashInto(t.near, t.nearLength, p, c.bands, 2 * p.bands * k, c.sketch, p.sketch * k);
    });
    c.count = rows.length;
    const files = partitionColumns(c, 5, p);
    expect(files).toEqual(partitionEntries(items, 5, p));
    expect(files.reduce((a, f) => a + decodeEntries(f).count, 0)).toBe(40 * 7);
    expect(() => partitionColumns({ ...c, count: 50 }, 5, p)).toThrow(
      'dedup columns hold fewer than 50 items',
    );
  });

  it('rejects bad items and corrupt files', () => {
    expect(() => partitionEntries(items, 0)).toThrow('partitions must be an integer in [1, 65536]');
    expect(() => partitionEntries([{ ...items[0], rank: Number.NaN }], 2)).toThrow(
      'item 0: rank must be finite',
    );
    expect(() => partitionEntries([{ ...items[0], node: -1 }], 2)).toThrow('item 0: node must be an integer');
    const file = partitionEntries(items, 1)[0];
    expect(() => decodeEntries(file.subarray(0, file.length - 1))).toThrow(
      `dedup entries file is truncated (${file.length - 1} of ${file.length} bytes for count 51)`,
    );
    expect(() => decodeEntries(file.subarray(0, 10))).toThrow('truncated (10 bytes, header is 16)');
    expect(() => decodeEntries(encodeEdges(edges([], () => 0)))).toThrow(
      'not a dedup entries file (expected magic WDDE, found "WDDG")',
    );
    const v2 = file.slice();
    v2[4] = 2;
    expect(() => decodeEntries(v2)).toThrow('unsupported dedup entries file version 2 (expected 1)');
    const kind = file.slice();
    kind[16 + 51 * 20] = 7;
    expect(() => decodeEntries(kind)).toThrow('entry 0 has kind 7 (expected 0 or 1)');
    const longer = new Uint8Array(file.length + 3);
    longer.set(file);
    expect(() => decodeEntries(longer)).toThrow('has 3 trailing bytes');
  });
});

describe('packed partitions', () => {
  const items = [0, 1, 2, 3, 4].map((i) => ({
    node: 10 + i,
    rank: i / 8,
    exact: hash64(`text ${i}`),
    sig: minhashSignature(`some other text number ${i}`),
  }));

  it('puts every partition behind an index that finds it with two reads', () => {
    const parts = partitionEntries(items, 7);
    const packed = packPartitions(parts);
    const index = packed.subarray(0, packedIndexLength(7));
    expect(packedIndexLength(7)).toBe(72);
    for (let p = 0; p < 7; p++) {
      const { offset, length } = packedSpan(index, 7, p);
      expect(offset % 8).toBe(0);
      expect(packed.subarray(offset, offset + length)).toEqual(parts[p]);
      expect(decodeEntries(packed.subarray(offset, offset + length))).toEqual(decodeEntries(parts[p]));
    }
    const last = packedSpan(index, 7, 6);
    expect(packed.length).toBe(Math.ceil((last.offset + last.length) / 8) * 8);
  });

  it('rejects a wrong partition count, a partition out of range and foreign bytes', () => {
    const packed = packPartitions(partitionEntries(items, 3));
    const index = packed.subarray(0, packedIndexLength(3));
    expect(() => packedSpan(index, 4, 0)).toThrow('packed dedup partitions: 3 partitions, expected 4');
    expect(() => packedSpan(packed.subarray(0, packedIndexLength(2)), 2, 0)).toThrow('truncated');
    expect(() => packedSpan(index, 3, 3)).toThrow('packed dedup partitions: no partition 3 of 3');
    expect(() => packedSpan(partitionEntries(items, 1)[0].subarray(0, 24), 1, 0)).toThrow(
      'not a packed dedup partitions (expected magic WDDP, found "WDDE")',
    );
  });
});

describe('reducePartition', () => {
  it('draws exact stars from the best member, by rank then node, across files', () => {
    const { edges: e, buckets } = reducePartition(
      [
        entries([
          [5, 0, 30, 0.2, 0],
          [5, 0, 31, 0.9, 0],
          [6, 0, 7, 0.5, 0],
        ]),
        entries([
          [5, 0, 12, 0.5, 0],
          [6, 0, 9, 0.5, 0],
          [6, 0, 7, 0.5, 0], // the same node twice is one member
          [8, 0, 1, 0.5, 0], // a singleton
        ]),
      ],
      { threshold: 0.6 },
    );
    expect(buckets).toBe(2);
    expect(list(e)).toEqual([
      [7, 9, 0],
      [12, 31, 0],
      [30, 31, 0],
    ]);
    expect(Array.from(e.rankA)).toEqual([0.5, 0.5, 0.2]);
    expect(Array.from(e.rankB)).toEqual([0.5, 0.9, 0.9]);
  });

  it('verifies band candidates with the sketch and dedupes edges across buckets', () => {
    const near = [1, 2, 3, 4, 5, 6, 7, 8];
    const close = [1, 2, 3, 4, 5, 6, 7, 99]; // estimate (7/8 - 1/256) / (1 - 1/256) ≈ 0.87
    const far = [1, 2, 50, 51, 52, 53, 54, 55]; // ≈ 0.25: a band collision, not a duplicate
    const { edges: e, compared } = reducePartition(
      [
        entries([
          [3, 1, 4, 0.9, near],
          [3, 1, 2, 0.1, close],
          [3, 1, 6, 0.5, far],
          [9, 1, 4, 0.9, near], // the same pair again in another band
          [9, 1, 2, 0.1, close],
          [3, 0, 6, 0.5, far], // kind 0 with the same key is another bucket (and a singleton)
        ]),
      ],
      { threshold: 0.6 },
    );
    expect(list(e)).toEqual([[2, 4, 1]]);
    expect(compared).toBe(4);
    expect(
      reducePartition([entries([[3, 1, 4, 0.9, near]]), entries([[3, 1, 6, 0.5, far]])], { threshold: 0.2 })
        .edges.count,
    ).toBe(1);
  });

  it('links identical sketches to their first member without comparing, and caps comparisons', () => {
    const copies = reducePartition([entries([0.5, 0.4, 0.3, 0.2, 0.1].map((r, i) => [3, 1, i, r, 42]))], {
      threshold: 0.6,
    });
    expect(list(copies.edges)).toEqual([1, 2, 3, 4].map((n) => [0, n, 1]));
    expect(copies.compared).toBe(0);
    const rows = [0, 1, 2, 3].map((i): [number, number, number, number, number[]] => [
      3,
      1,
      i,
      1 - i / 10,
      [i, 1, 2, 3, 4, 5, 6, 7],
    ]);
    const capped = reducePartition([entries(rows)], { threshold: 0.6, maxCompare: 1 });
    expect(capped.compared).toBe(3);
    expect(list(capped.edges)).toEqual([1, 2, 3].map((n) => [0, n, 1]));
    // Uncapped, a member stops at its MAX_EDGES (2) matches: 1 + 2 + 2 comparisons, not 1 + 2 + 3.
    const uncapped = reducePartition([entries(rows)], { threshold: 0.6 });
    expect(uncapped.compared).toBe(5);
    expect(list(uncapped.edges)).toEqual([
      [0, 1, 1],
      [0, 2, 1],
      [0, 3, 1],
      [1, 2, 1],
      [1, 3, 1],
    ]);
    expect(() => reducePartition([], { threshold: 2 })).toThrow('threshold must be a number in [0, 1]');
  });

  it('round-trips edges and rejects corrupt ones', () => {
    const e = edges(
      [
        [1, 2, 0],
        [2, 9, 1],
      ],
      (n) => n / 10,
    );
    expect(decodeEdges(encodeEdges(e))).toEqual(e);
    const bad = encodeEdges(e);
    bad[bad.length - 1] = 3;
    expect(() => decodeEdges(bad)).toThrow('dedup edges: edge 1 has kind 3 (expected 0 or 1)');
    expect(() => decodeEdges(bad.subarray(0, 20))).toThrow(
      'dedup edges file is truncated (20 of 66 bytes for count 2)',
    );
  });
});

describe('resolveDuplicates', () => {
  const rank = (n: number) => ({ 1: 0.9, 2: 0.5, 3: 0.95, 4: 0.5, 5: 0.5, 7: 0.3, 8: 0.8 })[n] ?? 0.1;

  it('resolves exact groups first, then near groups over their survivors', () => {
    // exact {1, 2}, exact {4, 5, 7}; near 2~3 (so 1's group meets 3) and 7~8 (so {4, 5, 7} meets 8)
    const l = resolveDuplicates([
      edges(
        [
          [1, 2, 0],
          [4, 5, 0],
          [5, 7, 0],
          [2, 3, 1],
          [7, 8, 1],
        ],
        rank,
      ),
    ]);
    expect(table(l)).toEqual([
      [1, 3, 'near_duplicate'], // 1 survived {1, 2} but 3 ranks higher
      [2, 3, 'duplicate'], // keep is the final survivor
      [4, 8, 'near_duplicate'], // 4 beats 5 on node at equal rank
      [5, 8, 'duplicate'],
      [7, 8, 'duplicate'],
    ]);
  });

  it('does not chain near edges (A~B~C keeps A and C) and breaks rank ties by the smaller node', () => {
    const flat = () => 0.5;
    // 10 is kept (rank tie: smaller node); 20 is near 10 and loses; 30 is near only 20, which lost: kept.
    expect(table(resolveDuplicates([edges([[20, 30, 1]], flat), edges([[10, 20, 1]], flat)]))).toEqual([
      [20, 10, 'near_duplicate'],
    ]);
    // With 30 also near 10 it loses to 10 directly.
    expect(
      table(
        resolveDuplicates([
          edges(
            [
              [20, 30, 1],
              [10, 30, 1],
            ],
            flat,
          ),
          edges([[10, 20, 1]], flat),
        ]),
      ),
    ).toEqual([
      [20, 10, 'near_duplicate'],
      [30, 10, 'near_duplicate'],
    ]);
    expect(resolveDuplicates([]).count).toBe(0);
  });

  it('gives the same losers for the same edges in any order and grouping', () => {
    const rand = prng(3);
    const rows = Array.from({ length: 3000 }, (): [number, number, number] => [
      Math.floor(rand() * 2000),
      Math.floor(rand() * 2000),
      rand() < 0.3 ? 0 : 1,
    ]);
    const r = (n: number) => ((n * 7919) % 101) / 100;
    const base = encodeLosers(resolveDuplicates([edges(rows, r)]));
    for (let trial = 0; trial < 3; trial++) {
      const shuffled = rows.map((e) => (rand() < 0.5 ? e : ([e[1], e[0], e[2]] as [number, number, number])));
      shuffled.sort(() => rand() - 0.5);
      const cut = Math.floor(rand() * rows.length);
      const sets = [edges(shuffled.slice(cut), r), edges(shuffled.slice(0, cut), r)];
      expect(encodeLosers(resolveDuplicates(sets))).toEqual(base);
    }
    const l = decodeLosers(base);
    const losers = new Set(l.node);
    for (const keep of l.keep) expect(losers.has(keep)).toBe(false); // a survivor never loses
  });

  it('slices a shard range and round-trips', () => {
    const l = resolveDuplicates([
      edges(
        [
          [1, 2, 0],
          [4, 5, 0],
          [5, 7, 0],
          [2, 3, 1],
          [7, 8, 1],
        ],
        rank,
      ),
    ]);
    expect(Array.from(losersInRange(l, 2, 5).node)).toEqual([2, 4]);
    expect(Array.from(losersInRange(l, 0, 100).node)).toEqual([1, 2, 4, 5, 7]);
    expect(losersInRange(l, 8, 100).count).toBe(0);
    expect(losersInRange(l, 6, 3).count).toBe(0);
    expect(table(losersInRange(l, 5, 6))).toEqual([[5, 8, 'duplicate']]);
    expect(decodeLosers(encodeLosers(l))).toEqual(l);
    const bad = encodeLosers(l);
    bad[bad.length - 1] = 2;
    expect(() => decodeLosers(bad)).toThrow('dedup losers: loser 4 has reason 2 (expected 0 or 1)');
    const unsorted = encodeLosers({ ...l, node: Uint32Array.from([1, 2, 5, 4, 7]) });
    expect(() => decodeLosers(unsorted)).toThrow('dedup losers: nodes are not ascending at 3');
  });
});
