import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import { descendingKeys, radixOrder } from '../../../src/select/dedup/radix.ts';

describe('radixOrder', () => {
  it('equals a stable comparator sort by (a, b, kind), ties in index order, over every digit range', () => {
    const rand = mulberry32(7);
    for (const [n, span] of [
      [0, 10],
      [1, 10],
      [500, 3],
      [5000, 70_000],
      [5000, 2 ** 32],
    ] as const) {
      const a = Uint32Array.from({ length: n }, () => Math.floor(rand() * span));
      const b = Uint32Array.from({ length: n }, () => Math.floor(rand() * Math.min(span, 50)));
      const kind = Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
      const want = Array.from({ length: n }, (_, i) => i).sort(
        (x, y) => a[x] - a[y] || b[x] - b[y] || kind[x] - kind[y] || x - y,
      );
      expect([...radixOrder(n, [a, b, kind])]).toEqual(want);
    }
  });

  it('leaves equal keys in index order, and sorts by one key alone', () => {
    expect([...radixOrder(4, [new Uint32Array([5, 5, 5, 5])])]).toEqual([0, 1, 2, 3]);
    expect([...radixOrder(5, [new Uint32Array([3, 0x10000, 1, 0xffffffff, 0x10000])])]).toEqual([
      2, 0, 1, 4, 3,
    ]);
  });

  it('descendingKeys order doubles from largest to smallest, across signs, zeros and infinities', () => {
    const values = new Float64Array([
      0.5,
      -1,
      Number.POSITIVE_INFINITY,
      -0,
      0,
      1e-300,
      -1e300,
      Number.NEGATIVE_INFINITY,
      0.5,
      2,
    ]);
    const at = Uint32Array.from(values.keys());
    const order = [...radixOrder(values.length, descendingKeys(values, at))];
    const want = [...at].sort((x, y) => values[y] - values[x] || x - y);
    expect(order).toEqual(want);
    const rand = mulberry32(9);
    const many = Float64Array.from(
      { length: 3000 },
      () => (rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6),
    );
    const sub = Uint32Array.from({ length: 1000 }, (_, t) => t * 3);
    const got = [...radixOrder(sub.length, descendingKeys(many, sub))].map((t) => sub[t]);
    expect(got).toEqual([...sub].sort((x, y) => many[y] - many[x] || x - y));
  });
});
