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
});
