import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import type { Diff, DiffEntry } from '../../../schemas/schedule.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import {
  BUCKETS,
  bucketRange,
  decodeEntries,
  decodeHeader,
  decodeIndex,
  diffMembers,
  encodeIndex,
  encodeMembers,
  idText,
  type Member,
  partBuckets,
  TopEntries,
} from '../../../src/diff/index.ts';
import { type MemoryStore, memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { diffKey, diffPartKey } from '../../../src/pipeline/keys.ts';
import type { JobSpec } from '../../../src/pipeline/types.ts';
import { MemoryCellCache } from '../../../src/score/index.ts';
import { dataFile } from '../../support/data.ts';

const member = (hi: number, lo: number, rank: number, reason = 0, terms = [rank]): Member => ({
  hi,
  lo,
  rank,
  index: lo,
  reason,
  terms,
});

describe('members files', () => {
  it("export's members (columns filled from its lines) are the bytes of the same members as objects", async () => {
    const { encodeShardMembers, runView } = await import('../../../src/pipeline/stages/export/diff.ts');
    const spec = {
      id: 'jcolumns',
      dataset: 'd',
      objects: [],
      recipe: RecipeSchema.parse({}),
    } as unknown as JobSpec;
    const view = runView(spec);
    const rand = mulberry32(11);
    const reasons = [
      undefined,
      'budget',
      'duplicate',
      'near_duplicate',
      'filter:heuristics',
      'not-a-known-reason',
    ];
    const hex = () =>
      Math.floor(rand() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    const lines = Array.from({ length: 2500 }, (_, i): OutputLine => {
      const reason = reasons[i % reasons.length];
      const scores: Record<string, number> = { quality: rand(), length: rand() * 100 };
      if (i % 7 === 0) delete scores.quality;
      return {
        id: hex() + hex(),
        hash: '0'.repeat(32),
        source: { index: i * 3 },
        record: {},
        scores,
        rank: rand(),
        ...(reason ? { reason } : {}),
      } as OutputLine;
    });
    const reserved = new Set(lines.filter((_, i) => i % 11 === 0).map((l) => l.id));
    const other = view.reasons.length - 1;
    const asObjects: Member[] = lines.map((l) => {
      const r = l.reason === undefined ? 0 : view.reasons.indexOf(l.reason);
      return {
        hi: Number.parseInt(l.id.slice(0, 8), 16),
        lo: Number.parseInt(l.id.slice(8), 16),
        rank: l.rank,
        index: l.source.index ?? 0,
        reason: r < 0 ? other : r,
        ...(reserved.has(l.id) ? { reserved: true } : {}),
        terms: view.terms.map((t) => l.scores[t] ?? Number.NaN),
      };
    });
    expect(view.terms.length).toBeGreaterThan(0);
    expect(encodeShardMembers(spec, lines, reserved)).toEqual(encodeMembers(asObjects, view.terms.length));
    for (const bad of ['0123456789ABCDEF', '0123456789abcde', '0123456789abcdeg', '0123456789abcdef0'])
      expect(() => encodeShardMembers(spec, [{ ...lines[0], id: bad }])).toThrow(
        'record id must be 16 hex digits',
      );
  });

  it('round-trip sorted by id, and a bucket range holds exactly the ids whose top byte is in it', () => {
    const rand = mulberry32(5);
    const members = Array.from({ length: 3000 }, (_, i) =>
      member(Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32), rand(), i % 3, [rand(), rand()]),
    );
    const bytes = encodeMembers(members, 2);
    const h = decodeHeader(bytes);
    expect(h.entries).toBe(3000);
    expect(h.terms).toBe(2);
    const all = decodeEntries(bytes.subarray(bucketRange(h, 0, BUCKETS).offset), 2);
    const ids = all.map((m) => idText(m.hi, m.lo));
    expect(ids).toEqual([...ids].sort());
    for (const [b0, b1] of [partBuckets(0, 7), partBuckets(3, 7), partBuckets(6, 7)]) {
      const { offset, length } = bucketRange(h, b0, b1);
      const got = decodeEntries(bytes.subarray(offset, offset + length), 2);
      const want = all.filter((m) => m.hi >>> 24 >= b0 && m.hi >>> 24 < b1);
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThan(300);
    }
    // The seven parts cover every bucket once.
    const covered = Array.from({ length: 7 }, (_, p) => partBuckets(p, 7)).flatMap(([a, b]) =>
      Array.from({ length: b - a }, (_, i) => a + i),
    );
    expect(covered).toEqual(Array.from({ length: BUCKETS }, (_, i) => i));
    // float32 term scores, float64 ranks.
    const one = all.find((m) => m.hi === members[0].hi && m.lo === members[0].lo)!;
    expect(one.rank).toBe(members[0].rank);
    expect(one.terms[0]).toBe(Math.fround(members[0].terms[0]));
    expect(() => decodeHeader(new Uint8Array(2000))).toThrow('not a members file (bad magic)');
    // The run's index holds every shard's header: the same ranges from one object.
    const other = decodeHeader(encodeMembers(members.slice(0, 10), 2));
    const index = decodeIndex(encodeIndex([h, other], 2));
    expect(index).toEqual([h, other]);
    expect(bucketRange(index[0], 3, 9)).toEqual(bucketRange(h, 3, 9));
    expect(() => decodeIndex(new Uint8Array(12))).toThrow('not a members index (bad magic)');
  });
});

describe('diffMembers', () => {
  const view = { reasons: ['selected', 'budget', 'near_duplicate', 'filter:heuristics'], terms: ['quality'] };
  it('names what moved each record, and counts every record once', () => {
    const before = [
      member(1, 1, 0.9), // stays selected
      member(1, 2, 0.6), // left: its own rank fell (score)
      member(1, 3, 0.7), // left: same rank, the cut rose (threshold)
      member(1, 4, 0.8), // left: removed from the input
      member(1, 5, 0.5, 1), // entered: rank rose
      member(1, 6, 0.95), // left: now a near duplicate (reason)
      member(1, 7, 0.1, 3), // entered: no longer filtered (reason)
    ];
    const after = [
      member(1, 1, 0.9),
      member(1, 2, 0.3, 1),
      member(1, 3, 0.7, 1),
      member(1, 5, 0.85),
      member(1, 6, 0.95, 2),
      member(1, 7, 0.75),
      member(1, 8, 0.99), // entered: new record
      member(1, 9, 0.2, 1), // new, not selected: not an entry
    ];
    const { entries, counts } = diffMembers(before, after, { before: view, after: view });
    const by = Object.fromEntries(entries.map((e) => [e.id.slice(-1), [e.change, e.cause]]));
    expect(by).toEqual({
      '2': ['left', 'score'],
      '3': ['left', 'threshold'],
      '4': ['left', 'removed'],
      '5': ['entered', 'score'],
      '6': ['left', 'reason'],
      '7': ['entered', 'reason'],
      '8': ['entered', 'new'],
    });
    expect(counts).toEqual({
      before: 5,
      after: 4,
      entered: 3,
      left: 4,
      stayed: 1,
      newRecords: 2,
      removedRecords: 1,
      rescored: 3,
      byCause: {
        entered: { score: 1, reason: 1, new: 1 },
        left: { score: 1, threshold: 1, removed: 1, reason: 1 },
      },
    });
    const e2 = entries.find((e) => e.id.endsWith('2'))!;
    expect(e2.rank).toEqual({ before: 0.6, after: 0.3, delta: 0.3 - 0.6 });
    expect(e2.reason).toEqual({ before: null, after: 'budget' });
    expect(e2.scores.quality.delta).toBeCloseTo(-0.3, 6);
    expect(entries.find((e) => e.id.endsWith('6'))!.reason.after).toBe('near_duplicate');
  });

  it('names a reserve: a record a reserve took entered or left through it', () => {
    const reserved = (m: Member): Member => ({ ...m, reserved: true });
    const before = [
      member(2, 1, 0.2, 1), // entered: a reserve took it
      reserved(member(2, 2, 0.3)), // left: a reserve had taken it, none does now
      reserved(member(2, 3, 0.4)), // left: a reserve had taken it, and now it is filtered (reason)
      member(2, 4, 0.1, 1), // entered: its rank rose, no reserve (score)
    ];
    const after = [
      reserved(member(2, 1, 0.2)),
      member(2, 2, 0.3, 1),
      member(2, 3, 0.4, 3),
      member(2, 4, 0.9),
    ];
    const { entries, counts } = diffMembers(before, after, { before: view, after: view });
    expect(Object.fromEntries(entries.map((e) => [e.id.slice(-1), [e.change, e.cause]]))).toEqual({
      '1': ['entered', 'reserve'],
      '2': ['left', 'reserve'],
      '3': ['left', 'reason'],
      '4': ['entered', 'score'],
    });
    expect(counts.byCause).toEqual({ entered: { reserve: 1, score: 1 }, left: { reserve: 1, reason: 1 } });
    // The flag round-trips through members.bin; a file without it (the byte is 0) reads as not reserved.
    const bytes = encodeMembers(after, 1);
    const back = decodeEntries(bytes.subarray(bucketRange(decodeHeader(bytes), 0, BUCKETS).offset), 1);
    expect(back.map((m) => m.reserved ?? false)).toEqual([true, false, false, false]);
  });

  it('TopEntries keeps the largest movements whatever the order they come in', () => {
    const top = new TopEntries(10);
    const rand = mulberry32(9);
    const all: DiffEntry[] = Array.from({ length: 1000 }, (_, i) => ({
      id: i.toString(16).padStart(16, '0'),
      change: 'entered',
      cause: 'score',
      index: { before: i, after: i },
      rank: { before: 0, after: 0, delta: rand() - 0.5 },
      reason: { before: 'budget', after: null },
      scores: {},
    }));
    for (const e of all) top.add(e);
    const want = [...all].sort((a, b) => Math.abs(b.rank.delta!) - Math.abs(a.rank.delta!)).slice(0, 10);
    expect(top.done().map((e) => e.id)).toEqual(want.map((e) => e.id));
    expect(top.total).toBe(1000);
  });
});

const ALPACA = dataFile('alpaca-random-9k.json');

async function readAll(store: MemoryStore, job: string) {
  const sel = fromJsonl<OutputLine>(await memoryOutput(store, job, 'selected.jsonl'));
  const rej = fromJsonl<OutputLine>(await memoryOutput(store, job, 'rejected.jsonl'));
  return { sel, rej };
}

describe('a run compared with the previous one (runLocal)', () => {
  it('appended records: only their cells are computed, and diff.json lists exactly the change in the selection', async () => {
    const rows = JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[];
    const base = rows.slice(0, 1500);
    const more = rows.slice(1500, 1650);
    const recipe = RecipeSchema.parse({ shardBytes: 96 * 1024, select: { budget: '30%' } });
    const cells = new MemoryCellCache();
    const deps = { cells: () => cells };
    const a = await memoryJob({ 'datasets/d/upload': JSON.stringify(base) }, recipe, { id: 'ja' });
    const ra = await runLocal(a.store, a.spec, deps);
    expect(ra.scoring.cached).toBe(0);
    // The same store, the dataset grown by one part: the next run compares itself with the first.
    const store = a.store;
    await store.put('datasets/d/parts/0001', more.map((r) => JSON.stringify(r)).join('\n'));
    const objects = [...a.spec.objects, (await store.head('datasets/d/parts/0001'))!];
    const spec = { ...a.spec, id: 'jb', objects, previous: 'ja' };
    const rb = await runLocal(store, spec, deps);
    // Incremental: the perplexity model was fitted once and reused, so old records' cells stay valid.
    const scorers = Object.keys(rb.scoring.byScorer).length;
    expect(rb.fits.perplexity.reused).toBe(true);
    expect(rb.scoring.computed).toBeLessThanOrEqual(150 * scorers);
    expect(rb.scoring.computed).toBeGreaterThan(0);
    expect(rb.scoring.cached).toBe(ra.scoring.computed + ra.scoring.cached);

    const A = await readAll(store, 'ja');
    const B = await readAll(store, 'jb');
    const before = new Set(A.sel.map((l) => l.id));
    const after = new Set(B.sel.map((l) => l.id));
    const entered = [...after].filter((id) => !before.has(id)).sort();
    const left = [...before].filter((id) => !after.has(id)).sort();
    expect(entered.length).toBeGreaterThan(0);
    const diff = JSON.parse(new TextDecoder().decode(store.objects.get(diffKey('jb'))!)) as Diff;
    expect(diff.previous).toBe('ja');
    expect(diff.counts.before).toBe(before.size);
    expect(diff.counts.after).toBe(after.size);
    expect(diff.counts.entered).toBe(entered.length);
    expect(diff.counts.left).toBe(left.length);
    expect(diff.counts.stayed + diff.counts.left).toBe(before.size);
    expect(diff.counts.newRecords).toBe(rb.counts.valid - ra.counts.valid);
    expect(diff.counts.removedRecords).toBe(0);
    expect(diff.entered.map((e) => e.id).sort()).toEqual(entered);
    expect(diff.left.map((e) => e.id).sort()).toEqual(left);
    // Old records keep their ids; the new ones are exactly the appended part's.
    const oldIds = new Set([...A.sel, ...A.rej].map((l) => l.id));
    for (const e of diff.entered) expect(e.cause === 'new').toBe(!oldIds.has(e.id));
    // Nothing was rescored, so an old record that left did so because the cut moved or a new record
    // took its place as the one kept of a duplicate group.
    expect(diff.counts.rescored).toBe(0);
    for (const e of diff.left) expect(['threshold', 'reason']).toContain(e.cause);
    expect(diff.threshold.before).toBe(ra.threshold?.rank);
    expect(diff.threshold.after).toBe(rb.threshold?.rank);
    expect(rb.diff?.counts).toEqual(diff.counts);
    // diff.jsonl holds every entry; diff.json's lists are its largest movements (all of them here).
    let lines = 0;
    for (let p = 0; store.objects.has(diffPartKey('jb', p)); p++)
      lines += fromJsonl(new TextDecoder().decode(store.objects.get(diffPartKey('jb', p))!)).length;
    expect(lines).toBe(entered.length + left.length);
    expect(rb.outputs).toContain('diff.json');
  });

  it('a reserve added to the recipe: the records it took enter with the cause "reserve"', async () => {
    const rows = (JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[]).slice(0, 800);
    const budget = { shardBytes: 64 * 1024, select: { budget: 200 } };
    const a = await memoryJob({ 'datasets/d/upload': JSON.stringify(rows) }, RecipeSchema.parse(budget), {
      id: 'ra',
    });
    const ra = await runLocal(a.store, a.spec);
    // The next run reserves 40 of the 200 for records ranked under the first run's cut (the rank is
    // `quality`): none of them made it, so each one the reserve takes enters through it.
    const cut = ra.threshold!.rank;
    const recipe = RecipeSchema.parse({
      ...budget,
      select: {
        ...budget.select,
        reserve: [{ name: 'low', where: { score: 'quality', max: cut }, min: 40 }],
      },
    });
    const rb = await runLocal(a.store, { ...a.spec, id: 'rb', recipe, previous: 'ra' });
    const kept = rb.selection.reserve![0].kept;
    expect(kept).toBe(40);
    const diff = JSON.parse(new TextDecoder().decode(a.store.objects.get(diffKey('rb'))!)) as Diff;
    const byReserve = diff.entered.filter((e) => e.cause === 'reserve');
    expect(byReserve.length).toBeGreaterThanOrEqual(39);
    expect(byReserve.length).toBeLessThanOrEqual(kept);
    for (const e of byReserve) {
      expect(e.rank.after!).toBeLessThanOrEqual(cut);
      expect(e.reason).toEqual({ before: 'budget', after: null });
    }
    // Records the reserve pushed out of the budget left because the cut rose.
    expect(diff.left.length).toBe(diff.entered.length);
    for (const e of diff.left) expect(e.cause).toBe('threshold');
    expect(diff.counts.byCause.entered.reserve).toBe(byReserve.length);
  });
});
