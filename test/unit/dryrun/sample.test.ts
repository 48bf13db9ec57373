import { describe, expect, it } from 'vitest';
import type { Turn } from '../../../schemas/record.ts';
import { sampleKey } from '../../../src/dryrun/index.ts';

const VOCAB =
  'river stone cloud paper green quick light table sound field house plant metal water night bread train glass chair music north south apple horse money story dream floor world heart voice earth'.split(
    ' ',
  );
function text(n: number, seed: number): string[] {
  let x = seed * 7919 + 1;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return VOCAB[(x >>> 16) % VOCAB.length] + ((x >>> 8) % 50);
  });
}
const turns = (q: string, a: string): Turn[] => [
  { role: 'user', content: q },
  { role: 'assistant', content: a },
];

describe('sampleKey', () => {
  it('is uniform for short and long records alike (no length bias)', () => {
    const below = (from: number, n: number, words: (i: number) => number) => {
      let k = 0;
      for (let i = from; i < from + n; i++) {
        if (sampleKey(turns(`Question ${i}`, text(words(i), i).join(' ')), 3) < 0.25) k++;
      }
      return k / n;
    };
    // 2,000 each: σ of the share ≈ 0.0097; 4σ either side.
    expect(Math.abs(below(0, 2000, (i) => 3 + (i % 4)) - 0.25)).toBeLessThan(0.04);
    expect(Math.abs(below(10_000, 2000, (i) => 100 + (i % 100)) - 0.25)).toBeLessThan(0.04);
  });

  it('is the same for exact duplicates, case and punctuation variants, and changes with the seed', () => {
    const a = turns('What is a river?', 'A river is water that flows, mostly downhill.');
    const b = turns('WHAT is a river', 'a river is  water that flows mostly downhill!');
    expect(sampleKey(b, 0)).toBe(sampleKey(a, 0));
    expect(sampleKey(a, 1)).not.toBe(sampleKey(a, 0));
  });

  it('is shared by most near duplicates and few records that only share a template', () => {
    let near = 0;
    let template = 0;
    const n = 500;
    for (let i = 0; i < n; i++) {
      const words = text(60, i);
      const changed = [...words];
      changed[30] = 'replaced';
      const q = `Describe ${words.slice(0, 3).join(' ')}`;
      if (sampleKey(turns(q, words.join(' ')), 0) === sampleKey(turns(q, changed.join(' ')), 0)) near++;
      // Same template and question, another answer half the same.
      const other = [...words.slice(0, 30), ...text(30, i + 50_000)];
      if (sampleKey(turns(q, words.join(' ')), 0) === sampleKey(turns(q, other.join(' ')), 0)) template++;
    }
    // One word of 60 changed: J ≈ 0.95, J⁴ ≈ 0.8. Half the answer changed: J ≈ 0.35, J⁴ ≈ 0.015.
    expect(near / n).toBeGreaterThan(0.65);
    expect(template / n).toBeLessThan(0.08);
  });
});
