import { describe, expect, it } from 'vitest';
import { generateTrajectories } from '../../../bench/pairs-gen.ts';
import { type ReferenceOptions, referencePairs } from '../../../bench/pairs-reference.ts';
import type { InvalidLine, Report } from '../../../schemas/output.ts';
import type { GroupLine, PairLine } from '../../../schemas/pairs.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { mulberry32 } from '../../../src/demo/random.ts';
import { WinnowError } from '../../../src/errors.ts';
import { tieKey } from '../../../src/pairs/keys.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import type { MemoryStore } from '../../../src/pipeline/memory-store.ts';
import { readShardRecords } from '../../../src/pipeline/shard-records.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import { storedShardInfos } from '../../support/shard-infos.ts';

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function run(text: string, recipe: unknown) {
  const { store, spec } = await memoryJob({ in: text }, RecipeSchema.parse(recipe));
  const report = (await runLocal(store, spec)) as Report & { pairs?: NonNullable<Report['pairs']> };
  // A job without `pairs` is a selection: it writes no pairs.jsonl or groups.jsonl.
  const read = async <T>(file: 'pairs.jsonl' | 'groups.jsonl' | 'invalid.jsonl') =>
    report.outputs.includes(file) ? fromJsonl<T>(await memoryOutput(store, 'job', file)) : [];
  return {
    store,
    report,
    pairs: await read<PairLine>('pairs.jsonl'),
    groups: await read<GroupLine>('groups.jsonl'),
    invalid: await read<InvalidLine>('invalid.jsonl'),
  };
}

/** Which shard each valid member (by id) was ingested in. */
async function shardOf(store: MemoryStore): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const info of storedShardInfos(store, 'job'))
    for (const r of await readShardRecords(store, 'job', info)) out.set(r.id, info.shard);
  return out;
}

type Run = Awaited<ReturnType<typeof run>>;

/** The accounting every pairs job keeps, whatever its data and options. */
function checkAccounting({ report, pairs, groups }: Run) {
  const p = report.pairs!;
  const keys = new Set(groups.map((g) => g.group));
  expect(keys.size).toBe(groups.length); // every group once
  expect(p.groups.total).toBe(groups.length);
  const skipped = Object.values(p.groups.skipped).reduce((a, b) => a + b, 0);
  expect(p.groups.used + skipped).toBe(p.groups.total);
  expect(p.groups.used).toBe(groups.filter((g) => g.status === 'used').length);
  const byReason: Record<string, number> = {};
  for (const g of groups) {
    if (g.status === 'skipped') byReason[g.reason!] = (byReason[g.reason!] ?? 0) + 1;
    else expect(g.reason).toBeUndefined();
    expect(g.status === 'used').toBe(g.pairs > 0);
    expect(g.pairs).toBeLessThanOrEqual(g.candidates);
  }
  expect(p.groups.skipped).toEqual(byReason);
  // The report names up to five skipped groups per reason, each skipped for that reason in groups.jsonl.
  for (const [reason, n] of Object.entries(byReason)) {
    expect(p.groups.examples[reason]).toHaveLength(Math.min(5, n));
    for (const key of p.groups.examples[reason])
      expect(groups.find((g) => g.group === key)?.reason).toBe(reason);
  }
  expect(Object.keys(p.groups.examples).sort()).toEqual(Object.keys(byReason).sort());
  expect(pairs).toHaveLength(p.pairs);
  expect(groups.reduce((a, g) => a + g.pairs, 0)).toBe(p.pairs);
  expect(groups.reduce((a, g) => a + g.candidates, 0)).toBe(p.candidates);
  expect(groups.reduce((a, g) => a + g.members, 0)).toBe(report.counts.valid);
  expect(p.members.total).toBe(report.counts.valid);
  const { counts } = report;
  expect(counts.selected + counts.rejected).toBe(counts.valid);
  expect(counts.valid + counts.invalid).toBe(counts.input);
  expect(Object.values(report.rejectedByReason).reduce((a, b) => a + b, 0)).toBe(counts.rejected);
  // Members in some pair = distinct chosen/rejected ids.
  expect(new Set(pairs.flatMap((l) => [l.chosen_id, l.rejected_id])).size).toBe(counts.selected);
  expect(p.members.paired).toBe(counts.selected);
  for (const l of pairs) {
    expect(l.margin).toBeGreaterThan(0);
    expect(l.margin).toBeCloseTo(l.score_chosen - l.score_rejected, 12);
    expect(keys.has(l.group)).toBe(true);
  }
  if (pairs.length > 0) {
    const margins = pairs.map((l) => l.margin);
    expect(p.margin!.min).toBe(Math.min(...margins));
    expect(p.margin!.max).toBe(Math.max(...margins));
    expect(p.margin!.mean).toBeCloseTo(margins.reduce((a, b) => a + b, 0) / margins.length, 9);
  } else expect(p.margin).toBeNull();
}

