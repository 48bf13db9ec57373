import type { TrajectoryRow, TrajectoryScore } from '../../schemas/pairs.ts';

/** The three terms of a rollout's score and their weighted total (see TrajectoryScoreSchema). */
export interface TrajectoryTerms {
  /** Σ_steps max(logprob, log pFloor), a step without a logprob at log pFloor (`missingLogprob: floor`). */
  logSelf: number;
  /** Π_stages exp(−Σ_c β_c · max(0, cost − τ)), in (0, 1]. */
  external: number;
  /** 1 when `success` is true, else 0. */
  success: 0 | 1;
  /** Steps that had a logprob, those the floor raised, and those without a logprob. */
  steps: number;
  floored: number;
  missing: number;
  total: number;
}

/** The published default β for cost names a per-name β map does not list. */
const DEFAULT_BETA = 0.01;

/**
 * GRAPE's trajectory-level reward: the policy's own log-likelihood of its actions (floored per step,
 * summed in log space so long rollouts never underflow), the external reward from stage costs over
 * their thresholds, and the success indicator, weighted by λ.
 */
export function trajectoryScore(row: TrajectoryRow, config: TrajectoryScore): TrajectoryTerms {
  const logFloor = Math.log(config.pFloor);
  let logSelf = 0;
  let steps = 0;
  let floored = 0;
  let missing = 0;
  for (const step of row.steps) {
    if (step.logprob === undefined) {
      // `skip` and `error` are decided before scoring (missingLogprobStep); here it counts as the floor.
      missing++;
      logSelf += logFloor;
      continue;
    }
    steps++;
    if (step.logprob < logFloor) floored++;
    logSelf += Math.max(step.logprob, logFloor);
  }
  // Σ over stages of the inner sums, then one exp: the product of per-stage exponentials.
  let penalty = 0;
  const taskTau = config.thresholds.tasks[row.task] ?? {};
  for (const [stage, costs] of Object.entries(row.costs ?? {})) {
    for (const [name, cost] of Object.entries(costs)) {
      const tau = taskTau[stage]?.[name] ?? config.thresholds.default[stage]?.[name] ?? 0;
      penalty += beta(config, name) * Math.max(0, cost - tau);
    }
  }
  const external = Math.exp(-penalty);
  const success = row.success === true ? 1 : 0;
  const { lambda } = config;
  const total = lambda.self * logSelf + lambda.external * external + lambda.success * success;
  return { logSelf, external, success, steps, floored, missing, total };
}

function beta(config: TrajectoryScore, name: string): number {
  return typeof config.beta === 'number' ? config.beta : (config.beta[name] ?? DEFAULT_BETA);
}

/** The index of the rollout's first step without a logprob, or -1 when every step has one. */
export function missingLogprobStep(row: TrajectoryRow): number {
  return row.steps.findIndex((s) => s.logprob === undefined);
}
