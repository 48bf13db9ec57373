import type { Budget } from '../../../../schemas/recipe.ts';
import {
  ALL,
  budgetTarget,
  type Cut,
  isTrivialCut,
  reserveName,
  reserveWanted,
} from '../../../select/index.ts';
import type { JobView, ShardInfo, StageDef, StepDef, Task } from '../../types.ts';
import { clusterCount } from '../cluster/stage.ts';
import type { ModelRef } from '../fit/fit.ts';
import { fitStage } from '../fit/stage.ts';
import { validRecords } from '../ingest/stage.ts';
import { scoreStage } from '../score/stage.ts';
import { groupMap, groupReduce } from './groups.ts';
import { icAudit, icFit, icKeys, icScore } from './incontext.ts';
import {
  firstSelectState,
  nextSelectStep,
  SELECT_MAP_STEPS,
  type SelectState,
  type SelectSteps,
  stepTasks,
} from './plan.ts';
import { dedupReduce, dedupResolve, selectPrepare, selectReserve, selectRound } from './prepare.ts';
import { selectScatter } from './scatter.ts';
import { dedupParts, spansOf } from './spans.ts';

export interface SelectBudget {
  requested: Budget;
  /** The budget in records. */
  target: number;
  /** False when a count asks for more than is valid, or fewer candidates than the target were left. */
  reachable: boolean;
}

export interface SelectStageState {
  /** The step plan (src/pipeline/stages/select/plan.ts): dedup, strategy, top-k rounds. */
  plan: SelectState;
  budget: SelectBudget;
  /** Set once the rounds have found it: export applies it. */
  cut?: Cut;
  /**
   * From prepare until dedup-reduce: per shard, the length of each band partition's part in its packed
   * object, so a reduce task reads each part with one range read instead of two (left out above
   * MAX_SPANS values, where reduce tasks read each object's index instead).
   */
  dedupParts?: number[][];
}

export interface SelectInput {
  /** The step plan; `plan.step` is what the task runs. */
  plan: SelectState;
  /** Map steps: the task's shard. */
  shard?: ShardInfo;
  /** Every shard's first global record index, in shard order. */
  starts: number[];
  /** The dataset's [min, max] of every score. */
  stats: Record<string, { min: number; max: number }>;
  /** The budget in records. */
  target: number;
  /** Fitted models (the in-context scorer's). */
  models: Record<string, ModelRef>;
  /** dedup-reduce: per shard, the offset and length of the task's part in the shard's packed object. */
  spans?: number[];
}

type Step<R> = StepDef<SelectStageState, SelectInput, R>;

/** A step of this stage: as many tasks as the plan says (shards, partitions, groups or one). */
function step<R>(run: Step<R>['run'], counts?: Step<R>['counts']): Step<R> {
  return { fan: (s, view) => stepTasks(s.plan, view.table.count()), run, ...(counts ? { counts } : {}) };
}

const shardOf = (t: Task<SelectInput>) => t.input.shard as ShardInfo;

/** The budget: a count or a share of the valid records. */
export function selectBudget(view: JobView): SelectBudget {
  const requested = view.spec.recipe.select.budget;
  return { ...budgetTarget(requested, validRecords(view)), requested };
}

/**
 * Spend the budget: filters and rank values, dedup (exact, MinHash-LSH, semantic), the strategy per
 * cluster, then the exact global top-k cut in histogram rounds (see plan.ts for the step order).
 */
