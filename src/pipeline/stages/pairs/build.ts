import type { GroupLine, PairLine } from '../../../../schemas/pairs.ts';
import {
  byGap,
  keepTop,
  type PairCut,
  quotaCut,
  type Ranked,
  type RankedSource,
  taskQuota,
  topCut,
} from '../../../pairs/budget.ts';
import { keyHash53, tieKey } from '../../../pairs/keys.ts';
import { type Candidate, groupPairs, orderMembers, type SkipReason } from '../../../pairs/strategies.ts';
import { fromJsonl, toJsonl } from '../../jsonl.ts';
import { outputPartKey, pairsIndexKey, pairsScatterKey } from '../../keys.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec } from '../../types.ts';
import type { ScatterLine } from './scatter.ts';

/** One group of a partition: members best first, and its candidate pairs in gap order. */
interface BuiltGroup {
  key: string;
  task: string;
  members: ScatterLine[];
  candidates: (Candidate & { tie: number })[];
  reason?: SkipReason;
}

/** Gather a partition's members from every shard and build each group's candidates (deterministic). */
async function buildPartition(store: BlobStore, spec: JobSpec, partition: number, shards: number) {
  const pairs = spec.recipe.pairs!;
  const byGroup = new Map<string, BuiltGroup['members']>();
  for (let s = 0; s < shards; s++) {
    const lines = fromJsonl<ScatterLine>(await getText(store, pairsScatterKey(spec.id, partition, s)));
    for (const l of lines) {
      // Keyed by task and group, so members of different tasks never share a group.
      const at = JSON.stringify([l.t, l.g]);
      const list = byGroup.get(at);
      if (list) list.push(l);
      else byGroup.set(at, [l]);
    }
  }
  const opts = { ...pairs, seed: spec.recipe.seed };
  const groups: BuiltGroup[] = [];
  for (const at of [...byGroup.keys()].sort()) {
    const members = orderMembers(byGroup.get(at)!);
    const key = members[0].g;
    const { candidates, reason } = groupPairs(members, key, opts);
    groups.push({
      key,
      task: members[0].t,
      members,
      candidates: candidates.map((c) => ({
        ...c,
        tie: tieKey(members[c.chosen].id, members[c.rejected].id),
      })),
      ...(reason ? { reason } : {}),
    });
  }
  return groups;
}

/** Each task's groups, in the order they were built. */
function byTask(groups: BuiltGroup[]): Map<string, BuiltGroup[]> {
  const tasks = new Map<string, BuiltGroup[]>();
  for (const g of groups) {
    const list = tasks.get(g.task);
    if (list) list.push(g);
    else tasks.set(g.task, [g]);
  }
  return tasks;
}

/**
 * With a budget, step 1 of the pairs stage: what the cut needs of one partition, written to R2 as
 * float64 pairs. Balanced: (task hash, candidates) per task; else (gap, tie key) of its best `budget`
 * candidates in gap order (no more can survive the cut).
 */
export async function pairsIndex(store: BlobStore, spec: JobSpec, partition: number, shards: number) {
  const pairs = spec.recipe.pairs!;
  const groups = await buildPartition(store, spec, partition, shards);
  let values: number[];
  if (pairs.balanceTasks) {
    values = [];
    for (const [task, list] of byTask(groups))
      values.push(
        keyHash53(task),
        list.reduce((a, g) => a + g.candidates.length, 0),
      );
  } else {
    const all: Ranked[] = groups.flatMap((g) => g.candidates).sort(byGap);
    values = all.slice(0, pairs.budget).flatMap((c) => [c.margin, c.tie]);
  }
  await store.put(pairsIndexKey(spec.id, partition), new Uint8Array(new Float64Array(values).buffer));
  return { entries: values.length / 2 };
}

/** Step 2, one task: the cut over every partition's summary. */
export async function pairsCut(store: BlobStore, spec: JobSpec, partitions: number): Promise<PairCut> {
  const pairs = spec.recipe.pairs!;
  if (pairs.budget === undefined) return { kind: 'all' };
  const keys = Array.from({ length: partitions }, (_, p) => pairsIndexKey(spec.id, p));
  const pairsOf = (bytes: Uint8Array) => new Float64Array(bytes.slice().buffer);
  if (pairs.balanceTasks) {
    // 16 bytes per task: every partition's counts are read whole.
    const tasks: { hash: number; count: number }[] = [];
    for (const key of keys) {
      const v = pairsOf((await store.get(key)) ?? new Uint8Array(0));
      for (let i = 0; i + 1 < v.length; i += 2) tasks.push({ hash: v[i], count: v[i + 1] });
    }
    return quotaCut(tasks, pairs.budget);
  }
  // The gaps are merged a chunk at a time by byte range: memory stays one chunk per partition.
  const sources: RankedSource[] = await Promise.all(
    keys.map(async (key) => ({
      length: ((await store.head(key))?.size ?? 0) / 16,
      async read(from: number, count: number) {
        const v = pairsOf(await store.range(key, from * 16, count * 16));
        return Array.from({ length: v.length / 2 }, (_, i) => ({ margin: v[2 * i], tie: v[2 * i + 1] }));
      },
    })),
  );
  return topCut(sources, pairs.budget);
}

/** Skipped groups named per reason in the report (groups.jsonl lists every one). */
export const EXAMPLES = 5;

