import { describe, expect, it } from 'vitest';
import { type TrajectoryRow, TrajectoryScoreSchema } from '../../../schemas/pairs.ts';
import { trajectoryScore } from '../../../src/pairs/trajectory-score.ts';

// Constants used below (exact doubles as printed by Node):
//   ln(0.01) = −4.605170185988091      ln(0.05) = −2.995732273553991
//   e^−1.11 = 0.329558961075189        e^−1.06 = 0.34645581033005746
//   e^−0.1  = 0.9048374180359595       e^−0.6  = 0.5488116360940265
//   e^−0.25 = 0.7788007830714049

const row = (r: Partial<TrajectoryRow> & { task: string }): TrajectoryRow => ({
  steps: [{ action: [0] }],
  ...r,
});

// λ = (0.1, 2, 3), pFloor 0.01, β: collision 0.5 (every other name the default 0.01).
// τ default: grasp {time 30, collision 1, force 2}; task "pick" overrides grasp.time with 20 only.
const CUSTOM = TrajectoryScoreSchema.parse({
  lambda: { self: 0.1, external: 2, success: 3 },
  pFloor: 0.01,
  beta: { collision: 0.5 },
  thresholds: {
    default: { grasp: { time: 30, collision: 1, force: 2 } },
    tasks: { pick: { grasp: { time: 20 } } },
  },
});

const COSTS = { grasp: { collision: 3, time: 25, force: 0.5 }, place: { time: 4, slip: 2 } };