/** Seeded rollouts, shuffled so that every group's members are spread over the file. */
function trajectories(opts: {
  tasks: number;
  rollouts: number;
  steps: number;
  states: number;
  seed: number;
}) {
  const lines = [...generateTrajectories(opts)];
  const rand = mulberry32(opts.seed * 7 + 1);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  return `${lines.join('\n')}\n`;
}

const TRAJ = trajectories({ tasks: 30, rollouts: 5, steps: 4, states: 2, seed: 5 });
const LINES = TRAJ.trim().split('\n').length;

const key = (c: unknown) => (c as { id: string; source: { index: number } }).source.index;

describe('pairs pipeline: rollouts across shards', () => {
  for (const partitions of [3, undefined]) {
    it(`matches the naive reference exactly (partitions ${partitions ?? 'default'})`, async () => {
      const out = await run(TRAJ, {
        shardBytes: 1024,
        pairs: { payload: 'key', ...(partitions ? { partitions } : {}) },
      });
      const { report, pairs, store } = out;
      expect(report.stages.ingest.shards).toBeGreaterThan(10);
      // The default: one partition per 8 MiB of input (this input is small: one).
      expect(report.pairs!.partitions).toBe(partitions ?? 1);
      const ref = referencePairs(TRAJ);
      const got = pairs
        .map((l) => ({ chosenIndex: key(l.chosen), rejectedIndex: key(l.rejected), margin: l.margin }))
        .sort((a, b) => a.chosenIndex - b.chosenIndex);
      const want = ref.pairs
        .map(({ chosenIndex, rejectedIndex, margin }) => ({ chosenIndex, rejectedIndex, margin }))
        .sort((a, b) => a.chosenIndex - b.chosenIndex);
      expect(got.map((p) => [p.chosenIndex, p.rejectedIndex])).toEqual(
        want.map((p) => [p.chosenIndex, p.rejectedIndex]),
      );
      got.forEach((p, i) => {
        expect(p.margin).toBeCloseTo(want[i].margin, 9);
      });
      // Scores: each member's score is the reference total of its line.
      for (const l of pairs) {
        expect(l.score_chosen).toBeCloseTo(ref.totals[key(l.chosen)], 9);
        expect(l.score_rejected).toBeCloseTo(ref.totals[key(l.rejected)], 9);
        expect(l.prompt).toBe(JSON.parse(TRAJ.split('\n')[key(l.chosen)]).task);
        expect(l.chosen).toEqual({
          id: l.chosen_id,
          source: { index: key(l.chosen), line: key(l.chosen) + 1 },
        });
      }
      expect(report.pairs!.groups.total).toBe(ref.groups);
      const skipped = Object.fromEntries(Object.entries(ref.skipped).filter(([, n]) => n > 0));
      expect(report.pairs!.groups.skipped).toEqual(skipped);
      expect(report.counts.valid).toBe(LINES);
      checkAccounting(out);

      // Cross-shard: some pair's chosen and rejected were ingested in different shards, far apart.
      const shards = await shardOf(store);
      const split = pairs.filter((l) => shards.get(l.chosen_id) !== shards.get(l.rejected_id));
      expect(split.length).toBeGreaterThan(pairs.length / 2);
      expect(Math.max(...pairs.map((l) => Math.abs(key(l.chosen) - key(l.rejected))))).toBeGreaterThan(
        LINES / 2,
      );
    });
  }

  it('a step without a logprob: counted at the floor, the rollout skipped, or an error naming the step', async () => {
    // Task a: a fully logged failure (−1 per step, above the floor) and a partly logged failure
    // whose missing step would count as p = 1 if it added 0. Task b: two fully logged rollouts.
    const rows = [
      {
        task: 'a',
        steps: [
          { action: [0], logprob: -1 },
          { action: [1], logprob: -1 },
        ],
        success: false,
      },
      { task: 'a', steps: [{ action: [0], logprob: -1 }, { action: [1] }], success: false },
      { task: 'b', steps: [{ action: [0], logprob: -0.1 }], success: true },
      { task: 'b', steps: [{ action: [0], logprob: -2 }], success: true },
    ];
    const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    const pairsOf = (out: Run) => out.pairs.map((l) => [key(l.chosen), key(l.rejected)]);
    // floor (the default): the missing step counts ln 0.05 < −1, so the fully logged rollout wins.
    const floor = await run(text, { pairs: { payload: 'key' } });
    expect(pairsOf(floor).sort()).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(floor.pairs.find((l) => key(l.chosen) === 0)!.margin).toBeCloseTo(0.01 * (-1 - Math.log(0.05)), 9);
    // skip: the partly logged rollout is not scored; task a has one scored member left.
    const skip = await run(text, { pairs: { payload: 'key', trajectory: { missingLogprob: 'skip' } } });
    expect(pairsOf(skip)).toEqual([[2, 3]]);
    expect(skip.report.pairs!.members).toMatchObject({ total: 4, scored: 3 });
    expect(skip.report.pairs!.groups.skipped).toEqual({ missing_score: 1 });
    // error: the partly logged rollout is invalid, with the step named; the others are paired.
    const error = await run(text, { pairs: { payload: 'key', trajectory: { missingLogprob: 'error' } } });
    expect(error.invalid).toEqual([
      expect.objectContaining({
        source: { index: 1, line: 2 },
        error: expect.objectContaining({ code: 'missing_logprob', path: 'steps[1].logprob' }),
      }),
    ]);
    expect(error.invalid[0].error.message).toContain('steps[1] has no logprob');
    expect(error.report.counts).toMatchObject({ input: 4, valid: 3, invalid: 1 });
    expect(pairsOf(error)).toEqual([[2, 3]]);
    // Ranked by a given score, a rollout without logprobs is not an error.
    const given = rows.map((r, i) => ({ ...r, score: i }));
    const byGiven = await run(`${given.map((r) => JSON.stringify(r)).join('\n')}\n`, {
      pairs: { payload: 'key', score: 'given', trajectory: { missingLogprob: 'error' } },
    });
    expect(byGiven.invalid).toEqual([]);
  });

  it('matches the reference with non-default trajectory settings', async () => {
    const trajectory = {
      lambda: { self: 0.5, external: 3, success: 1 },
      pFloor: 0.05,
      beta: { collision: 0.3 },
      thresholds: { default: { grasp: { time: 100 }, place: { collision: 2 } } },
    };
    const text = trajectories({ tasks: 12, rollouts: 6, steps: 5, states: 2, seed: 9 });
    const out = await run(text, { shardBytes: 1024, pairs: { payload: 'key', partitions: 4, trajectory } });
    const ref = referencePairs(text, trajectory as ReferenceOptions);
    const got = out.pairs.map((l) => [key(l.chosen), key(l.rejected)]).sort((a, b) => a[0] - b[0]);
    const want = ref.pairs.map((p) => [p.chosenIndex, p.rejectedIndex]).sort((a, b) => a[0] - b[0]);
    expect(got).toEqual(want);
    for (const l of out.pairs) expect(l.score_chosen).toBeCloseTo(ref.totals[key(l.chosen)], 9);
    checkAccounting(out);
  });

  it('gives the same pairs whatever the shard size and partition count, for every strategy', async () => {
    const text = trajectories({ tasks: 10, rollouts: 6, steps: 3, states: 2, seed: 3 });
    for (const strategy of [
      { id: 'best-worst' },
      { id: 'best-vs-random' },
      { id: 'all-margin' },
      { id: 'topk-bottomk', k: 2 },
    ]) {
      const ids = (r: Run) => r.pairs.map((l) => `${l.chosen_id}>${l.rejected_id}`).sort();
      const a = await run(text, { pairs: { strategy, payload: 'key' } });
      const b = await run(text, { shardBytes: 1024, pairs: { strategy, payload: 'key', partitions: 7 } });
      expect(a.report.stages.ingest.shards).toBe(1);
      expect(ids(b)).toEqual(ids(a));
      expect(ids(a).length).toBeGreaterThan(0);
      checkAccounting(a);
      checkAccounting(b);
    }
  });

  it('best-vs-random follows the recipe seed; maxPerGroup caps every group', async () => {
    const text = trajectories({ tasks: 10, rollouts: 6, steps: 3, states: 1, seed: 4 });
    const ids = (r: Run) => r.pairs.map((l) => `${l.chosen_id}>${l.rejected_id}`).sort();
    const bvr = (seed: number) =>
      run(text, { seed, shardBytes: 1024, pairs: { strategy: { id: 'best-vs-random' }, payload: 'key' } });
    const first = await bvr(1);
    expect(ids(await bvr(1))).toEqual(ids(first));
    const others = await Promise.all([2, 3, 4, 5].map(bvr));
    expect(others.some((r) => ids(r).join() !== ids(first).join())).toBe(true);
    // The chosen side never depends on the seed: always each group's best.
    const chosen = (r: Run) => r.pairs.map((l) => l.chosen_id).sort();
    for (const r of others) expect(chosen(r)).toEqual(chosen(first));

    const capped = await run(text, {
      shardBytes: 1024,
      pairs: { strategy: { id: 'all-margin' }, maxPerGroup: 2, payload: 'key', partitions: 2 },
    });
    checkAccounting(capped);
    for (const g of capped.groups) expect(g.candidates).toBeLessThanOrEqual(2);
    expect(capped.groups.filter((g) => g.pairs === 2).length).toBeGreaterThan(0);
  });

  it("groupBy task merges a task's initial states into one group", async () => {
    const text = trajectories({ tasks: 8, rollouts: 5, steps: 2, states: 3, seed: 6 });
    const tasks = new Set(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).task),
    );
    const byState = await run(text, { pairs: {} });
    const byTask = await run(text, { pairs: { groupBy: 'task' } });
    expect(byTask.groups).toHaveLength(tasks.size);
    expect(byState.groups.length).toBeGreaterThan(tasks.size);
    for (const g of byTask.groups) expect(g.group).toBe(g.task);
    checkAccounting(byTask);
  });

  // BUG: a rollout group key is `${task} ${canonicalJson(initialState)}` (src/pairs/normalize.ts,
  // trajectory()), so task 'a {"x":1}' without a state and task 'a' with initialState {x: 1} share the
  // group key 'a {"x":1}' and, in one partition, are ranked and paired together across tasks.
  it('keeps rollouts of different tasks apart even when their group keys would collide', async () => {
    const rows = [
      { task: 'a {"x":1}', steps: [{ action: [0], logprob: -0.1 }], success: true },
      { task: 'a', initialState: { x: 1 }, steps: [{ action: [0], logprob: -0.5 }], success: false },
    ];
    const out = await run(jsonl(rows), { pairs: { partitions: 1 } });
    expect(out.pairs).toHaveLength(0);
    expect(out.report.pairs!.groups).toEqual({
      total: 2,
      used: 0,
      skipped: { single_response: 2 },
      examples: expect.any(Object),
    });
  });

  it('full payload writes the whole rollout as chosen / rejected', async () => {
    const rows = [
      { task: 't', steps: [{ action: [1], logprob: -0.1 }], success: true },
      { task: 't', steps: [{ action: [2], logprob: -0.2 }], success: false },
    ];
    const { pairs } = await run(jsonl(rows), { pairs: {} });
    expect(pairs).toHaveLength(1);
    expect(pairs[0].prompt).toBe('t');
    expect(pairs[0].chosen).toEqual(rows[0]);
    expect(pairs[0].rejected).toEqual(rows[1]);
    // 0.01·(−0.1) + 1 + 5 − (0.01·(−0.2) + 1) = 5.001
    expect(pairs[0].margin).toBeCloseTo(5.001, 12);
    expect(pairs[0].group).toBe('t');
    expect(pairs[0].task).toBe('t');
  });
});

