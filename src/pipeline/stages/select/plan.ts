import type { InContext, Recipe } from '../../../../schemas/recipe.ts';
import { agreement, auditThreshold, mergeLowest, sampleThresholds } from '../../../select/incontext/index.ts';
import type { Cut, RoundSpec, ShardSummary } from '../../../select/index.ts';
import { reserveWanted } from '../../../select/reserve.ts';
import { strategyOf } from '../../../select/strategies/index.ts';
import { cutOrRound, openPhase, type PhaseOpening } from './phases.ts';

/**
 * The select stage as a sequence of steps, each one coordinator iteration. Maps run on every shard;
 * reduces run on band partitions (dedup) or cluster partitions (groups); `dedup-resolve` is one task.
 *
 *   [ic-keys → ic-score → ic-fit → ic-audit] → prepare → [dedup-reduce → dedup-resolve] → [group-map → group-reduce]
 *   → scatter → [round* → reserve]* → round*
 *
 * - ic-keys / ic-score / ic-fit (accelerated in-context scoring): each cluster's smallest sampling keys,
 *   so every cluster gets its sample; the sampled candidates scored with the model; the estimator
 *   fitted on the joined sample (src/select/incontext/); the audit: candidates outside the sample
 *   scored in full too, and the estimate's agreement with them measured.
 * - prepare: every record's rank value, and (dedup on) its exact key and MinHash bands, written to
 *   band-key partitions in R2.
 * - dedup-reduce / dedup-resolve: candidate pairs per partition, then one union-find over every edge.
 * - group-map / group-reduce (semantic dedup, `balanced`, `diverse`, `kcenter`): surviving candidates
 *   with their vectors, shuffled to cluster partitions; each cluster's members in rank order run the
 *   strategy there.
 * - scatter: each shard gathers its records' fates and writes the values the budget is cut on
 *   (`priority.f64`: rank, or the strategy's order; -1 = no candidate), answering top-k round 0.
 * - round: the remaining rounds of the exact global top-k (src/select/topk.ts).
 * - reserve (recipe `select.reserve`): each reserve is a top-k phase of its own, before the rest of
 *   the budget's; once its cut is found every shard marks what it took (phases.ts).
 */
export type SelectStep =
  | { kind: 'ic-keys' }
  | { kind: 'ic-score' }
  | { kind: 'ic-fit' }
  | { kind: 'ic-audit' }
  | { kind: 'prepare' }
  | { kind: 'dedup-reduce' }
  | { kind: 'dedup-resolve' }
  | { kind: 'group-map' }
  | { kind: 'group-reduce' }
  /** `quotas`: the balanced strategy's records per cluster. */
  | { kind: 'scatter'; quotas?: number[] }
  /** `phase`: the reserve whose top-k this round is part of (absent, or past the last: the rest of the budget). */
  | { kind: 'round'; round: RoundSpec; phase?: number }
  /** Reserve `phase` found its cut: every shard marks the records it takes and opens the next phase. */
  | { kind: 'reserve'; phase: number; cut: Cut };

export const SELECT_MAP_STEPS: ReadonlySet<SelectStep['kind']> = new Set([
  'ic-keys',
  'ic-score',
  'ic-audit',
  'prepare',
  'group-map',
  'scatter',
  'round',
  'reserve',
]);

/** What select steps report, by step kind. */
export interface IcKeysResult {
  records: number;
  /** Records no filter rejected. */
  candidates: number;
  /** Per cluster, the smallest sampling keys of the shard's candidates. */
  lowest: number[][];
}
export interface IcScoreResult {
  records: number;
  sampled: number;
  /** Sampled records the model could not score (left out of the sample). */
  failed: number;
  /** Cells computed (not from the cache or the full scorer), model calls per record, requests sent. */
  computed: number;
  perRecord: number;
  requests: number;
  /** Seconds the task spent getting the model's scores. */
  seconds: number;
  /** The smallest audit keys of the shard's unsampled candidates, ascending (as many as the audit takes). */
  audit: number[];
}
export interface IcAuditResult {
  records: number;
  /** Unsampled candidates audited: scored in full, with their estimate beside. */
  audited: number;
  failed: number;
  computed: number;
  requests: number;
  seconds: number;
  /** [estimate, full score] of each audited record the model scored, in record order. */
  pairs: [number, number][];
}
export interface PrepareResult {
  records: number;
  candidates: number;
  /** Dedup on: the byte length of each band partition's part in the shard's packed object. */
  parts?: number[];
}
export interface DedupReduceResult {
  edges: number;
  buckets: number;
  compared: number;
}
export interface DedupResolveResult {
  duplicate: number;
  near_duplicate: number;
}
export interface GroupMapResult {
  /** Candidates left after exact and near dedup, per cluster. */
  available: number[];
}
export interface GroupReduceResult {
  /** Per cluster of this partition: candidates left after semantic dedup and the strategy's refusals, by reason. */
  clusters: { cluster: number; available: number; refused: Record<string, number> }[];
}
export interface ScatterResult {
  records: number;
  candidates: number;
  /** Round 0 of the top-k over the shard's priority values (with reserves: over the first reserve's values). */
  summary: ShardSummary;
  /** Reserves: per reserve, the shard's candidates that match it; the first reserve's candidates. */
  reserve?: { matched: number[]; candidates: number };
  /** Per cluster: candidates and those with a positive priority (for the report). */
  perCluster?: number[];
}

