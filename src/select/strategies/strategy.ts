import type { z } from 'zod';

/** One cluster's candidates after dedup, best ranked first: unit vectors and rank values. */
export interface ClusterCandidates {
  n: number;
  dim: number;
  /** Row-major, L2-normalized. */
  vecs: Float32Array;
  rank: Float64Array;
}

/** A member the strategy refuses before the budget: why, and the kept member it is too close to. */
export interface Refusal {
  index: number;
  /** One of the strategy's `reasons`. */
  reason: string;
  by: number;
  similarity: number;
}

/** What a strategy decided about one cluster's candidates. */
export interface Judgement {
  refused: Refusal[];
  /**
   * The value each member competes on (index by member; refused members' are ignored). Without it, the
   * rank. A strategy with quotas gives each member's position in its cluster instead.
   */
  priority?: Float64Array;
}

/**
 * A selection strategy: how the budget is spent on the candidates left after filters and dedup.
 * Registered by id (src/select/strategies/registry.ts); its recipe entry is `schema`.
 */
export interface SelectionStrategy<C extends { id: string } = { id: string }> {
  id: C['id'];
  summary: string;
  /** Its entry in the recipe's `select.strategy` (schemas/recipe.ts). */
  schema: z.ZodType<C>;
  needs: {
    /** Candidates are gathered per cluster with their vectors (the group steps of the select stage). */
    groups: boolean;
    /** Why it needs the recipe to cluster, when it does (`spends quotas per cluster`). */
    cluster?: string;
  };
  /** Rejection reasons it writes before the budget (besides `budget`). */
  reasons: readonly string[];
  /** Over one cluster's candidates, in rank order: refusals and the values they compete on. */
  judge?(members: ClusterCandidates, config: C, ctx: { target: number; seed: number }): Judgement;
  /**
   * Per-cluster quotas, once every cluster's candidates are counted: the first `quota[c]` members of
   * cluster c (by judged position) are candidates for the budget, the rest are not.
   */
  quotas?(available: readonly number[], target: number, config: C): number[];
}