describe('pairs pipeline: responses', () => {
  const pad = 'x'.repeat(700);
  const filler = (i: number) => ({
    prompt: `filler ${i}`,
    responses: [
      { text: `long ${pad}`, score: 2 },
      { text: 'short', score: 1 },
    ],
  });
  const ROWS = [
    // 0: responses[1] has no text (invalid on its own); a and c still pair.
    { prompt: 'P1', responses: [{ text: 'a', score: 3 }, { score: 2 }, { text: 'c', score: 1 }] },
    // 1: a single response.
    { prompt: 'P2', responses: [{ text: 'only', score: 1 }] },
    // 2: P3's first response; its other two come in row 6, shards later.
    { prompt: 'P3', responses: [{ text: 'x1', score: 5 }] },
    filler(3),
    filler(4),
    filler(5),
    {
      prompt: 'P3',
      responses: [
        { text: 'x2', score: 1, meta: { judge: 'm' } },
        { text: 'x3', score: 4 },
      ],
    },
    // 7: conversational prompt.
    {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q?' },
      ],
      responses: [
        { text: 'bad', score: 0.1 },
        { text: 'good', score: 0.9 },
      ],
    },
    // 8: unscored responses.
    { prompt: 'P5', responses: [{ text: 'u1' }, { text: 'u2', score: 1 }] },
    // 9: equal scores.
    {
      prompt: 'P6',
      responses: [
        { text: 'e1', score: 1 },
        { text: 'e2', score: 1 },
      ],
    },
  ];

  it('builds TRL pairs, merges a prompt across shards, reports every group', async () => {
    const out = await run(jsonl(ROWS), { shardBytes: 1024, pairs: { partitions: 3 } });
    const { pairs, groups, invalid, report, store } = out;
    expect(report.stages.ingest.shards).toBeGreaterThan(2);

    expect(invalid).toHaveLength(1);
    expect(invalid[0].source.index).toBe(0);
    expect(invalid[0].error.path).toBe('responses[1].text');
    expect(invalid[0].error.code).toBe('invalid_record');

    const byPrompt = new Map(pairs.map((l) => [JSON.stringify(l.prompt), l]));
    expect(byPrompt.get('"P1"')).toMatchObject({
      chosen: 'a',
      rejected: 'c',
      score_chosen: 3,
      score_rejected: 1,
      margin: 2,
    });
    const p3 = byPrompt.get('"P3"')!;
    expect(p3).toMatchObject({ chosen: 'x1', rejected: 'x2', margin: 4 });
    // A response's meta rides along with it; none is written for a response without one.
    expect(p3.rejected_meta).toEqual({ judge: 'm' });
    expect('chosen_meta' in p3).toBe(false);
    const shards = await shardOf(store);
    expect(shards.get(p3.chosen_id)).not.toBe(shards.get(p3.rejected_id));
    const conv = pairs.find((l) => Array.isArray(l.prompt))!;
    expect(conv.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Q?' },
    ]);
    expect(conv.chosen).toEqual([{ role: 'assistant', content: 'good' }]);
    expect(conv.rejected).toEqual([{ role: 'assistant', content: 'bad' }]);
    expect(conv.margin).toBeCloseTo(0.8, 12);
    // P1, P3, the conversation and the three fillers.
    expect(pairs).toHaveLength(6);

    const group = (prompt: string) =>
      groups.find((g) => g.group === pairs.find((l) => l.prompt === prompt)?.group);
    expect(group('P3')).toMatchObject({ members: 3, scored: 3, best: 5, worst: 1, pairs: 1, status: 'used' });
    expect(group('P1')).toMatchObject({ members: 2, status: 'used' });
    expect(report.pairs!.groups).toEqual({
      total: 9,
      used: 6,
      skipped: { single_response: 1, missing_score: 1, margin_too_small: 1 },
      examples: expect.any(Object),
    });
    const skipped = groups.filter((g) => g.status === 'skipped');
    expect(skipped.map((g) => [g.members, g.scored, g.reason]).sort()).toEqual(
      [
        [1, 1, 'single_response'],
        [2, 1, 'missing_score'],
        [2, 2, 'margin_too_small'],
      ].sort(),
    );
    // Members: 2 + 1 + 3 + 2·3 + 2 + 2 + 2 = 18 valid, 1 invalid; 12 paired (2 per used group).
    expect(report.counts).toEqual({ input: 19, valid: 18, invalid: 1, selected: 12, rejected: 6 });
    expect(report.rejectedByReason).toEqual({
      single_response: 1,
      missing_score: 2,
      margin_too_small: 2,
      not_paired: 1, // P3's middle response (x3)
    });
    expect(report.pairs!.tasks).toEqual({ total: 9, used: 6 });
    checkAccounting(out);
  });

  it('one row per response: rows sharing `group` are ranked together', async () => {
    const rows = [
      { group: 'g1', prompt: 'Q1', text: 'A', score: 1 },
      { group: 2, prompt: 'Q2', text: 'C', score: 4 },
      { group: 'g1', prompt: 'Q1', text: 'B', score: 3 },
      { group: 'g1', prompt: 'Q1', text: 'D', score: 2 },
      { group: 3, prompt: 'Q3', text: 'E', score: 4 },
      { group: 2, prompt: 'Q2', text: 'F', score: 0.5 },
    ];
    const out = await run(jsonl(rows), { pairs: {} });
    expect(
      out.pairs
        .map((l) => [l.group, l.prompt, l.chosen, l.rejected, l.margin])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['2', 'Q2', 'C', 'F', 3.5],
      ['g1', 'Q1', 'B', 'A', 2],
    ]);
    expect(out.report.pairs!.groups).toEqual({
      total: 3,
      used: 2,
      skipped: { single_response: 1 },
      examples: expect.any(Object),
    });
    expect(out.report.pairs!.groupBy).toBe('auto');
    expect(out.report.pairs!.score).toBe('auto');
    checkAccounting(out);
  });

  it('groupBy prompt merges one-row-per-response rows of the same prompt across group keys', async () => {
    const rows = [
      { group: 'a', prompt: 'Q', text: 'A', score: 1 },
      { group: 'b', prompt: 'Q', text: 'B', score: 3 },
    ];
    const out = await run(jsonl(rows), { pairs: { groupBy: 'prompt' } });
    expect(out.pairs.map((l) => [l.chosen, l.rejected])).toEqual([['B', 'A']]);
    const byGroup = await run(jsonl(rows), { pairs: { groupBy: 'group' } });
    expect(byGroup.pairs).toHaveLength(0);
    expect(byGroup.report.pairs!.groups.skipped).toEqual({ single_response: 2 });
  });
});

