import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureCutoff } from '../../../bench/cutoff-truncations.ts';
import { dataFile } from '../../support/data.ts';

describe('the cut-off rule on generated truncations of real answers (alpaca-random-9k)', () => {
  const { sets, oneWord } = measureCutoff(
    JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')),
  );
  const share = (set: string, shape: 'all' | 'list' | 'short' | 'prose' = 'all') =>
    sets[set][shape].hard / sets[set][shape].n;

  it('removes most answers cut after a connective, lists and short answers included', () => {
    // Measured 0.829 (lists 0.503, short 0.858); before the rule was extended: 0.669 (lists 0.016).
    expect(share('after connective')).toBeGreaterThan(0.8);
    expect(share('after connective', 'list')).toBeGreaterThan(0.45);
    expect(share('after connective', 'short')).toBeGreaterThan(0.8);
  });

  it('removes a quarter of answers cut inside a word (was 0.05)', () => {
    expect(share('mid-word')).toBeGreaterThan(0.2);
  });

  it('leaves the untouched answers alone, one-word classification answers included', () => {
    // 2 of 9,229 are flagged hard, both broken answers ("… the equation is", "… between 1-").
    expect(sets.original.all.hard).toBeLessThanOrEqual(2);
    expect(oneWord.n).toBeGreaterThan(400);
    expect(oneWord.flagged).toBe(0);
  });
});
