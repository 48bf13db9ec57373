import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DUP_KINDS, plantDuplicates } from '../../fixtures/planted-dups.ts';
import { dataFile } from '../../support/data.ts';
import { DEDUP_REASONS, runRows, type SelectRun } from './select-helpers.ts';

const ALPACA = dataFile('alpaca-random-9k.json');
type Row = { instruction: string; input: string; output: string };
const alpaca = () => JSON.parse(readFileSync(ALPACA, 'utf8')) as Row[];
/** Cheap scorers keep these runs about selection, not scoring. */
const SCORERS = [{ id: 'length' }, { id: 'lexical' }, { id: 'heuristics' }];

function accounting(out: SelectRun, input: number) {
  const all = [...out.selected, ...out.rejected].map((l) => l.source.index).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: input }, (_, i) => i));
  expect(out.report.counts.selected + out.report.counts.rejected + out.report.counts.invalid).toBe(input);
}

describe('dedup on alpaca-random-9k with planted duplicates', () => {
  it('catches every exact copy and ≥ 90% of reworded ones, flags < 3% of clean records, and reruns identically', async () => {
    const { rows, planted } = plantDuplicates(alpaca(), { seed: 11, perKind: 50 });
    const recipe = { shardBytes: 1_000_000, scorers: SCORERS, select: { budget: '30%' } };
    const out = await runRows(rows, recipe, { id: 'dd1' });
    accounting(out, rows.length);
    const byIndex = new Map([...out.selected, ...out.rejected].map((l) => [l.source.index, l]));
    const byId = new Map([...out.selected, ...out.rejected].map((l) => [l.id, l]));
    // The group a record ended in: its survivor's id (its own when it survived).
    const group = (i: number) => {
      const l = byIndex.get(i)!;
      return DEDUP_REASONS.has(l.reason ?? '') ? l.duplicateOf! : l.id;
    };
    const filtered = (i: number) => byIndex.get(i)!.rank === -1;
    const caught: Record<string, [number, number]> = {};
    for (const p of planted) {
      if (filtered(p.copy) || filtered(p.original)) continue; // junk: rejected by a filter first
      const c = (caught[p.kind] ??= [0, 0]);
      c[1]++;
      if (group(p.copy) === group(p.original)) c[0]++;
    }
    for (const kind of DUP_KINDS) expect(caught[kind][1]).toBeGreaterThan(40);
    for (const kind of ['exact', 'case', 'whitespace'] as const)
      expect(caught[kind][0]).toBe(caught[kind][1]);
    for (const kind of ['punctuation', 'drop_word', 'swap_words'] as const)
      expect(caught[kind][0] / caught[kind][1]).toBeGreaterThanOrEqual(0.9);
    // Survivors are no duplicates themselves, and rank at least as high as the records they beat.
    for (const l of out.rejected.filter((r) => DEDUP_REASONS.has(r.reason ?? ''))) {
      const keep = byId.get(l.duplicateOf!)!;
      expect(DEDUP_REASONS.has(keep.reason ?? '')).toBe(false);
      expect(keep.rank).toBeGreaterThanOrEqual(l.rank);
    }
    const involved = new Set(planted.flatMap((p) => [p.copy, p.original]));
    const clean = [...byIndex.values()].filter((l) => !involved.has(l.source.index) && l.rank !== -1);
    const flagged = clean.filter((l) => DEDUP_REASONS.has(l.reason ?? ''));
    expect(flagged.length / clean.length).toBeLessThan(0.03);
    // The budget is met exactly, on the survivors.
    expect(out.report.budget).toMatchObject({ reachable: true, met: true });
    expect(out.selected).toHaveLength(Math.round(out.report.counts.valid * 0.3));
    const again = await runRows(rows, recipe, { id: 'dd2' });
    expect(again.selected.map((l) => l.source.index)).toEqual(out.selected.map((l) => l.source.index));
    expect(again.report.rejectedByReason).toEqual(out.report.rejectedByReason);
  }, 120_000);
});

