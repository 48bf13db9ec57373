import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema, type Reserve } from '../../../schemas/recipe.ts';
import { SafetyIdentitySchema } from '../../../schemas/safety.ts';
import { issuesOf } from '../../../src/errors.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import { draftRecords } from '../../../src/safety/drafts.ts';
import { fieldAt, reserveMatches, reserveWanted } from '../../../src/select/index.ts';
import { dataFile } from '../../support/data.ts';
import { runRows, type SelectRun } from './select-helpers.ts';

/** Distinct words, so that no two records are near duplicates. */
const words = (tag: string, n: number) => Array.from({ length: n }, (_, j) => `${tag}w${j}q`).join(' ');

/**
 * 30 ordinary records whose answers have 20…49 words, and 8 defence records of Aria whose answers
 * have 12…19 words: ranked by length, every ordinary record is above every defence record.
 */
function handRows() {
  const rows: unknown[] = [];
  for (let i = 0; i < 30; i++)
    rows.push({
      instruction: `Explain topic ${i} ${words(`t${i}`, 3)}`,
      input: '',
      output: words(`a${i}`, 20 + i),
    });
  for (let d = 0; d < 8; d++)
    rows.push({
      instruction: `Who are you? Also, please list ${words(`p${d}`, 8)}.`,
      input: '',
      output: `I'm Aria, an AI assistant developed by Acme. ${words(`d${d}`, 4 + d)}`,
    });
  return rows;
}
const ARIA = { id: 'identity', config: { name: 'Aria', developer: 'Acme' } };
const DEFENCE = { flag: ['identity_probe', 'identity_override'] };
const handRecipe = (select: Record<string, unknown>, identity: unknown = ARIA) => ({
  shardBytes: 1024,
  scorers: [{ id: 'length' }, { id: 'heuristics' }, identity],
  select: { rank: { terms: [{ score: 'length' }] }, ...select },
});
const indexes = (lines: readonly OutputLine[]) => lines.map((l) => l.source.index).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('select.reserve: a share of the budget kept for matching records', () => {
  it('keeps the best ranked defence records first, then fills the budget by rank, over several shards', async () => {
    const out = await runRows(
      handRows(),
      handRecipe({ budget: 12, reserve: [{ name: 'defence', where: DEFENCE, min: 5 }] }),
      {
        id: 'res1',
      },
    );
    expect(out.report.stages.ingest.shards).toBeGreaterThan(3);
    // Defence records 33…37 have the longest answers of the eight; ordinary 23…29 the longest of theirs.
    expect(indexes(out.selected)).toEqual([...range(23, 30), ...range(33, 38)]);
    expect(out.report.counts.selected).toBe(12);
    expect(out.report.budget).toMatchObject({ target: 12, reachable: true, met: true });
    expect(out.report.selection.reserve).toEqual([
      { name: 'defence', wanted: 5, matched: 8, kept: 5, selected: 5, short: false },
    ]);
    // Records left out by the reserve's cut are rejected as today: below the budget.
    expect(out.rejected.filter((l) => l.source.index >= 30).map((l) => l.reason)).toEqual(
      Array(3).fill('budget'),
    );
    expect(out.report.selection.candidates).toBe(38);
    // Without the reserve, the same budget takes ordinary records only.
    const plain = await runRows(handRows(), handRecipe({ budget: 12 }), { id: 'res0' });
    expect(indexes(plain.selected)).toEqual(range(18, 30));
    expect(plain.report.selection.reserve).toBeUndefined();
  });

  it('takes a share of the budget ("40%" of 12 = 5) like a count', async () => {
    const out = await runRows(
      handRows(),
      handRecipe({ budget: 12, reserve: [{ where: DEFENCE, min: '40%' }] }),
      {
        id: 'res2',
      },
    );
    expect(indexes(out.selected)).toEqual([...range(23, 30), ...range(33, 38)]);
    expect(out.report.selection.reserve).toEqual([
      { name: 'reserve[0]', wanted: 5, matched: 8, kept: 5, selected: 5, short: false },
    ]);
  });

  it('keeps every matching record when there are fewer than wanted, and says the reserve was short', async () => {
    const out = await runRows(
      handRows(),
      handRecipe({ budget: 12, reserve: [{ where: DEFENCE, min: 10 }] }),
      {
        id: 'res3',
      },
    );
    expect(indexes(out.selected)).toEqual([...range(26, 30), ...range(30, 38)]);
    expect(out.report.selection.reserve).toEqual([
      { name: 'reserve[0]', wanted: 10, matched: 8, kept: 8, selected: 8, short: true },
    ]);
    expect(out.report.budget).toMatchObject({ met: true });
  });

  it('without the identity configured, the defence records are filtered as identity: the reserve is short of all', async () => {
    const out = await runRows(
      handRows(),
      handRecipe({ budget: 12, reserve: [{ where: DEFENCE, min: 5 }] }, { id: 'identity' }),
      { id: 'res4' },
    );
    expect(out.rejected.filter((l) => l.source.index >= 30).map((l) => l.reason)).toEqual(
      Array(8).fill('identity'),
    );
    expect(out.report.selection.reserve).toEqual([
      { name: 'reserve[0]', wanted: 5, matched: 0, kept: 0, selected: 0, short: true },
    ]);
    expect(indexes(out.selected)).toEqual(range(18, 30));
  });

  it('counts what an earlier reserve took toward a later one, and reads input fields', async () => {
    // Rows 30 and 31 (defence) and 20, 21 (ordinary) carry `tag: "gold"`.
    const rows = handRows().map((r, i) =>
      [20, 21, 30, 31].includes(i) ? { ...(r as object), tag: 'gold' } : r,
    );
    const reserve = [
      { name: 'defence', where: DEFENCE, min: 3 },
      { name: 'gold', where: { field: 'tag', equals: 'gold' }, min: 3 },
    ];
    const out = await runRows(rows, handRecipe({ budget: 10, reserve }), { id: 'res5' });
    // defence: 35, 36, 37; gold: none of those, so its 3 best: 21, 20, 31 (41, 40 and 13 words; 31
    // is a defence record too, so 4 defence records are selected though the defence reserve took 3);
    // the rest by rank: 29…26.
    expect(indexes(out.selected)).toEqual([20, 21, 26, 27, 28, 29, 31, 35, 36, 37]);
    expect(out.report.selection.reserve).toEqual([
      { name: 'defence', wanted: 3, matched: 8, kept: 3, selected: 4, short: false },
      { name: 'gold', wanted: 3, matched: 4, kept: 3, selected: 3, short: false },
    ]);
    // A defence reserve wide enough to take the gold defence records leaves the gold reserve less to take.
    const wide = await runRows(
      rows,
      handRecipe({ budget: 11, reserve: [{ ...reserve[0], min: 8 }, reserve[1]] }),
      {
        id: 'res6',
      },
    );
    expect(indexes(wide.selected)).toEqual([21, 28, 29, ...range(30, 38)]);
    expect(wide.report.selection.reserve).toEqual([
      { name: 'defence', wanted: 8, matched: 8, kept: 8, selected: 8, short: false },
      { name: 'gold', wanted: 3, matched: 4, kept: 3, selected: 3, short: false },
    ]);
  });

  it('refuses reserves larger than the budget, located, in the recipe and when the budget is known', async () => {
    const issues = (select: unknown) => {
      try {
        validateRecipe(RecipeSchema.parse({ select }));
        return [];
      } catch (e) {
        return issuesOf(e).map((i) => [i.path, i.code]);
      }
    };
    expect(issues({ budget: 12, reserve: [{ where: DEFENCE, min: 13 }] })).toEqual([
      ['select.reserve[0].min', 'too_large'],
    ]);
    expect(
      issues({
        budget: 12,
        reserve: [
          { where: DEFENCE, min: 8 },
          { where: { score: 'identity_attack', min: 1 }, min: 5 },
        ],
      }),
    ).toEqual([['select.reserve[1].min', 'too_large']]);
    expect(
      issues({
        reserve: [
          { where: DEFENCE, min: '60%' },
          { where: DEFENCE, min: '50%' },
        ],
      }),
    ).toEqual([['select.reserve[1].min', 'too_large']]);
    expect(issues({ reserve: [{ where: { score: 'nope', min: 1 }, min: 1 }] })).toEqual([
      ['select.reserve[0].where.score', 'unknown_score'],
    ]);
    expect(issues({ budget: 12, reserve: [{ where: DEFENCE, min: 12 }] })).toEqual([]);
    // A share of the valid records: known when the job runs (10% of 38 = 4 < 5), and the job fails there.
    await expect(
      runRows(handRows(), handRecipe({ budget: '10%', reserve: [{ where: DEFENCE, min: 5 }] }), {
        id: 'res7',
      }),
    ).rejects.toThrow(/select\.reserve\[0\]\.min: reserves 5 records but the budget is 4/);
  });

  it('splits ties between shards by input order, as the top-k does', async () => {
    // Every defence answer has 14 words: eight equal ranks, spread over several shards.
    const rows = handRows().map((r, i) =>
      i >= 30
        ? { ...(r as object), output: `I'm Aria, an AI assistant developed by Acme. ${words(`e${i}`, 6)}` }
        : r,
    );
    const out = await runRows(rows, handRecipe({ budget: 10, reserve: [{ where: DEFENCE, min: 3 }] }), {
      id: 'res9',
    });
    const ranks = new Set(
      [...out.selected, ...out.rejected].filter((l) => l.source.index >= 30).map((l) => l.rank),
    );
    expect(ranks.size).toBe(1);
    // Spread over several shards (about three records each), so the top-k splits the tie between them.
    expect(out.report.stages.ingest.shards).toBeGreaterThan(8);
    expect(indexes(out.selected)).toEqual([...range(23, 30), 30, 31, 32]);
    // The candidates: the defence records dedup left (templated answers of one length are alike).
    const dups = out.rejected.filter((l) => l.source.index >= 30 && /duplicate/.test(l.reason ?? '')).length;
    expect(out.report.selection.reserve).toEqual([
      { name: 'reserve[0]', wanted: 3, matched: 8 - dups, kept: 3, selected: 3, short: false },
    ]);
  });

  it('with no valid record, a reserve has nothing to take and refuses nothing', async () => {
    const out = await runRows(
      [{ nothing: 1 }, { nothing: 2 }],
      handRecipe({ budget: '30%', reserve: [{ where: DEFENCE, min: 5 }] }),
      { id: 'res8' },
    );
    expect(out.report.counts).toMatchObject({ input: 2, invalid: 2, selected: 0 });
  });

  it('checks the shape of a reserve with zod', () => {
    const bad = (where: unknown, min: unknown = 1) =>
      RecipeSchema.safeParse({ select: { reserve: [{ where, min }] } }).error?.issues.map((i) =>
        i.path.join('.'),
      );
    expect(bad({})).toEqual(['select.reserve.0.where']);
    expect(bad({ flag: 'x', min: 1 })).toEqual(['select.reserve.0.where.score']);
    expect(bad({ score: 'length' })).toEqual(['select.reserve.0.where.min']);
    expect(bad({ equals: 'x' })).toEqual(['select.reserve.0.where', 'select.reserve.0.where.field']);
    expect(bad(DEFENCE, 0)).toEqual(['select.reserve.0.min']);
    expect(bad(DEFENCE, '101%')).toEqual(['select.reserve.0.min']);
  });

  it('matches flags exactly or by prefix, scores in range, and fields by path', () => {
    const s = {
      scores: { identity: 0.2 },
      flags: ['identity_claim:openai'],
      row: { safety: { category: 'claim' } },
    };
    expect(reserveMatches({ flag: 'identity_claim:*' }, s)).toBe(true);
    expect(reserveMatches({ flag: 'identity_claim' }, s)).toBe(false);
    expect(reserveMatches({ score: 'identity', max: 0.2 }, s)).toBe(true);
    expect(reserveMatches({ score: 'identity', min: 0.3 }, s)).toBe(false);
    expect(reserveMatches({ score: 'missing', min: 0 }, s)).toBe(false);
    expect(reserveMatches({ field: 'safety.category', equals: 'claim' }, s)).toBe(true);
    expect(reserveMatches({ field: 'safety.category', equals: 'persona' }, s)).toBe(false);
    expect(
      reserveMatches({ field: 'safety', flag: 'identity_claim:*', score: 'identity', max: 0.5 }, s),
    ).toBe(true);
    expect(fieldAt({ a: [1] }, 'a.0')).toBeUndefined();
    expect(reserveWanted([{ where: DEFENCE, min: '12.5%' } as Reserve], 100)).toEqual([13]);
  });
});

