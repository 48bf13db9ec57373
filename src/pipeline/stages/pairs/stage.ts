import type { PairsReport } from '../../../../schemas/pairs.ts';
import type { PairCut } from '../../../pairs/budget.ts';
import { outputPartKey } from '../../keys.ts';
import { jsonlFile } from '../../outputs.ts';
import type { ShardInfo, StageDef } from '../../types.ts';
import { EXAMPLES, type PairsTally, pairsCut, pairsIndex, pairsWrite } from './build.ts';
import { pairPartitions, pairsScatter, type ScatterTally } from './scatter.ts';

/** The partitions' tallies as one: counts added, examples kept in partition order, margins combined. */
export interface PairsSummary
  extends Omit<PairsTally, 'examples' | 'margin' | 'bytes' | 'members' | 'scored' | 'tasks'> {
  tasks: number;
  examples: Record<string, string[]>;
  margin: { sum: number; min: number; max: number } | null;
  /** Bytes of each partition's part of pairs.jsonl and groups.jsonl. */
  bytes: { 'pairs.jsonl': number[]; 'groups.jsonl': number[] };
}

export interface PairsState {
  /** Hash partitions groups are gathered in. */
  partitions: number;
  /** With a budget: the cut, once decided. */
  cut?: PairCut;
  /** The scatter's tallies added up, and each shard's invalid.jsonl bytes. */
  scattered?: { members: number; scored: number; invalid: number; bytes: number[] };
  written?: PairsSummary;
}

interface PairsInput {
  shard?: ShardInfo;
  partitions: number;
  cut: PairCut;
}

interface PairsSteps {
  scatter: ScatterTally;
  index: { entries: number };
  cut: PairCut;
  write: PairsTally;
}

const total = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