/** What each select step's tasks report, by step. */
export interface SelectSteps {
  'ic-keys': IcKeysResult;
  'ic-score': IcScoreResult;
  'ic-fit': { sampled: number };
  'ic-audit': IcAuditResult;
  prepare: PrepareResult;
  'dedup-reduce': DedupReduceResult;
  'dedup-resolve': DedupResolveResult;
  'group-map': GroupMapResult;
  'group-reduce': GroupReduceResult;
  scatter: ScatterResult;
  round: { records: number; summary: ShardSummary };
  reserve: PhaseOpening;
}

/** A finished select step: its name and its tasks' results. */
export type SelectBarrier = {
  [K in keyof SelectSteps]: { step: K; results: readonly SelectSteps[K][] };
}[keyof SelectSteps];

export interface SelectState {
  step: SelectStep;
  /** Band-key partitions (dedup-reduce tasks) and cluster partitions (group-reduce tasks). */
  partitions: number;
  groups: number;
  /** Clusters of the fit (1 when the recipe does not cluster: every record in group 0). */
  k: number;
  counts: {
    duplicate: number;
    near_duplicate: number;
    semantic_duplicate: number;
    /** Records the strategy refused before the budget, by reason (`diversity`). */
    refused: Record<string, number>;
    edges: number;
    buckets: number;
    compared: number;
  };
  /** Per cluster, candidates the strategy saw (after dedup and refusals). */
  available?: number[];
  quotas?: number[];
  /**
   * Accelerated in-context scoring: per-cluster sampling thresholds and the audit's size and threshold,
   * then what the sample and the audit cost, and the estimate's agreement on the audit.
   */
  ic?: {
    thresholds: number[];
    candidates?: number;
    /** Records the audit takes, and its threshold on the audit key (-1: no audit). */
    audit?: number;
    auditThreshold?: number;
    sampled?: number;
    failed?: number;
    computed?: number;
    perRecord?: number;
    requests?: number;
    /** Seconds the model phase's tasks spent getting scores (sample and audit), summed. */
    seconds?: number;
    audited?: number;
    auditFailed?: number;
    compared?: number;
    spearman?: number;
    topOverlap?: number;
    /** The share of the audit compared at the top: the budget's share of the candidates. */
    topFraction?: number;
  };
  /** Records the budget is spent on, once the scatter has counted them. */
  candidates?: number;
  rounds: number;
  /** The top-k under way: records it keeps out of the candidates (a reserve's, or the rest of the budget's). */
  topk?: { k: number; total: number };
  /**
   * Reserves (recipe `select.reserve`), in order: records each wants, candidates matching it, records
   * it took itself, and records in it once it was spent (those earlier reserves took count too).
   */
  reserve?: { wanted: number[]; matched: number[]; taken: number[]; kept: number[] };
}

export type SelectAdvance =
  | { kind: 'next'; state: SelectState; tasks: number }
  | { kind: 'done'; state: SelectState; cut: Cut; candidates: number };

/**
 * Records the audit takes out of `candidates`: the recipe's count, or its share, or (absent) 5% of the
 * candidates, at most 200. Fewer when fewer candidates are left outside the sample.
 */
export function auditSize(audit: InContext['audit'], candidates: number): number {
  if (audit === undefined) return Math.min(200, Math.ceil(0.05 * candidates));
  if (typeof audit === 'number') return Math.min(audit, candidates);
  return Math.round((Number.parseFloat(audit) / 100) * candidates);
}