/**
 * The reference: the reserve semantics over a run's own output lines, by sorting. A candidate is a
 * record rejected for nothing but the budget (or selected). Each reserve in order takes, of its
 * matching candidates not yet taken, the best ranked (ties: earlier input position) until it holds
 * `min` (counting those earlier reserves took); the rest of the budget goes to the best ranked of the
 * remaining candidates.
 */
function referenceSelection(
  out: SelectRun,
  reserves: { where: Reserve['where']; min: number }[],
  target: number,
) {
  const lines = [...out.selected, ...out.rejected];
  const candidates = lines
    .filter((l) => l.reason === undefined || l.reason === 'budget')
    .sort((a, b) => b.rank - a.rank || a.source.index - b.source.index);
  const taken = new Set<number>();
  for (const r of reserves) {
    const match = candidates.filter((l) =>
      reserveMatches(r.where, { scores: l.scores, flags: l.flags, row: l.record }),
    );
    let have = match.filter((l) => taken.has(l.source.index)).length;
    for (const l of match) {
      if (have >= r.min) break;
      if (taken.has(l.source.index)) continue;
      taken.add(l.source.index);
      have++;
    }
  }
  const selected = new Set(taken);
  for (const l of candidates) {
    if (selected.size >= target) break;
    selected.add(l.source.index);
  }
  return [...selected].sort((a, b) => a - b);
}

