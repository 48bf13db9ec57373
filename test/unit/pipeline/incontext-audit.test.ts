import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Report } from '../../../schemas/output.ts';
import { assistantWords } from '../../../src/score/assistant-text.ts';
import { registerScorer, type Scorer } from '../../../src/score/index.ts';
import { dataFile } from '../../support/data.ts';
import { runRows } from './select-helpers.ts';

/**
 * The in-context agreement is measured on an audit of candidates outside the sample. Two in-process
 * stand-ins for the expensive scorer, each one call per record:
 *
 * - `test-ic-hash`: a hash of the record's content (hex digits 24–31 of its content hash, which neither
 *   the sampling key nor the audit key reads): nothing cheap predicts it, so the estimate's agreement
 *   must read as chance: Spearman 0 and a top overlap equal to the budget's share;
 * - `test-ic-words`: the answer's word count, which the cheap `length` score is a monotone function of:
 *   the estimate must agree closely.
 *
 * The audit size: over n unrelated pairs Spearman has a standard error of about 1/√(n−1), and the
 * overlap of two top-f sets (hypergeometric) about (1 − f)/√n. With n = 6,000: 0.013 and 0.009 at f = 0.3,
 * so ±0.05 is 3.9 standard errors and ±0.03 is 3.3: a chance-level estimate passes, and a leak of the
 * sample into the comparison (which read 1 before the audit) cannot.
 */
const hashScorer: Scorer<Record<string, never>> = {
  id: 'test-ic-hash',
  version: 1,
  kind: 'offline',
  description: 'a hash of the content: unpredictable from cheap features',
  config: z.strictObject({}),
  outputs: ['ic_hash'],
  score: (batch) =>
    batch.map((r) => ({ scores: { ic_hash: Number.parseInt(r.hash.slice(24, 32), 16) / 2 ** 32 } })),
};
const wordsScorer: Scorer<Record<string, never>> = {
  id: 'test-ic-words',
  version: 1,
  kind: 'offline',
  description: 'the answer word count: predicted by the cheap length score',
  config: z.strictObject({}),
  outputs: ['ic_words'],
  score: (batch) => batch.map((r) => ({ scores: { ic_words: assistantWords(r.turns).length } })),
};
registerScorer(hashScorer);
registerScorer(wordsScorer);

const rows = JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[];
const AUDIT = 6000;

const recipe = (scorer: string, output: string) => ({
  shardBytes: 1_500_000,
  // No filters: every valid record is a candidate, so the budget's share of them is exactly 30%.
  scorers: [{ id: 'length' }, { id: 'lexical' }],
  cluster: { k: 8, seed: 1 },
  select: {
    budget: '30%',
    dedup: false,
    rank: { terms: [{ score: `${output}_est` }] },
    incontext: { scorer: { id: scorer }, sampleRate: 0.1, minPerCluster: 3, audit: AUDIT },
  },
});

describe('the in-context audit: agreement on records the estimator never saw', () => {
  const ic: Record<string, NonNullable<Report['selection']['incontext']>> = {};
  beforeAll(async () => {
    for (const [scorer, output] of [
      ['test-ic-hash', 'ic_hash'],
      ['test-ic-words', 'ic_words'],
    ]) {
      const out = await runRows(rows, recipe(scorer, output), { id: scorer });
      ic[scorer] = out.report.selection.incontext!;
    }
  }, 600_000);

  it('audits the requested number of unsampled candidates and counts them in the call ratio', () => {
    const r = ic['test-ic-hash'];
    expect(r.candidates).toBe(rows.length);
    expect(r.audited).toBe(AUDIT);
    expect(r.compared).toBe(AUDIT);
    expect(r.auditCalls).toBe(AUDIT);
    expect(r.calls).toBe(r.sampled + AUDIT);
    expect(r.callRatio).toBeCloseTo((r.sampled + AUDIT) / r.candidates, 12);
    expect(r.topFraction).toBeCloseTo(Math.round(0.3 * rows.length) / rows.length, 12);
  });

  it('reads chance for a score nothing cheap predicts: Spearman 0 ± 0.05, top overlap the budget share ± 0.03', () => {
    const r = ic['test-ic-hash'];
    expect(Math.abs(r.spearman!)).toBeLessThan(0.05);
    expect(Math.abs(r.topOverlap! - r.topFraction!)).toBeLessThan(0.03);
  });

  it('reads high for a score the cheap features predict', () => {
    const r = ic['test-ic-words'];
    expect(r.compared).toBe(AUDIT);
    expect(r.spearman!).toBeGreaterThan(0.9);
    expect(r.topOverlap!).toBeGreaterThan(0.8);
  });
});
