import { describe, expect, it } from 'vitest';
import type { Turn } from '../../../schemas/record.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { canonicalContent } from '../../../src/formats/content-hash.ts';
import { contentHash, normalizeRecord, recordId } from '../../../src/formats/index.ts';
import { hashUniform } from '../../../src/util/hash-uniform.ts';

const turns = (user: string, assistant: string): Turn[] => [
  { role: 'user', content: user },
  { role: 'assistant', content: assistant },
];

describe('contentHash', () => {
  it('is 32 hex chars and matches a reference value', async () => {
    const h = await contentHash(turns('What is 2+2?', '4'));
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    // SHA-256 of the canonical encoding, first 16 bytes.
    const canonical = JSON.stringify([
      ['user', 'What is 2+2?'],
      ['assistant', '4'],
    ]);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
    expect(h).toBe(Buffer.from(digest.subarray(0, 16)).toString('hex'));
  });

  it('is equal under whitespace reformatting', async () => {
    const base = await contentHash(turns('Explain  recursion\nbriefly.', 'A function\tthat calls itself.'));
    const variants = [
      turns('  Explain recursion briefly.  ', 'A function that calls itself.'),
      turns('Explain\n\nrecursion \r\n briefly.', '\tA   function that\ncalls itself.\n'),
    ];
    for (const v of variants) expect(await contentHash(v)).toBe(base);
  });

  it('differs for different content, roles, order or turn boundaries', async () => {
    const hashes = await Promise.all([
      contentHash(turns('a b', 'c')),
      contentHash(turns('a', 'b c')),
      contentHash(turns('ab', 'c')),
      contentHash(turns('A b', 'c')),
      contentHash(turns('c', 'a b')),
      contentHash([
        { role: 'system', content: 'a b' },
        { role: 'assistant', content: 'c' },
      ]),
      contentHash([{ role: 'user', content: 'a b c' }]),
    ]);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('canonicalizes and hashes as the plain definition does, on texts with every kind of whitespace', async () => {
    const rand = mulberry32(3);
    // Every JavaScript whitespace, letters, quotes, a backslash, control and astral characters.
    const alphabet = [
      ...' \t\n\v\f\r\u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000\ufeff',
      ...'abcXYZ09.,"\\\u0001\u001f\u0085\u200b\u00e9\u4e2d',
      '\ud83d\ude00',
      '\ud800',
    ];
    const text = () => {
      const parts: string[] = [];
      const n = Math.floor(rand() * 12);
      for (let i = 0; i < n; i++) {
        // Mostly words and single spaces, as real text; now and then any character of the alphabet.
        parts.push(
          rand() < 0.5 ? 'word' : rand() < 0.6 ? ' ' : alphabet[Math.floor(rand() * alphabet.length)],
        );
      }
      return parts.join('');
    };
    const encoder = new TextEncoder();
    let fast = 0;
    for (let k = 0; k < 3000; k++) {
      const a = text();
      const b = text();
      const plain = (s: string) => s.trim().replace(/\s+/g, ' ');
      expect(canonicalContent(a)).toBe(plain(a));
      if (canonicalContent(a) === a) fast++;
      if (k % 10 !== 0) continue;
      const ts = turns(a, b);
      const reference = JSON.stringify(ts.map((t) => [t.role, plain(t.content)]));
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(reference)));
      expect(contentHash(ts)).toBe(Buffer.from(digest.subarray(0, 16)).toString('hex'));
    }
    // Both paths ran: texts already canonical, and texts that needed the trim and the replace.
    expect(fast).toBeGreaterThan(300);
    expect(fast).toBeLessThan(2700);
  });

  it('hashes an alpaca record and its reformatted copy the same', async () => {
    const a = normalizeRecord('{"instruction":"Name a color.","input":"","output":"Blue."}', 'auto');
    const b = normalizeRecord('{"output":" Blue. ","instruction":"Name  a\\ncolor."}', 'auto');
    if (!a.ok || !b.ok) throw new Error('expected valid records');
    expect(await contentHash(a.turns)).toBe(await contentHash(b.turns));
  });
});

describe('recordId', () => {
  const h = '0123456789abcdef0123456789abcdef';

  it('is 16 hex chars, stable, and depends on part, index, place in the row and hash', () => {
    const id = recordId(0, 1234, h);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    // Reference values: the content hash's first 64 bits XOR the murmur3-mixed place.
    expect(id).toBe('722fe22131275580');
    expect(recordId(1, 1234, h)).toBe('0be904599b3ee8a1');
    expect(recordId(0, 1235, h)).toBe('569ec9e51b107a09');
    expect(recordId(0, 1234, h, 1)).toBe('0144367809b0aa5e');
    expect(recordId(0, 2 ** 33 + 5, h)).toBe('c6c5761951374a70');
    expect(recordId(0, 1234, h.toUpperCase())).toBe(id);
    const others = [recordId(1, 1234, h), recordId(0, 1235, h), recordId(0, 1234, h.replace('0', '1'))];
    expect(new Set([id, ...others]).size).toBe(4);
  });

  it('one content at a million places: a million ids, uniform in their first 48 bits (hashUniform)', () => {
    const seen = new Set<string>();
    const bins = new Array<number>(16).fill(0);
    for (let i = 0; i < 1_000_000; i++) {
      const id = recordId(i % 3, i, h, i % 2);
      seen.add(id);
      bins[Math.floor(hashUniform(id) * 16)]++;
    }
    expect(seen.size).toBe(1_000_000);
    // χ² over 16 equal bins, 15 degrees of freedom: under 37.7 with probability 0.999.
    const chi2 = bins.reduce((a, n) => a + (n - 62_500) ** 2 / 62_500, 0);
    expect(chi2).toBeLessThan(37.7);
  });
});