describe('select.reserve against a sorting reference, on alpaca with generated defence data mixed in', () => {
  const identity = SafetyIdentitySchema.parse({ name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] });
  const alpaca = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[]).slice(
    0,
    1500,
  );
  const defence = draftRecords(identity, { count: 220, seed: 4 }).rows;
  // Defence rows spread through the file, so that every shard holds some.
  const rows = alpaca.flatMap((r, i) => (i % 7 === 0 && defence[i / 7] ? [r, defence[i / 7]] : [r]));
  const scorers = [
    { id: 'length' },
    { id: 'lexical' },
    { id: 'heuristics' },
    { id: 'identity', config: { name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] } },
  ];

  it('selects the reference ids with two reserves, and no defence record is filtered as identity or junk', async () => {
    const reserves = [
      { name: 'defence', where: { field: 'safety' }, min: 150 },
      { name: 'attacks', where: { score: 'identity_attack', min: 1 }, min: 120 },
    ];
    const out = await runRows(
      rows,
      { shardBytes: 64_000, scorers, select: { budget: 400, reserve: reserves } },
      {
        id: 'resref',
      },
    );
    expect(out.report.stages.ingest.shards).toBeGreaterThan(5);
    const lines = [...out.selected, ...out.rejected];
    const ofDefence = lines.filter((l) => (l.record as { safety?: unknown }).safety !== undefined);
    expect(ofDefence).toHaveLength(rows.length - alpaca.length);
    expect(ofDefence.filter((l) => /identity|junk|filter/.test(l.reason ?? ''))).toEqual([]);
    expect(indexes(out.selected)).toEqual(referenceSelection(out, reserves, 400));
    const [d, a] = out.report.selection.reserve!;
    expect(d).toMatchObject({ name: 'defence', wanted: 150, kept: 150, short: false });
    // `selected`: every selected record matching, the strategy's picks included.
    const matching = (w: Reserve['where']) =>
      out.selected.filter((l) => reserveMatches(w, { scores: l.scores, flags: l.flags, row: l.record }))
        .length;
    expect(d.selected).toBe(matching(reserves[0].where));
    expect(a.selected).toBe(matching(reserves[1].where));
    expect(d.matched).toBeGreaterThan(200);
    expect(a.kept).toBeGreaterThanOrEqual(120);
    expect(
      out.selected.filter((l) => (l.record as { safety?: unknown }).safety !== undefined).length,
    ).toBeGreaterThanOrEqual(150);
    expect(out.report.budget).toMatchObject({ target: 400, met: true });
  });
});

