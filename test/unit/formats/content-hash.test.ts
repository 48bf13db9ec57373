import { describe, expect, it } from 'vitest';
import type { Turn } from '../../../schemas/record.ts';
import { contentHash, normalizeRecord, recordId } from '../../../src/formats/index.ts';

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

  it('hashes an alpaca record and its reformatted copy the same', async () => {
    const a = normalizeRecord('{"instruction":"Name a color.","input":"","output":"Blue."}', 'auto');
    const b = normalizeRecord('{"output":" Blue. ","instruction":"Name  a\\ncolor."}', 'auto');
    if (!a.ok || !b.ok) throw new Error('expected valid records');
    expect(await contentHash(a.turns)).toBe(await contentHash(b.turns));
  });
});

describe('recordId', () => {
  it('is 16 hex chars, stable, and depends on part, offset and hash', async () => {
    const h = '0123456789abcdef0123456789abcdef';
    const id = await recordId(0, 1234, h);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(await recordId(0, 1234, h)).toBe(id);
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`0:1234:${h}`)),
    );
    expect(id).toBe(Buffer.from(digest.subarray(0, 8)).toString('hex'));
    const others = await Promise.all([
      recordId(1, 1234, h),
      recordId(0, 1235, h),
      recordId(0, 1234, h.replace('0', '1')),
    ]);
    expect(new Set([id, ...others]).size).toBe(4);
  });
});
