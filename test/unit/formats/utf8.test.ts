import { describe, expect, it } from 'vitest';
import { decodeRecord, firstInvalidUtf8 } from '../../../src/formats/index.ts';
import { encode, rng } from './helpers.ts';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const valid = (bytes: Uint8Array) => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('firstInvalidUtf8', () => {
  it('finds the first byte of the first ill-formed sequence', () => {
    const cases: [number[], number][] = [
      [[], -1],
      [[...encode('plain ascii')], -1],
      [[...encode('é 世界 🎉 \u{10FFFF}')], -1],
      [[0x80], 0], // a continuation byte alone
      [[0x61, 0xc1, 0xbf], 1], // overlong 2-byte form
      [[0xe0, 0x9f, 0xbf], 0], // overlong 3-byte form
      [[0xf0, 0x8f, 0xbf, 0xbf], 0], // overlong 4-byte form
      [[0xed, 0xbf, 0xbf], 0], // a surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0xf5, 0x80, 0x80, 0x80], 0],
      [[0x61, 0x62, 0xe4, 0xb8], 2], // cut short at the end
      [[0xe4, 0xb8, 0x61], 0], // cut short before ASCII
      [[0xc3, 0xa9, 0xff], 2],
    ];
    for (const [bytes, at] of cases) expect(firstInvalidUtf8(Uint8Array.from(bytes)), `${bytes}`).toBe(at);
  });

  it('agrees with a fatal TextDecoder on random bytes: valid before the mark, invalid with it', () => {
    const rand = rng(11);
    // Bytes drawn mostly from the ranges UTF-8 sequences are made of, so that many inputs are valid.
    const pool = [
      0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4,
      0xf5, 0xff,
    ];
    let seenValid = 0;
    for (let n = 0; n < 5000; n++) {
      const bytes = Uint8Array.from(
        { length: 1 + Math.floor(rand() * 8) },
        () => pool[Math.floor(rand() * pool.length)],
      );
      const at = firstInvalidUtf8(bytes);
      expect(at === -1, `${bytes}`).toBe(valid(bytes));
      if (at === -1) seenValid++;
      else {
        expect(valid(bytes.subarray(0, at)), `${bytes} prefix`).toBe(true);
        expect(decodeRecord(bytes).notUtf8).toEqual({ at, byte: bytes[at] });
      }
    }
    expect(seenValid).toBeGreaterThan(100);
  });
});
