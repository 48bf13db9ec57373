import { describe, expect, it } from 'vitest';
import { evaluatePlanted } from '../../../bench/planted.ts';

describe('the default recipe on alpaca-random-9k with planted cases', () => {
  it('rejects planted contamination and junk, keeps topical mentions and nearly all real records', async () => {
    const r = await evaluatePlanted(1);
    expect(r.planted.identity.rejectedByFilter).toBe(r.planted.identity.total);
    expect(r.planted.identity.reasons.identity).toBeGreaterThanOrEqual(r.planted.identity.total - 2);
    expect(r.planted.junk.rejectedByFilter).toBe(r.planted.junk.total);
    expect(r.planted.cutoff.rejectedByFilter / r.planted.cutoff.total).toBeGreaterThanOrEqual(0.85);
    expect(r.recall).toBeGreaterThanOrEqual(0.95);
    // Data about AI is not contamination; answers consistent with the configured identity pass.
    expect(r.planted.topical.rejectedByFilter).toBe(0);
    expect(r.planted.target_identity.rejectedByFilter).toBe(0);
    expect(r.planted.clean.rejectedByFilter).toBe(0);
    expect(r.goodRejected).toBe(0);
    // Alpaca's own rejections are its empty answers, refusals and cut-offs: 26 of 9,229 when measured.
    expect(r.alpacaRejectedRate).toBeLessThan(0.006);
    expect(r.precisionLowerBound).toBeGreaterThan(0.75);
  }, 60_000);
});