/** Whether the pipeline embeds: to cluster, to export embeddings, or for a strategy that compares records. */
export function needsVectors(recipe: Recipe): boolean {
  return Boolean(recipe.cluster || recipe.exportEmbeddings || needsGroups(recipe));
}

/** Whether the strategy or dedup needs records shuffled by cluster with their vectors. */
export function needsGroups(recipe: Recipe): boolean {
  return strategyOf(recipe.select.strategy).needs.groups || semanticDedup(recipe) !== undefined;
}

/** The semantic dedup threshold, when it runs: explicit, or 0.95 by default when the recipe clusters. */
export function semanticDedup(recipe: Recipe): number | undefined {
  const { dedup } = recipe.select;
  if (!dedup || dedup.semantic === false) return undefined;
  if (dedup.semantic) return dedup.semantic.threshold;
  return recipe.cluster ? 0.95 : undefined;
}

/** Whether exact or near dedup runs (both go through the band partitions). */
export function lexicalDedup(recipe: Recipe): boolean {
  const { dedup } = recipe.select;
  return dedup !== false && (dedup.exact || dedup.near !== false);
}

export function firstSelectState(recipe: Recipe, shards: number, k: number): SelectState {
  const { dedup } = recipe.select;
  return {
    step: { kind: recipe.select.incontext ? 'ic-keys' : 'prepare' },
    partitions: (dedup ? dedup.partitions : undefined) || Math.max(1, Math.min(64, shards)),
    groups: Math.max(1, Math.min(k, shards, 64)),
    k,
    counts: {
      duplicate: 0,
      near_duplicate: 0,
      semantic_duplicate: 0,
      refused: {},
      edges: 0,
      buckets: 0,
      compared: 0,
    },
    rounds: 0,
  };
}

/** How many tasks a step runs. */
export function stepTasks(state: SelectState, shards: number): number {
  const kind = state.step.kind;
  if (SELECT_MAP_STEPS.has(kind)) return shards;
  if (kind === 'dedup-reduce') return state.partitions;
  if (kind === 'group-reduce') return state.groups;
  return 1; // dedup-resolve, ic-fit
}

/**
 * After every task of the current step reported: the next step, or the cut. `target` is the budget
 * in records. Pure.
 */
