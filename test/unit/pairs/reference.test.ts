import { describe, expect, it } from 'vitest';
import { generateTrajectories } from '../../../bench/pairs-gen.ts';
import { canonicalJson, referencePairs, scoreRollout } from '../../../bench/pairs-reference.ts';

// τ = 8 on grasp.time and τ = 1 on grasp.collision; every other τ is 0; β = 0.01 everywhere.
const OPTS = { thresholds: { default: { grasp: { time: 8, collision: 1 } } } };

// ln(0.05) = −2.995732273553991 (the floor of a step's log-probability, GRAPE's).
const ROWS = [
  // 0 (A): logprobs −0.5, −20 (below the floor: counts −2.995732273553991), none (counts the floor too):
  //   log R_self = −6.491464547107982.
  //   penalty = 0.01·max(0, 0.5 − 1) + 0.01·max(0, 10 − 8) + 0.01·3 + 0.01·0 = 0.05,
  //   R_ext = e^−0.05 = 0.951229424500714; I = 1.
  //   total = −0.06491464547107982 + 0.951229424500714 + 5 = 5.886314779029634.
  {
    task: 't',
    initialState: { seed: 1, objects: 2 },
    steps: [{ action: [0], logprob: -0.5 }, { action: [0], logprob: -20 }, { action: [0] }],
    success: true,
    costs: { grasp: { collision: 0.5, time: 10 }, place: { collision: 3, time: 0 } },
  },
  // 1 (B): log R_self = −3; penalty = 0.01·(2 − 1) + 0.01·0 (8 − 8) + 0.01·50 = 0.51,
  //   R_ext = e^−0.51 = 0.6004955788122659; I = 0. total = −0.03 + 0.6004955788122659 = 0.5704955788122659.
  {
    task: 't',
    initialState: { seed: 1, objects: 2 },
    steps: [
      { action: [0], logprob: -1 },
      { action: [0], logprob: -2 },
    ],
    success: false,
    costs: { grasp: { collision: 2, time: 8 }, place: { time: 50 } },
  },
  // 2 (C): same state, keys in the other order. log R_self = −0.1; no costs: R_ext = 1; I = 1.
  //   total = −0.001 + 1 + 5 = 5.999.
  {
    task: 't',
    initialState: { objects: 2, seed: 1 },
    steps: [{ action: [0], logprob: -0.1 }],
    success: true,
  },
  // 3: task 't' without initialState: a group of its own, single_response.
  { task: 't', steps: [{ action: [0], logprob: -0.1 }], success: true },
  // 4, 5: identical rollouts of task 'u': equal totals, margin_too_small.
  { task: 'u', steps: [{ action: [1], logprob: -0.3 }], success: false, costs: { a: { b: 1 } } },
  { task: 'u', steps: [{ action: [1], logprob: -0.3 }], success: false, costs: { a: { b: 1 } } },
];
const TEXT = ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n\n';

describe('pairs reference', () => {
  it('scores rollouts by hand-computed GRAPE totals', () => {
    const [a, b, c] = ROWS.map((r) => scoreRollout(r, OPTS));
    expect(a.logRself).toBeCloseTo(-6.491464547107982, 12);
    expect(a.rext).toBeCloseTo(0.951229424500714, 12);
    expect(a.total).toBeCloseTo(5.886314779029634, 12);
    expect(b.total).toBeCloseTo(0.5704955788122659, 12);
    expect(c.total).toBeCloseTo(5.999, 12);
    // Defaults (τ = 0): A's penalty is 0.01·(0.5 + 10 + 3) = 0.135, total = −0.0649146… + e^−0.135 + 5.
    expect(scoreRollout(ROWS[0]).total).toBeCloseTo(5.808801266216955, 12);
  });

  it('pairs the best against the worst of each group', () => {
    const r = referencePairs(TEXT, OPTS);
    expect(r.rollouts).toBe(6);
    expect(r.steps).toBe(9);
    expect(r.groups).toBe(3);
    expect(r.skipped).toEqual({ single_response: 1, margin_too_small: 1 });
    expect(r.pairs).toHaveLength(1);
    const [p] = r.pairs;
    expect(p.group).toBe(`["t",${canonicalJson({ seed: 1, objects: 2 })}]`);
    expect(p.chosenIndex).toBe(2);
    expect(p.rejectedIndex).toBe(1);
    expect(p.margin).toBeCloseTo(5.999 - 0.5704955788122659, 12);
  });

  it('breaks exact ties by line index', () => {
    // Two equal best members: the earlier line is chosen; the worst is the last of equal worsts.
    const row = (lp: number) => JSON.stringify({ task: 'v', steps: [{ action: [0], logprob: lp }] });
    const r = referencePairs([row(-1), row(-5), row(-1), row(-5)].join('\n'));
    expect(r.pairs.map((p) => [p.chosenIndex, p.rejectedIndex])).toEqual([[0, 3]]);
  });

  it('canonicalises initialState keys recursively', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});

describe('pairs generator', () => {
  const opts = { tasks: 6, rollouts: 4, steps: 5, states: 2, seed: 1 };
  const run = (seed: number) => {
    const gen = generateTrajectories({ ...opts, seed });
    const lines: string[] = [];
    for (let next = gen.next(); ; next = gen.next()) {
      if (next.done) return { lines, stats: next.value };
      lines.push(next.value);
    }
  };

  it('is deterministic per seed', () => {
    const a = run(1);
    expect(run(1).lines.join('\n')).toBe(a.lines.join('\n'));
    expect(run(2).lines.join('\n')).not.toBe(a.lines.join('\n'));
  });

  it('writes well-formed rollouts and accurate totals', () => {
    const { lines, stats } = run(1);
    expect(lines).toHaveLength(24);
    expect(stats.rollouts).toBe(24);
    expect(stats.bytes).toBe(lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0));
    for (const line of lines) {
      const row = JSON.parse(line);
      expect(row.task).toMatch(/^[a-z-]+-\d{5}: put the /);
      expect(row.steps.length).toBeGreaterThanOrEqual(2);
      expect(row.steps.length).toBeLessThanOrEqual(8);
      for (const s of row.steps) {
        expect(s.action).toHaveLength(7);
        if ('logprob' in s) expect(s.logprob).toBeLessThan(0);
      }
      expect(typeof row.success).toBe('boolean');
      expect(Object.keys(row.costs)).toEqual(['grasp', 'place']);
    }
    const r = referencePairs(lines.join('\n'));
    expect(r.rollouts).toBe(stats.rollouts);
    expect(r.steps).toBe(stats.steps);
    expect(r.groups).toBe(stats.groups);
  });
});
