import { describe, expect, it } from 'vitest';
import { isOversize, planShards } from '../../../src/formats/index.ts';
import { encode, planAndRead, rng, source } from './helpers.ts';

const NASTY = [
  'plain',
  'a "quoted" word',
  'brackets ] } [ { inside',
  'comma, then ], then },',
  'ends with a backslash \\',
  '\\"',
  '\\\\"',
  'escaped \u0000 \u001f control',
  'newline\nand\r\ttabs',
  'émoji 🎉 and 中文 and עברית',
  '\u2028\u2029',
  '',
  '"',
  '[',
  '{"looks":"like json"}',
];

/** 500 varied objects: nested arrays and objects, scalars, and strings built to trip a scanner. */
function generate(n: number, seed: number): unknown[] {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.35) return pick(NASTY) + (rand() < 0.3 ? pick(NASTY) : '');
    if (r < 0.45) return Math.round((rand() - 0.5) * 1e6) / 100;
    if (r < 0.5) return pick([true, false, null, 0, -1, 1e21]);
    if (r < 0.75) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(rand() * 4) }, () => [pick(NASTY), value(depth + 1)]),
    );
  };
  return Array.from({ length: n }, (_, i) =>
    i % 50 === 7 ? pick(NASTY) : { i, instruction: pick(NASTY), output: value(0), meta: value(1) },
  );
}

/** Serialize with varied layout: pretty or compact elements, random whitespace around commas. */
function layout(elements: unknown[], seed: number): string {
  const rand = rng(seed);
  const ws = () => [' ', '\n', '\r\n', '\t', '', '  \n  '][Math.floor(rand() * 6)];
  const parts = elements.map((e) => ws() + JSON.stringify(e, null, rand() < 0.5 ? undefined : 2) + ws());
  return `\uFEFF ${ws()}[${parts.join(',')}]${ws()}`;
}

describe('readShard (json-array)', () => {
  const elements = generate(500, 11);
  const text = layout(elements, 12);

  it('round-trips 500 varied elements for any shard and chunk size', async () => {
    expect(JSON.parse(text.slice(1))).toEqual(elements);
    for (const shardBytes of [1, 7, 64, 1000, 9999, 1 << 20]) {
      for (const chunkBytes of [1, 7, 4096]) {
        const got = await planAndRead(text, shardBytes, { chunkBytes });
        const ctx = `shardBytes=${shardBytes} chunkBytes=${chunkBytes}`;
        expect(got.records, ctx).toBe(500);
        expect(got.lines, ctx).toBe(0);
        expect(got.items.map((g) => g.index)).toEqual(elements.map((_, i) => i));
        const parsed = got.items.map(({ item }) => (isOversize(item) ? null : JSON.parse(item.text)));
        expect(parsed, ctx).toEqual(elements);
      }
    }
  });

  it('gives each element its exact, trimmed text and byte offset', async () => {
    const bytes = encode(text);
    const { items } = await planAndRead(bytes, 5000, { chunkBytes: 333 });
    for (const { item } of items) {
      if (isOversize(item)) throw new Error('unexpected oversize');
      const raw = encode(item.text);
      expect(bytes.subarray(item.offset, item.offset + raw.length)).toEqual(raw);
      expect(item.text).toBe(item.text.trim());
    }
  });

  it('plans contiguous shards cut at element starts after shardBytes', async () => {
    const shardBytes = 4000;
    const shards = await planShards(source(text), { part: 2, shardBytes, chunkBytes: 1000 });
    const bytes = encode(text);
    expect(shards.length).toBeGreaterThan(5);
    let index = 0;
    for (const [i, s] of shards.entries()) {
      expect(s).toMatchObject({ part: 2, container: 'json-array', firstIndex: index });
      index += s.count ?? 0;
      if (i + 1 < shards.length) {
        expect(s.end).toBe(shards[i + 1].start);
        expect(s.end - s.start).toBeGreaterThanOrEqual(shardBytes);
      }
      expect(String.fromCharCode(bytes[s.start])).toMatch(/["{[\-\dtfn]/);
    }
    expect(index).toBe(500);
    expect(String.fromCharCode(bytes[shards[shards.length - 1].end])).toBe(']');
  });

  it('keeps syntactically bad elements as single elements, split only at depth-1 commas', async () => {
    const { items, shards } = await planAndRead('[{"a": } ,{"a":1,}, [1 2], "x,]" ,3 , {"b":[{}]}]', 1);
    expect(shards).toHaveLength(6);
    expect(items.map(({ item }) => (isOversize(item) ? null : item.text))).toEqual([
      '{"a": }',
      '{"a":1,}',
      '[1 2]',
      '"x,]"',
      '3',
      '{"b":[{}]}',
    ]);
  });

  it('returns no shards for an empty array', async () => {
    for (const t of ['[]', ' \n[ \n ]\n', '\uFEFF[]'])
      expect(await planShards(source(t), { part: 0, shardBytes: 1 })).toEqual([]);
  });

  it('yields an element longer than maxRecordBytes as oversize, with its head, without losing the rest', async () => {
    const big = { text: '€'.repeat(3000), tail: [1, 2, 3] };
    const arr = [{ a: 1 }, big, 'small', { b: ['x'] }];
    const json = JSON.stringify(arr, null, 1);
    for (const chunkBytes of [1, 50, 1 << 20]) {
      const { items, records } = await planAndRead(json, 1, { chunkBytes, maxRecordBytes: 100 });
      expect(records).toBe(4);
      const oversize = items[1].item;
      if (!isOversize(oversize)) throw new Error('expected oversize');
      const bigText = JSON.stringify(big, null, 1).replace(/\n/g, '\n ');
      expect(oversize.bytes).toBe(encode(bigText).length);
      expect(oversize.head).toBe(bigText.slice(0, 200));
      expect(oversize.local).toBe(0); // the shard's only element
      const rest = items
        .filter((_, i) => i !== 1)
        .map(({ item }) => (isOversize(item) ? null : JSON.parse(item.text)));
      expect(rest).toEqual([arr[0], arr[2], arr[3]]);
    }
  });

  it('marks an element that is not UTF-8 with its first bad byte, and reads the others', async () => {
    const pieces = [...encode('[{"a":"é"},\n {"b":"'), 0xfe, ...encode('"}, {"c":1}]')];
    for (const chunkBytes of [1, 4, 1 << 20]) {
      const { items, records } = await planAndRead(Uint8Array.from(pieces), 1, { chunkBytes });
      expect(records).toBe(3);
      const marks = items.map(({ item }) => (isOversize(item) ? null : (item.notUtf8 ?? item.text)));
      expect(marks).toEqual(['{"a":"é"}', { at: 6, byte: 0xfe }, '{"c":1}']);
      expect(items[1].item.offset).toBe(14);
    }
  });
});