describe('trajectoryScore', () => {
  it('floors steps, counts a step without logprob at the floor, applies per-task τ over default τ and a β map', () => {
    // Steps: −0.25, −10 (below ln 0.01: counts −4.605170185988091), none (counts the floor too), −1.5.
    //   log R_self = −0.25 − 2·4.605170185988091 − 1.5 = −10.960340371976182; 3 steps with a logprob,
    //   1 floored, 1 missing.
    // Costs, task "pick":
    //   grasp.collision: β 0.5, τ 1 (default; pick lists only time): 0.5·(3 − 1) = 1
    //   grasp.time:      β 0.01, τ 20 (pick's, not the default 30): 0.01·(25 − 20) = 0.05
    //   grasp.force:     τ 2, cost 0.5 is below it: 0
    //   place.time:      τ 0 (none given): 0.01·4 = 0.04
    //   place.slip:      β 0.01 (not in the map), τ 0: 0.01·2 = 0.02
    //   penalty = 1.11, R_ext = e^−1.11 = 0.329558961075189.
    // total = 0.1·(−10.960340371976182) + 2·0.329558961075189 + 3·1 = 2.5630838849527597
    const t = trajectoryScore(
      row({
        task: 'pick',
        steps: [
          { action: [0], logprob: -0.25 },
          { action: [1], logprob: -10 },
          { action: [2] },
          { action: [3], logprob: -1.5 },
        ],
        success: true,
        costs: COSTS,
      }),
      CUSTOM,
    );
    expect(t.logSelf).toBeCloseTo(-10.960340371976182, 12);
    expect(t.steps).toBe(3);
    expect(t.floored).toBe(1);
    expect(t.missing).toBe(1);
    expect(t.external).toBeCloseTo(0.329558961075189, 12);
    expect(t.success).toBe(1);
    expect(t.total).toBeCloseTo(2.5630838849527597, 12);
  });

  it('uses the default τ for a task without its own thresholds; success false counts 0', () => {
    // Same costs, task "other": grasp.time τ 30 > 25 adds 0; penalty = 1 + 0 + 0 + 0.04 + 0.02 = 1.06,
    //   R_ext = e^−1.06 = 0.34645581033005746. No step has a logprob: each counts ln 0.01,
    //   log R_self = −9.210340371976182.
    // total = 0.1·(−9.210340371976182) + 2·0.34645581033005746 + 3·0 = −0.22812241653750331
    const t = trajectoryScore(
      row({ task: 'other', steps: [{ action: [0] }, { action: [1] }], success: false, costs: COSTS }),
      CUSTOM,
    );
    expect(t.logSelf).toBeCloseTo(-9.210340371976182, 12);
    expect(t.steps).toBe(0);
    expect(t.floored).toBe(0);
    expect(t.missing).toBe(2);
    expect(t.external).toBeCloseTo(0.34645581033005746, 12);
    expect(t.success).toBe(0);
    expect(t.total).toBeCloseTo(-0.22812241653750331, 12);
  });

  it('a per-task τ of 0 overrides a default τ (0 is not "missing")', () => {
    // τ default grasp.time 30, task "z" grasp.time 0; cost 25 → 0.01·25 = 0.25; R_ext = e^−0.25.
    // λ defaults, success absent, one step without logprob (ln 0.05): total = 0.7788007830714049 + 0.01·ln 0.05.
    const cfg = TrajectoryScoreSchema.parse({
      thresholds: { default: { grasp: { time: 30 } }, tasks: { z: { grasp: { time: 0 } } } },
    });
    const t = trajectoryScore(row({ task: 'z', costs: { grasp: { time: 25 } } }), cfg);
    expect(t.external).toBeCloseTo(0.7788007830714049, 12);
    expect(t.total).toBeCloseTo(0.748843460335865, 12);
    // Another task keeps the default τ 30: no penalty.
    expect(trajectoryScore(row({ task: 'y', costs: { grasp: { time: 25 } } }), cfg).external).toBe(1);
  });

  it('defaults: λ (0.01, 1, 5), pFloor 0.05 (GRAPE’s evaluator), missing logprob at the floor, β 0.01, τ 0', () => {
    // Steps −0.5, −8 (below ln 0.05: counts −2.995732273553991), 0 (p = 1):
    //   log R_self = −0.5 − 2.995732273553991 + 0 = −3.495732273553991; 3 steps, 1 floored.
    // Costs {s: {c: 10}}: penalty 0.01·10 = 0.1, R_ext = e^−0.1 = 0.9048374180359595.
    // total = 0.01·(−3.495732273553991) + 0.9048374180359595 + 5·0 = 0.8698800953004197
    const cfg = TrajectoryScoreSchema.parse({});
    expect(cfg).toMatchObject({ pFloor: 0.05, missingLogprob: 'floor' });
    const r = row({
      task: 't',
      steps: [
        { action: [0], logprob: -0.5 },
        { action: [0], logprob: -8 },
        { action: [0], logprob: 0 },
      ],
      costs: { s: { c: 10 } },
    });
    const t = trajectoryScore(r, cfg);
    expect(t.logSelf).toBeCloseTo(-3.495732273553991, 12);
    expect(t.steps).toBe(3);
    expect(t.floored).toBe(1);
    expect(t.missing).toBe(0);
    expect(t.external).toBeCloseTo(0.9048374180359595, 12);
    expect(t.success).toBe(0);
    expect(t.total).toBeCloseTo(0.8698800953004197, 12);
    // The same rollout with success: true adds λ_success = 5; success: false adds nothing.
    expect(trajectoryScore({ ...r, success: true }, cfg).total).toBeCloseTo(5.869880095300419, 12);
    expect(trajectoryScore({ ...r, success: false }, cfg).total).toBeCloseTo(0.8698800953004197, 12);
  });

  it('a partly logged rollout gains nothing over the fully logged one by what it did not log', () => {
    const cfg = TrajectoryScoreSchema.parse({});
    const full = row({
      task: 't',
      steps: [
        { action: [0], logprob: -0.1 },
        { action: [1], logprob: -1 },
      ],
    });
    const partial = row({ task: 't', steps: [{ action: [0], logprob: -0.1 }, { action: [1] }] });
    // Any logged value of the second step (≥ the floor) scores at least the missing one.
    expect(trajectoryScore(full, cfg).total).toBeGreaterThan(trajectoryScore(partial, cfg).total);
    const atFloor = row({
      task: 't',
      steps: [
        { action: [0], logprob: -0.1 },
        { action: [1], logprob: -50 },
      ],
    });
    expect(trajectoryScore(atFloor, cfg).total).toBeCloseTo(trajectoryScore(partial, cfg).total, 12);
  });

  it('a numeric β applies to every cost name; costs at or under τ add nothing', () => {
    // β 0.2; τ lift {a 1, b 2}; costs lift {a 4, b 1}, hold {c 0}: 0.2·3 + 0 + 0 = 0.6, R_ext = e^−0.6.
    // λ defaults, success true, one step without logprob: total = 0.5488116360940265 + 5 + 0.01·ln 0.05
    const cfg = TrajectoryScoreSchema.parse({ beta: 0.2, thresholds: { default: { lift: { a: 1, b: 2 } } } });
    const t = trajectoryScore(
      row({ task: 't', success: true, costs: { lift: { a: 4, b: 1 }, hold: { c: 0 } } }),
      cfg,
    );
    expect(t.external).toBeCloseTo(0.5488116360940265, 12);
    expect(t.total).toBeCloseTo(5.518854313358486, 12);
    // Every cost exactly at its τ: R_ext is exactly 1.
    expect(trajectoryScore(row({ task: 't', costs: { lift: { a: 1, b: 2 } } }), cfg).external).toBe(1);
  });

  it('a step exactly at the floor is not counted as floored', () => {
    // pFloor 0.01: a logprob of ln 0.01 = −4.605170185988091 itself is kept, not raised.
    const t = trajectoryScore(
      row({ task: 'pick', steps: [{ action: [0], logprob: -4.605170185988091 }] }),
      CUSTOM,
    );
    expect(t.floored).toBe(0);
    expect(t.logSelf).toBeCloseTo(-4.605170185988091, 12);
  });

  it('pFloor 1 raises every step to log 1 = 0', () => {
    // max(logprob, ln 1 = 0) = 0 for every logprob ≤ 0; the two negative ones are floored.
    const cfg = TrajectoryScoreSchema.parse({ pFloor: 1 });
    const t = trajectoryScore(
      row({
        task: 't',
        steps: [
          { action: [0], logprob: -3 },
          { action: [0], logprob: 0 },
          { action: [0], logprob: -0.001 },
        ],
      }),
      cfg,
    );
    expect(t.logSelf).toBe(0);
    expect(t.steps).toBe(3);
    expect(t.floored).toBe(2);
    expect(t.total).toBeCloseTo(1, 12); // 0.01·0 + 1·1 + 0
  });

  it('sums in log space: a long rollout does not underflow', () => {
    // 20,000 steps of logprob −2 (above ln 0.05): log R_self = −40,000 (Π p would be 0 in a double).
    const steps = Array.from({ length: 20_000 }, () => ({ action: [0], logprob: -2 }));
    const t = trajectoryScore(row({ task: 't', steps }), TrajectoryScoreSchema.parse({}));
    expect(t.logSelf).toBeCloseTo(-40_000, 6);
    expect(t.total).toBeCloseTo(0.01 * -40_000 + 1, 6);
    expect(Number.isFinite(t.total)).toBe(true);
  });
});
