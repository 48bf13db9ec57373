import type { PairsReport } from '../../../../schemas/pairs.ts';
import type { PairCut } from '../../../pairs/budget.ts';
import { ALL } from '../../../select/index.ts';
import type { Advance, BarrierInput, PipelineState } from '../../advance.ts';
import { buildReport } from '../../report.ts';
import type { JobSpec, ShardInfo } from '../../spec.ts';
import type { FitOutcome, IngestTally, ScoreTally } from '../index.ts';
import { EXAMPLES, type PairsTally } from './build.ts';
import { PAIRS_ITER, pairPartitions, type ScatterTally } from './scatter.ts';

const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** After ingest (or scoring): the scatter, one task per shard. */
export function openPairs(spec: JobSpec, shards: number, state: PipelineState, table?: ShardInfo[]): Advance {
  return {
    kind: 'open',
    stage: 'pairs',
    iter: PAIRS_ITER.scatter,
    shards: all(shards),
    state: { ...state, pairs: { partitions: pairPartitions(spec) } },
    ...(table ? { table } : {}),
  };
}

/** A pairs step's barrier: the next step, or the job's end. */
export function advancePairs(input: BarrierInput): Advance {
  const { spec, state } = input;
  const { partitions } = state.pairs!;
  const open = (iter: number, shards: number[], st: PipelineState): Advance => ({
    kind: 'open',
    stage: 'pairs',
    iter,
    shards,
    state: st,
  });
  if (input.iter === PAIRS_ITER.scatter)
    return open(spec.recipe.pairs!.budget ? PAIRS_ITER.index : PAIRS_ITER.write, all(partitions), state);
  if (input.iter === PAIRS_ITER.index) return open(PAIRS_ITER.cut, [0], state);
  if (input.iter === PAIRS_ITER.cut) {
    const cut = input.results[0] as PairCut;
    return open(PAIRS_ITER.write, all(partitions), { ...state, pairs: { partitions, cut } });
  }
  return finishPairs(input, state);
}

function add(into: Record<string, number>, from: Record<string, number>) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * A pairs job's report and output manifest. Its counts are of members (each response of a responses
 * row, each rollout): `selected` are those in at least one pair, `rejected` the rest, by reason.
 */
export function finishPairs(input: BarrierInput, state: PipelineState): Advance {
  const { spec } = input;
  const pairs = spec.recipe.pairs!;
  const done = input.stage === 'pairs';
  const written = (done ? input.history('pairs', PAIRS_ITER.write) : []) as PairsTally[];
  const scattered = (done ? input.history('pairs', PAIRS_ITER.scatter) : []) as ScatterTally[];
  const ingested = (done ? input.history('ingest') : []) as IngestTally[];
  const skipped: Record<string, number> = {};
  const rejectedByReason: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  for (const t of written) {
    add(skipped, t.skipped);
    add(rejectedByReason, t.rejectedByReason);
    for (const [reason, keys] of Object.entries(t.examples))
      examples[reason] = [...(examples[reason] ?? []), ...keys].slice(0, EXAMPLES);
  }
  const total = sum(written, (t) => t.pairs);
  const candidates = sum(written, (t) => t.candidates);
  const members = sum(scattered, (t) => t.members);
  const invalid = sum(scattered, (t) => t.invalid);
  const paired = sum(written, (t) => t.paired);
  const groups = sum(written, (t) => t.groups);
  const cut = state.pairs?.cut;
  const section: PairsReport = {
    strategy: pairs.strategy,
    score: pairs.score,
    groupBy: pairs.groupBy,
    pairs: total,
    candidates,
    members: { total: members, scored: sum(scattered, (t) => t.scored), paired },
    groups: { total: groups, used: groups - sum(Object.values(skipped), (n) => n), skipped, examples },
    tasks: { total: sum(written, (t) => t.tasks), used: sum(written, (t) => t.tasksUsed) },
    budget: {
      requested: pairs.budget ?? null,
      balanced: pairs.balanceTasks,
      quota: cut?.kind === 'quota' ? cut.quota : null,
    },
    margin:
      total > 0
        ? {
            mean: sum(written, (t) => t.margin.sum) / total,
            min: Math.min(...written.filter((t) => t.pairs > 0).map((t) => t.margin.min)),
            max: Math.max(...written.filter((t) => t.pairs > 0).map((t) => t.margin.max)),
          }
        : null,
    partitions: state.pairs?.partitions ?? 0,
  };
  const base = buildReport({
    spec,
    ingest: ingested,
    scored: (done ? input.history('score') : []) as ScoreTally[],
    fits: (state.fits ?? []) as FitOutcome[],
    stats: state.stats ?? {},
    budget: { requested: pairs.budget ?? 'all', target: pairs.budget ?? candidates, reachable: true },
    cut: ALL,
    stages: input.stageSeconds,
    seconds: input.seconds,
  });
  const budgetTarget = pairs.budget ?? candidates;
  const report = {
    ...base,
    counts: {
      input: members + invalid,
      valid: members,
      invalid,
      selected: paired,
      rejected: members - paired,
    },
    rejectedByReason,
    budget: {
      requested: pairs.budget ?? 'all',
      target: budgetTarget,
      reachable: candidates >= budgetTarget,
      met: total === budgetTarget,
    },
    pairs: section,
    outputs: ['pairs.jsonl', 'groups.jsonl', 'invalid.jsonl', 'report.json'],
  };
  const parts = done ? section.partitions : 0;
  const bytes = (file: 'pairs.jsonl' | 'groups.jsonl') => sum(written, (t) => t.bytes[file]);
  return {
    kind: 'finish',
    state,
    report,
    manifest: {
      files: [
        { name: 'pairs.jsonl', bytes: bytes('pairs.jsonl'), parts },
        { name: 'groups.jsonl', bytes: bytes('groups.jsonl'), parts },
        {
          name: 'invalid.jsonl',
          bytes: sum(scattered, (t) => t.bytes),
          parts: done ? input.shards.length : 0,
        },
      ],
      shards: done ? input.shards.length : 0,
    },
    ...(input.stage === 'plan' ? { table: input.shards } : {}),
  };
}
