import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import { Sha256, sha256, sha256Words } from '../../../src/formats/sha256.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches node:crypto on random inputs of every length around the block boundaries', () => {
    const rand = mulberry32(1);
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      expect(hex(sha256(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('Sha256 over pieces of every size equals node:crypto over the whole', () => {
    const rand = mulberry32(2);
    const bytes = Uint8Array.from({ length: 5000 }, () => Math.floor(rand() * 256));
    for (const cuts of [[0], [1, 63, 64, 65], [3, 7, 11, 200, 1000], [64, 128, 4000], [4999]]) {
      const h = new Sha256();
      let at = 0;
      for (const c of [...cuts, bytes.length]) {
        h.update(bytes.subarray(at, c));
        at = c;
      }
      expect(hex(h.digest())).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    // A piece in between does not disturb a one-call digest (they share working state).
    const h = new Sha256().update(bytes.subarray(0, 100));
    expect(hex(sha256(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    h.update(bytes.subarray(100));
    expect(hex(h.digest())).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('sha256Words hashes a prefix of a reused buffer, to the same digest as node:crypto', () => {
    const rand = mulberry32(3);
    const buffer = Uint8Array.from({ length: 400 }, () => Math.floor(rand() * 256));
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 399]) {
      const words = sha256Words(buffer, n);
      const bytes = new Uint8Array(32);
      for (let i = 0; i < 8; i++) new DataView(bytes.buffer).setInt32(i * 4, words[i]);
      expect(hex(bytes)).toBe(createHash('sha256').update(buffer.subarray(0, n)).digest('hex'));
    }
  });
});