/** Responses rows with seeded scores: `prompts` groups of 2-6 responses, ties in gaps included. */
function responsesData(prompts: number, seed: number) {
  const rand = mulberry32(seed);
  const rows = Array.from({ length: prompts }, (_, p) => ({
    prompt: `prompt ${p} ${'p'.repeat(200)}`,
    responses: Array.from({ length: 2 + Math.floor(rand() * 5) }, (_, r) => ({
      text: `answer ${p}.${r}`,
      score: Math.floor(rand() * 20) / 4,
    })),
  }));
  return jsonl(rows);
}

describe('pairs pipeline: budget', () => {
  const text = responsesData(14, 21);
  const base = { shardBytes: 1024, pairs: { strategy: { id: 'all-margin' }, partitions: 3 } };
  const pairId = (l: PairLine) => `${l.chosen_id}>${l.rejected_id}`;

  it('without balance: exactly `budget` pairs, the largest gaps (ties by tie key)', async () => {
    const all = await run(text, base);
    checkAccounting(all);
    const budget = 17;
    expect(all.pairs.length).toBeGreaterThan(budget * 2);
    const out = await run(text, { ...base, pairs: { ...base.pairs, budget } });
    checkAccounting(out);
    expect(out.pairs).toHaveLength(budget);
    expect(out.report.budget).toMatchObject({
      requested: budget,
      target: budget,
      reachable: true,
      met: true,
    });
    const sorted = [...all.pairs].sort(
      (a, b) =>
        b.margin - a.margin || tieKey(a.chosen_id, a.rejected_id) - tieKey(b.chosen_id, b.rejected_id),
    );
    expect(out.pairs.map((l) => l.margin).sort((a, b) => b - a)).toEqual(
      sorted.slice(0, budget).map((l) => l.margin),
    );
    expect(out.pairs.map(pairId).sort()).toEqual(sorted.slice(0, budget).map(pairId).sort());
    // Candidates are those of the unbudgeted run; groups with candidates but no kept pair: 'budget'.
    expect(out.report.pairs!.candidates).toBe(all.pairs.length);
    const cutGroups = out.groups.filter((g) => g.candidates > 0 && g.pairs === 0);
    expect(cutGroups.length).toBeGreaterThan(0);
    for (const g of cutGroups) expect(g).toMatchObject({ status: 'skipped', reason: 'budget' });
    expect(out.report.pairs!.groups.skipped.budget).toBe(cutGroups.length);
  });

  it('a budget over the candidates keeps every pair (not met, not reachable)', async () => {
    const all = await run(text, base);
    const out = await run(text, { ...base, pairs: { ...base.pairs, budget: 10_000 } });
    expect(out.pairs.map(pairId).sort()).toEqual(all.pairs.map(pairId).sort());
    expect(out.report.budget).toMatchObject({ requested: 10_000, reachable: false, met: false });
    expect(out.report.pairs!.groups.skipped.budget).toBeUndefined();
  });

  it('balanceTasks over rollouts: water-filling per task across its groups', async () => {
    const traj = trajectories({ tasks: 10, rollouts: 6, steps: 3, states: 2, seed: 8 });
    const recipe = {
      shardBytes: 1024,
      pairs: { strategy: { id: 'all-margin' }, payload: 'key', partitions: 3 },
    };
    const all = await run(traj, recipe);
    const count = (lines: PairLine[]) => {
      const m = new Map<string, number>();
      for (const l of lines) m.set(l.task, (m.get(l.task) ?? 0) + 1);
      return m;
    };
    const candidates = count(all.pairs);
    // Several groups per task (task + state).
    expect(new Set(all.groups.map((g) => g.task)).size).toBeLessThan(all.groups.length);
    for (const budget of [7, 23, 40]) {
      const out = await run(traj, { ...recipe, pairs: { ...recipe.pairs, budget, balanceTasks: true } });
      checkAccounting(out);
      expect(out.pairs).toHaveLength(budget);
      const q = out.report.pairs!.budget.quota!;
      expect(out.report.pairs!.budget).toEqual({ requested: budget, balanced: true, quota: q });
      // q is the water level: Σ min(count, q) ≤ budget < Σ min(count, q + 1).
      const filled = (x: number) => [...candidates.values()].reduce((a, c) => a + Math.min(c, x), 0);
      expect(filled(q)).toBeLessThanOrEqual(budget);
      expect(filled(q + 1)).toBeGreaterThan(budget);
      const kept = count(out.pairs);
      const over: number[] = [];
      for (const [task, c] of candidates) {
        const k = kept.get(task) ?? 0;
        if (c <= q) expect(k).toBe(c);
        else {
          expect([q, q + 1]).toContain(k);
          over.push(k);
        }
        // Each task keeps its largest gaps.
        const margins = (ls: PairLine[]) =>
          ls
            .filter((l) => l.task === task)
            .map((l) => l.margin)
            .sort((a, b) => b - a);
        expect(margins(out.pairs)).toEqual(margins(all.pairs).slice(0, k));
      }
      expect(Math.max(...over) - Math.min(...over)).toBeLessThanOrEqual(1);
      for (const g of out.groups)
        if (g.candidates > 0 && g.pairs === 0)
          expect(g).toMatchObject({ status: 'skipped', reason: 'budget' });
    }
    // Budget 7 < 10 tasks: q = 0, some tasks get nothing and their groups are cut by the budget.
    const small = await run(traj, { ...recipe, pairs: { ...recipe.pairs, budget: 7, balanceTasks: true } });
    expect(small.report.pairs!.budget.quota).toBe(0);
    expect(small.report.pairs!.groups.skipped.budget).toBeGreaterThan(0);
    expect(small.report.pairs!.tasks.used).toBe(7);
  });
});