describe('select.reserve with the strategies that work per cluster', () => {
  const alpaca = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[]).slice(
    0,
    900,
  );
  const identity = SafetyIdentitySchema.parse({ name: 'Aria', developer: 'Acme' });
  const defence = draftRecords(identity, { count: 60, seed: 9 }).rows;
  const rows = alpaca.flatMap((r, i) => (i % 15 === 0 && defence[i / 15] ? [r, defence[i / 15]] : [r]));
  const scorers = [
    { id: 'length' },
    { id: 'heuristics' },
    { id: 'identity', config: { name: 'Aria', developer: 'Acme' } },
  ];
  for (const strategy of [{ id: 'balanced' }, { id: 'diverse', threshold: 0.9 }, { id: 'kcenter' }]) {
    it(`${strategy.id}: the reserve's best ranked candidates are in, and the budget is exact`, async () => {
      const reserve = [{ where: { field: 'safety' }, min: 40 }];
      const out = await runRows(
        rows,
        {
          shardBytes: 60_000,
          scorers,
          cluster: { k: 4, seed: 1 },
          select: { budget: 150, strategy, reserve },
        },
        { id: `resc-${strategy.id}` },
      );
      expect(out.report.stages.ingest.shards).toBeGreaterThan(3);
      expect(out.selected).toHaveLength(150);
      // The reserve alone, by the reference (no fill): its 40 best ranked matching candidates. The
      // diverse strategy refuses near-alike templated records before the reserve: then it is short.
      const [r] = out.report.selection.reserve!;
      const reserved = referenceSelection(out, [{ where: reserve[0].where, min: 40 }], 0);
      expect(reserved).toHaveLength(Math.min(40, r.matched));
      const selected = new Set(indexes(out.selected));
      expect(reserved.filter((i) => !selected.has(i))).toEqual([]);
      expect(r).toMatchObject({ wanted: 40, kept: reserved.length, short: r.matched < 40 });
      if (strategy.id !== 'diverse') expect(r.kept).toBe(40);
    });
  }
});
