import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { utf8Length } from '../../../src/util/utf8-length.ts';

describe('utf8Length', () => {
  it('is the byte length TextEncoder gives, for every width and for lone surrogates', () => {
    const encoder = new TextEncoder();
    const rand = mulberry32(7);
    // 1, 2, 3 and 4-byte characters, and lone high and low surrogates (U+FFFD when encoded).
    const pieces = ['a', '{', 'é', 'ß', '中', '€', '😀', '\ud800', '\udc00', '\ud83d', '\n'];
    for (let k = 0; k < 2000; k++) {
      let s = '';
      const n = Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) s += pieces[Math.floor(rand() * pieces.length)];
      expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).byteLength);
    }
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('\ud800')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
  });
});