describe('pairs pipeline: requireSuccessAndFailure', () => {
  it('skips groups without a failure or a success, and says which', async () => {
    const t = (task: string, success: boolean | undefined, lp: number) => ({
      task,
      steps: [{ action: [0], logprob: lp }],
      ...(success === undefined ? {} : { success }),
    });
    const rows = [
      t('all-ok', true, -0.1),
      t('all-ok', true, -0.5),
      t('all-fail', false, -0.1),
      t('all-fail', false, -0.9),
      t('mixed', true, -0.1),
      t('mixed', false, -0.2),
      t('mixed', false, -0.3),
      t('unknown', undefined, -0.1),
      t('unknown', undefined, -0.4),
    ];
    const out = await run(jsonl(rows), { pairs: { requireSuccessAndFailure: true } });
    expect(out.report.pairs!.groups.skipped).toEqual({ no_failure: 2, no_success: 1 });
    const g = new Map(out.groups.map((l) => [l.group, l]));
    expect(g.get('all-ok')).toMatchObject({ successes: 2, failures: 0, reason: 'no_failure' });
    expect(g.get('all-fail')).toMatchObject({ successes: 0, failures: 2, reason: 'no_success' });
    expect(g.get('mixed')).toMatchObject({ successes: 1, failures: 2, status: 'used', pairs: 1 });
    expect(g.get('unknown')).toMatchObject({ reason: 'no_failure' });
    expect(g.get('unknown')!.successes).toBeUndefined();
    expect(out.report.rejectedByReason).toEqual({ no_failure: 4, no_success: 2, not_paired: 1 });
    checkAccounting(out);
    // Without the option every group pairs.
    const plain = await run(jsonl(rows), { pairs: {} });
    expect(plain.report.pairs!.groups).toEqual({ total: 4, used: 4, skipped: {}, examples: {} });
  });

  it('on generated rollouts: the reasons match the groups’ outcomes', async () => {
    const out = await run(TRAJ, {
      shardBytes: 1024,
      pairs: { requireSuccessAndFailure: true, payload: 'key' },
    });
    checkAccounting(out);
    const skipped = out.report.pairs!.groups.skipped;
    expect(skipped.no_failure).toBeGreaterThan(0);
    expect(skipped.no_success).toBeGreaterThan(0);
    for (const g of out.groups) {
      if (g.reason === 'no_failure') expect(g.failures).toBe(0);
      if (g.reason === 'no_success') expect([g.successes, g.failures! > 0]).toEqual([0, true]);
      if (g.status === 'used') expect(g.successes! * g.failures!).toBeGreaterThan(0);
    }
  });
});