function add(into: Record<string, number>, from: Record<string, number>) {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function summarize(written: readonly PairsTally[]): PairsSummary {
  const skipped: Record<string, number> = {};
  const rejectedByReason: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  for (const t of written) {
    add(skipped, t.skipped);
    add(rejectedByReason, t.rejectedByReason);
    for (const [reason, keys] of Object.entries(t.examples))
      examples[reason] = [...(examples[reason] ?? []), ...keys].slice(0, EXAMPLES);
  }
  const withPairs = written.filter((t) => t.pairs > 0);
  return {
    pairs: total(written, (t) => t.pairs),
    candidates: total(written, (t) => t.candidates),
    groups: total(written, (t) => t.groups),
    skipped,
    examples,
    tasks: total(written, (t) => t.tasks),
    tasksUsed: total(written, (t) => t.tasksUsed),
    paired: total(written, (t) => t.paired),
    rejectedByReason,
    margin:
      withPairs.length > 0
        ? {
            sum: total(withPairs, (t) => t.margin.sum),
            min: Math.min(...withPairs.map((t) => t.margin.min)),
            max: Math.max(...withPairs.map((t) => t.margin.max)),
          }
        : null,
    bytes: {
      'pairs.jsonl': written.map((t) => t.bytes['pairs.jsonl']),
      'groups.jsonl': written.map((t) => t.bytes['groups.jsonl']),
    },
  };
}

/**
 * Preference pairs instead of a selection: members scattered to hash partitions by task, each group
 * paired by the strategy, the budget cut over every partition (top gaps or balanced by task), then
 * each partition writes its pairs.jsonl and groups.jsonl.
 */
export const pairsStage: StageDef<PairsState, PairsInput, PairsSteps> = {
  id: 'pairs',
  queue: 'select',
  summary: 'pair the responses or rollouts of each group into chosen/rejected pairs under a budget',
  applies: (spec) => spec.recipe.pairs !== undefined,
  start: (view) => ({ step: 'scatter', state: { partitions: pairPartitions(view.spec) } }),
  steps: {
    scatter: {
      fan: 'shards',
      run: (t, env) => pairsScatter(env.store, t.spec, t.input.shard!, t.input.partitions),
      counts: (r) => ({ in: r.members, out: 0 }),
    },
    index: {
      fan: (s) => s.partitions,
      run: (t, env) => pairsIndex(env.store, t.spec, t.index, t.shards),
    },
    cut: { fan: 'one', run: (t, env) => pairsCut(env.store, t.spec, t.input.partitions) },
    write: {
      fan: (s) => s.partitions,
      run: (t, env) => pairsWrite(env.store, t.spec, t.index, t.shards, t.input.cut),
      counts: (r) => ({ in: 0, out: r.pairs }),
    },
  },
  input: (view, s, step, index) => ({
    ...(step === 'scatter' ? { shard: view.table.shard(index) } : {}),
    partitions: s.partitions,
    cut: s.cut ?? { kind: 'all' },
  }),
  next(view, b) {
    switch (b.step) {
      case 'scatter': {
        const scattered = {
          members: total(b.results, (t) => t.members),
          scored: total(b.results, (t) => t.scored),
          invalid: total(b.results, (t) => t.invalid),
          bytes: b.results.map((t) => t.bytes),
        };
        const state = { ...b.state, scattered };
        return { step: view.spec.recipe.pairs?.budget ? 'index' : 'write', state };
      }
      case 'index':
        return { step: 'cut', state: b.state };
      case 'cut':
        return { step: 'write', state: { ...b.state, cut: b.results[0] } };
      case 'write':
        return { done: true, state: { ...b.state, written: summarize(b.results) } };
    }
  },
  /** Counts are of members (each response of a responses row, each rollout): `selected` are those in a pair. */
  report(view, s) {
    const pairs = view.spec.recipe.pairs!;
    const w = s?.written;
    const members = s?.scattered?.members ?? 0;
    const invalid = s?.scattered?.invalid ?? 0;
    const made = w?.pairs ?? 0;
    const candidates = w?.candidates ?? 0;
    const paired = w?.paired ?? 0;
    const groups = w?.groups ?? 0;
    const cut = s?.cut;
    const section: PairsReport = {
      strategy: pairs.strategy,
      score: pairs.score,
      groupBy: pairs.groupBy,
      pairs: made,
      candidates,
      members: { total: members, scored: s?.scattered?.scored ?? 0, paired },
      groups: {
        total: groups,
        used: groups - total(Object.values(w?.skipped ?? {}), (n) => n),
        skipped: w?.skipped ?? {},
        examples: w?.examples ?? {},
      },
      tasks: { total: w?.tasks ?? 0, used: w?.tasksUsed ?? 0 },
      budget: {
        requested: pairs.budget ?? null,
        balanced: pairs.balanceTasks,
        quota: cut?.kind === 'quota' ? cut.quota : null,
      },
      margin:
        w?.margin && made > 0 ? { mean: w.margin.sum / made, min: w.margin.min, max: w.margin.max } : null,
      partitions: s?.partitions ?? 0,
    };
    const target = pairs.budget ?? candidates;
    return {
      counts: {
        input: members + invalid,
        valid: members,
        invalid,
        selected: paired,
        rejected: members - paired,
      },
      rejectedByReason: w?.rejectedByReason ?? {},
      budget: {
        requested: pairs.budget ?? 'all',
        target,
        reachable: candidates >= target,
        met: made === target,
      },
      pairs: section,
    };
  },
  outputs(view, s) {
    const job = view.spec.id;
    const keys = (file: 'pairs.jsonl' | 'groups.jsonl' | 'invalid.jsonl', n: number) =>
      Array.from({ length: n }, (_, p) => outputPartKey(job, file, p));
    const w = s?.written;
    const invalid = s?.scattered?.bytes ?? [];
    return [
      jsonlFile('pairs.jsonl', keys('pairs.jsonl', w ? s.partitions : 0), w?.bytes['pairs.jsonl'] ?? []),
      jsonlFile('groups.jsonl', keys('groups.jsonl', w ? s.partitions : 0), w?.bytes['groups.jsonl'] ?? []),
      jsonlFile('invalid.jsonl', keys('invalid.jsonl', invalid.length), invalid),
    ];
  },
};