export const selectStage: StageDef<SelectStageState, SelectInput, SelectSteps> = {
  id: 'select',
  queue: 'select',
  summary: 'rank, dedup and spend the budget with the strategy: an exact global top-k cut',
  applies: (spec) => !spec.recipe.pairs && !spec.recipe.safety,
  start(view) {
    const plan = firstSelectState(view.spec.recipe, view.table.count(), clusterCount(view));
    const budget = selectBudget(view);
    // Reserves are part of the budget: a budget of a share of the valid records is known only now
    // (no valid record: nothing is selected, and there is nothing to refuse).
    const { reserve } = view.spec.recipe.select;
    if (reserve && budget.target > 0) reserveWanted(reserve, budget.target);
    return { step: plan.step.kind, state: { plan, budget } };
  },
  steps: {
    'ic-keys': step((t, { store }) => icKeys(store, t.spec, shardOf(t), t.input.plan)),
    'ic-score': step((t, env) =>
      icScore(env.store, t.spec, shardOf(t), t.input.plan, {
        models: t.input.models,
        cells: env.deps.cells?.(t.spec.dataset),
        providers: env.providers(t.shards),
      }),
    ),
    'ic-fit': step((t, { store }) => icFit(store, t.spec, t.shards, t.input.plan)),
    'ic-audit': step((t, env) =>
      icAudit(env.store, t.spec, shardOf(t), t.input.plan, {
        models: t.input.models,
        cells: env.deps.cells?.(t.spec.dataset),
        providers: env.providers(t.shards),
      }),
    ),
    prepare: step(
      (t, { store }) => selectPrepare(store, t.spec, shardOf(t), t.input.plan, t.input.stats),
      (r) => ({ in: r.records, out: r.records }),
    ),
    'dedup-reduce': step((t, { store }) =>
      dedupReduce(store, t.spec, t.index, t.input.plan.partitions, t.shards, t.input.spans),
    ),
    'dedup-resolve': step((t, { store }) =>
      dedupResolve(store, t.spec, t.input.plan.partitions, t.input.starts),
    ),
    'group-map': step((t, { store }) => groupMap(store, t.spec, shardOf(t), t.input.plan)),
    'group-reduce': step((t, { store }) =>
      groupReduce(store, t.spec, t.index, t.input.starts, t.input.target),
    ),
    scatter: step((t, { store }) => selectScatter(store, t.spec, shardOf(t), t.input.plan, t.input.starts)),
    round: step((t, { store }) => {
      const { step } = t.input.plan;
      if (step.kind !== 'round') throw new Error(`select: a round task at step ${step.kind}`);
      return selectRound(store, t.spec, shardOf(t), step.round, step.phase);
    }),
    reserve: step((t, { store }) => {
      const { step } = t.input.plan;
      if (step.kind !== 'reserve') throw new Error(`select: a reserve task at step ${step.kind}`);
      return selectReserve(store, t.spec, shardOf(t), step.phase, step.cut);
    }),
  },
  input(view, s, _step, index) {
    const starts = Array.from({ length: view.table.count() }, (_, n) => view.table.shard(n).indexOffset);
    return {
      plan: s.plan,
      ...(SELECT_MAP_STEPS.has(s.plan.step.kind) ? { shard: view.table.shard(index) } : {}),
      starts,
      stats: view.of(scoreStage)?.ranges ?? {},
      target: s.budget.target,
      models: view.of(fitStage)?.models ?? {},
      ...(s.plan.step.kind === 'dedup-reduce' && s.dedupParts ? { spans: spansOf(s.dedupParts, index) } : {}),
    };
  },
  next(view, b) {
    const { budget } = b.state;
    const d = nextSelectStep(view.spec.recipe, b.state.plan, b, view.table.count(), budget.target);
    if (d.kind === 'next') {
      // Prepare's part lengths are kept until the reduce tasks have read them.
      const { dedupParts: _, ...rest } = b.state;
      const parts =
        b.step === 'prepare' && d.state.step.kind === 'dedup-reduce' ? dedupParts(b.results) : undefined;
      return {
        step: d.state.step.kind,
        state: { ...rest, plan: d.state, ...(parts ? { dedupParts: parts } : {}) },
      };
    }
    const reachable = budget.reachable && budget.target <= d.candidates;
    return { done: true, state: { plan: d.state, budget: { ...budget, reachable }, cut: d.cut } };
  },
  report(view, s) {
    const budget = s?.budget ?? selectBudget(view);
    const cut = s?.cut ?? ALL;
    return {
      budget: { ...budget, met: false },
      threshold: isTrivialCut(cut)
        ? null
        : {
            rank: cut.threshold,
            ties: cut.tieQuota ? cut.tieQuota.reduce((a, q) => a + q, 0) : 0,
            rounds: s?.plan.rounds ?? 0,
          },
    };
  },
};

/**
 * Each reserve (report.json `selection.reserve`): records it wanted, candidates matching it, matching
 * records the reserves took, matching records in the selection (`selected`: export's count), and
 * whether it fell short.
 */
export function reserveReport(
  view: JobView,
  plan: SelectState | undefined,
  selected: readonly number[] | undefined,
) {
  const r = plan?.reserve;
  return (view.spec.recipe.select.reserve ?? []).map((res, i) => {
    const wanted = r?.wanted[i] ?? 0;
    const kept = r?.kept[i] ?? 0;
    return {
      name: reserveName(res, i),
      wanted,
      matched: r?.matched[i] ?? 0,
      kept,
      selected: selected?.[i] ?? 0,
      short: kept < wanted,
    };
  });
}
