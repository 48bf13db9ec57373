import { describe, expect, it } from 'vitest';
import { getScorer, mattr, ngramRepetition, words } from '../../../src/score/index.ts';

const asst = (content: string) => ({
  id: 'r',
  hash: 'h',
  turns: [
    { role: 'user' as const, content: 'q q q' },
    { role: 'assistant' as const, content },
  ],
});

describe('words', () => {
  it('splits Unicode-aware, lowercased, marks kept, CJK per character', () => {
    expect(words("Hello, WORLD! It's 2024.")).toEqual(['hello', 'world', 'it', 's', '2024']);
    expect(words('Ünïcödé naïve café')).toEqual(['ünïcödé', 'naïve', 'café']);
    expect(words('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
    expect(words('abc中文かな')).toEqual(['abc', '中', '文', 'か', 'な']);
    expect(words(' ... ')).toEqual([]);
  });
});

describe('mattr', () => {
  it('averages type-token ratios over sliding windows', () => {
    // windows of 3 over "a b a b c": {a,b}=2/3, {b,a}=2/3, {a,b,c}=3/3 → 7/9
    expect(mattr(words('a b a b c'), 3)).toBeCloseTo(7 / 9, 15);
    // windows of 4 over "the cat sat on the mat": 4/4, 4/4, 4/4 (sat on the mat) → 1; 5 would see "the" twice
    expect(mattr(words('the cat sat on the mat'), 4)).toBe(1);
    expect(mattr(words('the cat sat on the mat'), 5)).toBeCloseTo((4 / 5 + 5 / 5) / 2, 15);
  });

  it('uses plain TTR below the window and 0 for no words', () => {
    expect(mattr(words('the cat sat on the mat'), 50)).toBeCloseTo(5 / 6, 15);
    expect(mattr([], 50)).toBe(0);
    expect(() => mattr(['a'], 0)).toThrow(RangeError);
  });
});

describe('ngramRepetition', () => {
  it('counts repeated 3-grams', () => {
    // 7 trigrams: abc bca cab abc bca cab abc → 3 distinct, 4 repeats
    expect(ngramRepetition(words('a b c a b c a b c'))).toBeCloseTo(4 / 7, 15);
    expect(ngramRepetition(words('one two three four'))).toBe(0);
    expect(ngramRepetition(words('one two'))).toBe(0);
  });
});

describe('lexical scorer', () => {
  it('scores the assistant turns only', async () => {
    const s = getScorer('lexical');
    const rows = await s.score([asst('a b a b c'), asst('')], s.config.parse({ window: 3 }), { seed: 0 });
    expect(rows[0].scores.diversity).toBeCloseTo(7 / 9, 15);
    expect(rows[0].scores.repetition).toBe(0);
    expect(rows[1].scores).toEqual({ diversity: 0, repetition: 0 });
    expect(s.outputs).toEqual(['diversity', 'repetition']);
  });
});

describe('length scorer', () => {
  it('saturates with the assistant word count', async () => {
    const s = getScorer('length');
    const sixty = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    const rows = await s.score(
      [
        asst(sixty),
        asst(''),
        { id: 'x', hash: 'x', turns: [{ role: 'user', content: sixty }] },
        asst('one two three'),
      ],
      s.config.parse({}),
      { seed: 0 },
    );
    expect(rows[0].scores.length).toBeCloseTo(1 - Math.exp(-1), 15); // 0.632…
    expect(rows[1]).toEqual({ scores: { length: 0 }, flags: ['empty_response'] });
    expect(rows[2].scores.length).toBe(0);
    expect(rows[3].scores.length).toBeCloseTo(1 - Math.exp(-3 / 60), 15);
    const r150 = await s.score(
      [asst(`${sixty} ${sixty} ${sixty.slice(0, 89)}`)],
      { saturateWords: 60 },
      { seed: 0 },
    );
    expect(r150[0].scores.length).toBeGreaterThan(0.9);
  });
});

describe('lexical on ids', () => {
  it('gives the same numbers from tokens and from their ids, including the wide-vocabulary path', async () => {
    const { tokenIds } = await import('../../../src/score/token-ids.ts');
    const texts = ['a b a b c a b c d', 'the cat sat on the mat and the cat sat again', ''];
    for (const t of texts) {
      const toks = words(t);
      expect(mattr(tokenIds(toks), 3)).toBe(mattr(toks, 3));
      expect(ngramRepetition(tokenIds(toks), 2)).toBe(ngramRepetition(toks, 2));
    }
    // 3,000 distinct tokens to the 5th power passes 2^53: string keys, same answer.
    const wide = Array.from({ length: 6000 }, (_, i) => `w${i % 3000}`);
    expect(ngramRepetition(wide, 5)).toBeCloseTo((5996 - 3000) / 5996, 15);
    expect(ngramRepetition(['x', 'y', 'x', 'y', 'x'], 2)).toBe(2 / 4);
  });
});