export interface PairsTally {
  pairs: number;
  candidates: number;
  groups: number;
  skipped: Record<string, number>;
  /** Up to EXAMPLES group keys per skip reason, in group order. */
  examples: Record<string, string[]>;
  tasks: number;
  tasksUsed: number;
  members: number;
  scored: number;
  paired: number;
  /** Members in no pair, by why: their group's skip reason, `missing_score`, or `not_paired`. */
  rejectedByReason: Record<string, number>;
  margin: { sum: number; min: number; max: number };
  bytes: { 'pairs.jsonl': number; 'groups.jsonl': number };
}

/** The last step, per partition: apply the cut, write its part of pairs.jsonl and groups.jsonl. */
export async function pairsWrite(
  store: BlobStore,
  spec: JobSpec,
  partition: number,
  shards: number,
  cut: PairCut,
): Promise<PairsTally> {
  const groups = await buildPartition(store, spec, partition, shards);
  const kept = keptCandidates(groups, cut);
  const t: PairsTally = {
    pairs: 0,
    candidates: 0,
    groups: groups.length,
    skipped: {},
    examples: {},
    tasks: 0,
    tasksUsed: 0,
    members: 0,
    scored: 0,
    paired: 0,
    rejectedByReason: {},
    margin: { sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY },
    bytes: { 'pairs.jsonl': 0, 'groups.jsonl': 0 },
  };
  const pairLines: PairLine[] = [];
  const groupLines: GroupLine[] = [];
  const usedTasks = new Set<string>();
  const count = (rec: Record<string, number>, k: string) => {
    rec[k] = (rec[k] ?? 0) + 1;
  };
  for (const g of groups) {
    const keep = kept.get(g) ?? [];
    const paired = new Set<number>();
    for (const c of keep) {
      const a = g.members[c.chosen];
      const b = g.members[c.rejected];
      paired.add(c.chosen).add(c.rejected);
      pairLines.push({
        prompt: a.p,
        chosen: a.c,
        rejected: b.c,
        score_chosen: a.score as number,
        score_rejected: b.score as number,
        margin: c.margin,
        group: g.key,
        task: g.task,
        chosen_id: a.id,
        rejected_id: b.id,
        ...(a.m === undefined ? {} : { chosen_meta: a.m }),
        ...(b.m === undefined ? {} : { rejected_meta: b.m }),
        ...(spec.round === undefined ? {} : { round: spec.round }),
      });
      t.margin.sum += c.margin;
      t.margin.min = Math.min(t.margin.min, c.margin);
      t.margin.max = Math.max(t.margin.max, c.margin);
    }
    const reason = keep.length > 0 ? undefined : (g.reason ?? 'budget');
    if (reason) {
      count(t.skipped, reason);
      const ex = (t.examples[reason] ??= []);
      if (ex.length < EXAMPLES) ex.push(g.key);
    } else usedTasks.add(g.task);
    g.members.forEach((m, i) => {
      if (paired.has(i)) return;
      count(t.rejectedByReason, reason ?? (m.score === null ? 'missing_score' : 'not_paired'));
    });
    const scored = g.members.filter((m) => m.score !== null);
    const hasOutcome = g.members.some((m) => m.success !== undefined);
    groupLines.push({
      group: g.key,
      task: g.task,
      members: g.members.length,
      scored: scored.length,
      ...(hasOutcome
        ? {
            successes: g.members.filter((m) => m.success === true).length,
            failures: g.members.filter((m) => m.success === false).length,
          }
        : {}),
      best: scored[0]?.score ?? null,
      worst: scored[scored.length - 1]?.score ?? null,
      candidates: g.candidates.length,
      pairs: keep.length,
      status: reason ? 'skipped' : 'used',
      ...(reason ? { reason } : {}),
    });
    t.pairs += keep.length;
    t.candidates += g.candidates.length;
    t.members += g.members.length;
    t.scored += scored.length;
    t.paired += paired.size;
  }
  t.tasks = byTask(groups).size;
  t.tasksUsed = usedTasks.size;
  for (const [file, lines] of [
    ['pairs.jsonl', pairLines],
    ['groups.jsonl', groupLines],
  ] as const) {
    const data = new TextEncoder().encode(toJsonl(lines));
    t.bytes[file] = data.byteLength;
    await store.put(outputPartKey(spec.id, file, partition), data);
  }
  return t;
}

/** The candidates each group keeps under the cut. */
function keptCandidates(groups: BuiltGroup[], cut: PairCut): Map<BuiltGroup, BuiltGroup['candidates']> {
  const kept = new Map<BuiltGroup, BuiltGroup['candidates']>();
  if (cut.kind === 'all') for (const g of groups) kept.set(g, g.candidates);
  else if (cut.kind === 'top')
    for (const g of groups)
      kept.set(
        g,
        g.candidates.filter((c) => keepTop(c, cut)),
      );
  else {
    // Each task's share goes to its largest gaps, across its groups.
    for (const [task, list] of byTask(groups)) {
      const all = list.flatMap((g) => g.candidates.map((c) => ({ g, c, margin: c.margin, tie: c.tie })));
      all.sort(byGap);
      const share = taskQuota(keyHash53(task), all.length, cut);
      for (const g of list) kept.set(g, []);
      for (const { g, c } of all.slice(0, share)) kept.get(g)!.push(c);
    }
  }
  return kept;
}