describe('pairs pipeline: formats and recipe checks', () => {
  it('a recipe without pairs rejects preference rows as needs_pairs', async () => {
    const rows = [
      { task: 't', steps: [{ action: [0] }] },
      { prompt: 'P', responses: [{ text: 'a' }] },
      { instruction: 'Say hi', output: 'Hello there, nice to meet you.' },
    ];
    const out = await run(jsonl(rows), {});
    expect(out.invalid.map((l) => [l.source.index, l.error.code])).toEqual([
      [0, 'needs_pairs'],
      [1, 'needs_pairs'],
    ]);
    expect(out.report.counts.valid).toBe(1);
  });

  it('a pairs recipe rejects an alpaca row as unknown_format', async () => {
    const rows = [
      { instruction: 'Say hi', output: 'Hello.' },
      { prompt: 'P', responses: [{ text: 'a', score: 1 }] },
    ];
    const out = await run(jsonl(rows), { pairs: {} });
    expect(out.invalid).toHaveLength(1);
    expect(out.invalid[0].source.index).toBe(0);
    expect(out.invalid[0].error.code).toBe('unknown_format');
    expect(out.report.counts).toMatchObject({ input: 2, valid: 1, invalid: 1 });
  });

  it('groupBy that does not fit the data is an invalid record', async () => {
    const out = await run(jsonl([{ task: 't', steps: [{ action: [0] }] }]), { pairs: { groupBy: 'prompt' } });
    expect(out.invalid.map((l) => [l.error.code, l.error.path])).toEqual([['invalid_record', 'task']]);
  });

  it('validateRecipe: pairs.score must be written by a scorer; balanceTasks needs a budget; formats agree', () => {
    const issues = (recipe: unknown) => {
      try {
        validateRecipe(RecipeSchema.parse(recipe));
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(WinnowError);
        expect((e as WinnowError).code).toBe('validation_failed');
        return ((e as WinnowError).details as { path: string }[]).map((i) => i.path);
      }
    };
    expect(issues({ pairs: { score: 'no-such-score' } })).toEqual(['pairs.score']);
    expect(issues({ pairs: { balanceTasks: true } })).toEqual(['pairs.balanceTasks']);
    expect(issues({ pairs: { balanceTasks: true, budget: 5 } })).toEqual([]);
    for (const score of ['auto', 'given', 'trajectory', 'quality', 'length'])
      expect(issues({ pairs: { score } })).toEqual([]);
    // The format and the pairs section must agree; a pairs recipe neither clusters nor selects in context.
    expect(issues({ format: 'trajectory' })).toEqual(['format']);
    expect(issues({ format: 'alpaca', pairs: {} })).toEqual(['format']);
    expect(issues({ format: 'responses', pairs: {} })).toEqual([]);
    expect(issues({ cluster: { k: 2 }, pairs: {} })).toEqual(['cluster']);
  });

  it('ranks by a scorer output when pairs.score names one', async () => {
    const rows = [
      {
        prompt: 'Explain rain.',
        responses: [
          { text: 'Rain.' },
          { text: 'Water vapour condenses into droplets that grow heavy enough to fall as rain.' },
        ],
      },
    ];
    const out = await run(jsonl(rows), { pairs: { score: 'length' } });
    expect(out.report.pairs!.score).toBe('length');
    expect(out.groups[0].scored).toBe(2);
    // The length scorer prefers the full answer; the given scores are absent and unused.
    expect(out.pairs).toHaveLength(1);
    expect(out.pairs[0].chosen).toBe(rows[0].responses[1].text);
    expect(out.pairs[0].rejected).toBe('Rain.');
    checkAccounting(out);
  });
});