export function nextSelectStep(
  recipe: Recipe,
  state: SelectState,
  barrier: SelectBarrier,
  shards: number,
  target: number,
): SelectAdvance {
  const next = (step: SelectStep, patch: Partial<SelectState> = {}): SelectAdvance => {
    const s = { ...state, ...patch, step };
    return { kind: 'next', state: s, tasks: stepTasks(s, shards) };
  };
  const afterDedup = (patch: Partial<SelectState> = {}) =>
    needsGroups(recipe) ? next({ kind: 'group-map' }, patch) : next({ kind: 'scatter' }, patch);
  const { counts } = state;
  if (barrier.step !== state.step.kind)
    throw new Error(`select: results of step ${barrier.step} at step ${state.step.kind}`);
  switch (barrier.step) {
    case 'ic-keys': {
      const ic = recipe.select.incontext!;
      const lowest = barrier.results
        .map((r) => r.lowest)
        .reduce((a, b) => mergeLowest(a, b, ic.minPerCluster));
      const candidates = barrier.results.reduce((a, r) => a + r.candidates, 0);
      return next(
        { kind: 'ic-score' },
        {
          ic: {
            thresholds: sampleThresholds(lowest, ic.sampleRate, ic.minPerCluster),
            candidates,
            audit: auditSize(ic.audit, candidates),
          },
        },
      );
    }
    case 'ic-score': {
      const rs = barrier.results;
      const sum = (f: (r: IcScoreResult) => number) => rs.reduce((a, r) => a + f(r), 0);
      const ic = {
        ...state.ic!,
        sampled: sum((r) => r.sampled),
        failed: sum((r) => r.failed),
        computed: sum((r) => r.computed),
        requests: sum((r) => r.requests),
        seconds: sum((r) => r.seconds),
        perRecord: Math.max(1, ...rs.map((r) => r.perRecord)),
        auditThreshold: auditThreshold(
          rs.map((r) => r.audit),
          state.ic!.audit ?? 0,
        ),
      };
      return next({ kind: 'ic-fit' }, { ic });
    }
    case 'ic-fit':
      return (state.ic?.auditThreshold ?? -1) >= 0 ? next({ kind: 'ic-audit' }) : next({ kind: 'prepare' });
    case 'ic-audit': {
      const rs = barrier.results;
      const sum = (f: (r: IcAuditResult) => number) => rs.reduce((a, r) => a + f(r), 0);
      const ic = state.ic!;
      const pairs = rs.flatMap((r) => r.pairs);
      const topFraction = Math.min(1, target / Math.max(1, ic.candidates ?? 0));
      const a = agreement(
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
        topFraction,
        recipe.seed,
      );
      return next(
        { kind: 'prepare' },
        {
          ic: {
            ...ic,
            audited: sum((r) => r.audited),
            auditFailed: sum((r) => r.failed),
            computed: (ic.computed ?? 0) + sum((r) => r.computed),
            requests: (ic.requests ?? 0) + sum((r) => r.requests),
            seconds: (ic.seconds ?? 0) + sum((r) => r.seconds),
            compared: a.compared,
            spearman: a.spearman,
            topOverlap: a.topOverlap,
            topFraction,
          },
        },
      );
    }
    case 'prepare':
      return lexicalDedup(recipe) ? next({ kind: 'dedup-reduce' }) : afterDedup();
    case 'dedup-reduce': {
      const rs = barrier.results;
      const sum = (f: (r: DedupReduceResult) => number) => rs.reduce((a, r) => a + f(r), 0);
      return next(
        { kind: 'dedup-resolve' },
        {
          counts: {
            ...counts,
            edges: sum((r) => r.edges),
            buckets: sum((r) => r.buckets),
            compared: sum((r) => r.compared),
          },
        },
      );
    }
    case 'dedup-resolve': {
      const r = barrier.results[0];
      return afterDedup({
        counts: { ...counts, duplicate: r.duplicate, near_duplicate: r.near_duplicate },
      });
    }
    case 'group-map':
      return next({ kind: 'group-reduce' });
    case 'group-reduce': {
      const available = new Array<number>(state.k).fill(0);
      const refused: Record<string, number> = {};
      for (const r of barrier.results) {
        for (const c of r.clusters) {
          available[c.cluster] += c.available;
          for (const [reason, n] of Object.entries(c.refused)) refused[reason] = (refused[reason] ?? 0) + n;
        }
      }
      const { semantic_duplicate = 0, ...byStrategy } = refused;
      const patch: Partial<SelectState> = {
        available,
        counts: { ...counts, semantic_duplicate, refused: byStrategy },
      };
      const strategy = strategyOf(recipe.select.strategy);
      if (!strategy.quotas) return next({ kind: 'scatter' }, patch);
      const q = strategy.quotas(available, target, recipe.select.strategy);
      return next({ kind: 'scatter', quotas: q }, { ...patch, quotas: q });
    }
    case 'scatter': {
      const rs = barrier.results;
      const candidates = rs.reduce((a, r) => a + r.candidates, 0);
      const reserves = recipe.select.reserve;
      // Without reserves the first phase is the rest of the budget, over the priority values' candidates.
      const reserve = reserves && {
        wanted: target > 0 ? reserveWanted(reserves, target) : reserves.map(() => 0),
        matched: reserves.map((_, i) => rs.reduce((a, r) => a + (r.reserve?.matched[i] ?? 0), 0)),
        taken: [],
        kept: [],
      };
      const openings = rs.map((r) => ({
        records: r.records,
        summary: r.summary,
        candidates: reserves ? (r.reserve?.candidates ?? 0) : r.candidates,
        have: 0,
      }));
      return openPhase(
        recipe,
        { ...state, candidates, ...(reserve ? { reserve } : {}) },
        0,
        openings,
        shards,
        target,
      );
    }
    case 'round': {
      if (state.step.kind !== 'round') throw new Error('select: round results without a round');
      const candidates = state.candidates ?? 0;
      const plan = state.topk ?? { k: Math.min(target, candidates), total: candidates };
      const summaries = barrier.results.map((r) => r.summary);
      const { phase } = state.step;
      return cutOrRound(
        { ...state, rounds: state.rounds + 1 },
        plan,
        state.step.round,
        summaries,
        shards,
        phase,
      );
    }
    case 'reserve': {
      if (state.step.kind !== 'reserve') throw new Error('select: reserve results without a reserve step');
      return openPhase(recipe, state, state.step.phase + 1, barrier.results, shards, target);
    }
  }
}