describe('strategies under a budget', () => {
  const rows = alpaca().slice(0, 2500);
  const base = { shardBytes: 150_000, scorers: SCORERS, cluster: { k: 6, seed: 2 }, select: { budget: 600 } };
  const withStrategy = (strategy: unknown) => ({ ...base, select: { ...base.select, strategy } });

  it.each([
    ['topk', { id: 'topk' }],
    ['balanced', { id: 'balanced', quota: 'sqrt', cap: 150 }],
    ['diverse', { id: 'diverse', threshold: 0.8 }],
    ['kcenter', { id: 'kcenter' }],
  ])(
    '%s meets the budget exactly, accounts for every record and reruns identically',
    async (name, strategy) => {
      const out = await runRows(rows, withStrategy(strategy), { id: `s-${name}` });
      accounting(out, rows.length);
      expect(out.selected).toHaveLength(600);
      expect(out.report.budget).toMatchObject({ target: 600, reachable: true, met: true });
      const per = out.report.selection.perCluster!;
      expect(per.reduce((a, c) => a + c.selected, 0)).toBe(600);
      const again = await runRows(rows, withStrategy(strategy), { id: `s-${name}-2` });
      expect(again.selected.map((l) => l.id)).toEqual(out.selected.map((l) => l.id));
      if (name === 'balanced') {
        // Quotas ∝ sqrt(available), capped at 150, summing to the budget; each cluster's best fill it.
        for (const c of per) {
          expect(c.selected).toBe(c.quota);
          expect(c.selected).toBeLessThanOrEqual(150);
        }
        for (const c of per) {
          const inCluster = [...out.selected, ...out.rejected].filter((l) => l.cluster === c.cluster);
          const chosen = inCluster.filter((l) => l.reason === undefined).map((l) => l.rank);
          const budget = inCluster.filter((l) => l.reason === 'budget').map((l) => l.rank);
          if (chosen.length && budget.length)
            expect(Math.min(...chosen)).toBeGreaterThanOrEqual(Math.max(...budget));
        }
      }
      if (name === 'diverse') {
        const refused = out.rejected.filter((l) => l.reason === 'diversity');
        expect(refused.length).toBeGreaterThan(0);
        expect(out.report.selection.diversity).toBe(refused.length);
        const byId = new Map([...out.selected, ...out.rejected].map((l) => [l.id, l]));
        for (const l of refused) {
          const kept = byId.get(l.similarTo!)!;
          expect(kept.cluster).toBe(l.cluster);
          expect(kept.reason === undefined || kept.reason === 'budget').toBe(true);
          expect(kept.rank).toBeGreaterThanOrEqual(l.rank);
          expect(l.similarity).toBeGreaterThanOrEqual(0.8);
        }
      }
      if (name === 'kcenter') for (const c of per) if (c.available > 0) expect(c.selected).toBeGreaterThan(0);
    },
    120_000,
  );

  it('exact dedup alone (near: false) rejects copies as duplicate and nothing as near_duplicate', async () => {
    const some = rows.slice(0, 400);
    const copies = some.slice(0, 30).map((r) => ({ ...r, output: r.output.toUpperCase() })); // same exact text
    const reworded = some.slice(30, 60).map((r) => ({ ...r, output: `${r.output} Indeed.` }));
    const out = await runRows([...some, ...copies, ...reworded], {
      shardBytes: 60_000,
      scorers: SCORERS,
      select: { budget: '90%', dedup: { near: false } },
    });
    const dups = out.rejected.filter((l) => l.reason === 'duplicate');
    expect(dups.length).toBeGreaterThanOrEqual(30);
    expect(out.report.selection.dedup).toMatchObject({ duplicate: dups.length, near_duplicate: 0 });
    expect(out.rejected.some((l) => l.reason === 'near_duplicate')).toBe(false);
  }, 60_000);

  it('semantic dedup rejects records whose embeddings nearly coincide within a cluster', async () => {
    const some = rows.slice(0, 600);
    const copies = some.slice(0, 40).map((r) => ({ ...r, output: `${r.output} Indeed.` }));
    const out = await runRows([...some, ...copies], {
      ...base,
      select: { budget: '50%', dedup: { exact: false, near: false, semantic: { threshold: 0.9 } } },
    });
    const sem = out.rejected.filter((l) => l.reason === 'semantic_duplicate');
    expect(sem.length).toBeGreaterThanOrEqual(36);
    expect(out.report.selection.dedup.semantic_duplicate).toBe(sem.length);
    for (const l of sem) expect(l.similarity).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('selects every candidate and says so when the budget is out of reach', async () => {
    const out = await runRows(rows.slice(0, 300), {
      shardBytes: 20_000,
      scorers: SCORERS,
      select: { budget: 5000 },
    });
    const candidates = out.report.selection.candidates;
    expect(out.selected).toHaveLength(candidates);
    expect(out.report.budget).toMatchObject({ target: 300, reachable: false, met: false });
  });
});

describe('training weights', () => {
  it('weights.jsonl: one line per selected record, mean 1, within the configured range', async () => {
    const rows = alpaca().slice(0, 800);
    const out = await runRows(rows, {
      shardBytes: 60_000,
      scorers: SCORERS,
      select: { budget: 200, weights: { score: 'length', min: 0.8, max: 1.25 } },
    });
    expect(out.weights.map((w) => w.id)).toEqual(out.selected.map((l) => l.id));
    const ws = out.weights.map((w) => w.weight);
    expect(ws.reduce((a, b) => a + b, 0) / ws.length).toBeCloseTo(1, 4);
    expect(Math.min(...ws)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...ws)).toBeLessThanOrEqual(1.25);
    // Monotone in the score: a longer answer never weighs less.
    const pairs = out.selected.map((l, i) => [l.scores.length, ws[i]]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < pairs.length; i++) expect(pairs[i][1]).toBeGreaterThanOrEqual(pairs[i - 1][1] - 1e-6);
    expect(out.report.weights).toMatchObject({ score: 'length', mean: expect.closeTo(1, 4) });
  });
});

describe('record ids of the originals duplicates point to', () => {
  it("come from the job's own store, when two stores hold a job of the same id in one process", async () => {
    const rows = (tag: string) =>
      Array.from({ length: 400 }, (_, i) => ({
        instruction: `${tag} question ${i % 200} about item ${i % 200}`,
        input: '',
        output: `${tag} answer number ${i % 200}, with enough words to pass the filters of the recipe.`,
      }));
    const recipe = { shardBytes: 8_000, scorers: SCORERS, select: { budget: '30%' } };
    const a = await runRows(rows('alpha'), recipe, { id: 'same-job' });
    const b = await runRows(rows('beta'), recipe, { id: 'same-job' });
    for (const out of [a, b]) {
      const ids = new Set([...out.selected, ...out.rejected].map((l) => l.id));
      const dups = out.rejected.filter((l) => l.reason === 'duplicate');
      expect(dups.length).toBeGreaterThan(100);
      for (const l of dups) expect(ids.has(l.duplicateOf!)).toBe(true);
    }
  });
});
