/**
 * Seeded generator of robot-rollout datasets for the preference-pairs benchmark (src/pairs and the
 * naive bench/pairs-reference.ts). One JSONL line per rollout:
 *
 *   {"task": "pick-place-00017: put the red cube in the bowl",
 *    "initialState": {"seed": 48213, "objects": 3},            (absent for ~10% of tasks)
 *    "steps": [{"observation": "r2://obs/pick-place-00017/4/0.png", "action": [7 numbers], "logprob": -0.41}, …],
 *    "success": true, "costs": {"grasp": {"collision": 0, "time": 61.2}, "place": {…}},
 *    "id": "pick-place-00017-1-4"}                              (<task id>-<state>-<rollout>)
 *
 * Shape of the data:
 * - each task has `states` distinct initial states; each rollout draws one at random, so a few groups
 *   (task, state) have a single member; tasks without an initialState form one group per task;
 *   initialState's keys come in random order (grouping must canonicalise them);
 * - steps per rollout: uniform in [0.5·steps, 1.5·steps], rounded (the file's mean is `steps`);
 * - ~5% of steps have no logprob, ~2% have a very negative one (−15 to −25, below a 1e-3 floor);
 * - success rate per task: 15% of tasks always succeed, 15% always fail, the rest p ∈ [0.1, 0.9];
 * - costs: collision 0 half the time, else in [0, 5]; time in [0, 200];
 * - ~2% of tasks are "replays": every rollout from the same state repeats the same steps, costs and
 *   outcome (only the observation keys differ), so their groups tie exactly (margin 0).
 * Every rollout's content comes from its own PRNG stream seeded by (seed, task, state, rollout): the same
 * seed gives a byte-identical file.
 *
 *   node bench/pairs-gen.ts                   # 2000 tasks × 10 rollouts × ~50 steps, 2 states: ≈1,000,000 steps
 *   node bench/pairs-gen.ts --tasks 20 --rollouts 4 --steps 5 --seed 2 --out bench/out/traj-small.jsonl
 */

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/demo/random.ts';

export interface TrajectoryGenOptions {
  tasks: number;
  rollouts: number;
  /** Mean steps per rollout. */
  steps: number;
  /** Distinct initial states per task. */
  states: number;
  seed: number;
}

/** What a generation produced (the generator's return value). */
export interface TrajectoryGenStats {
  rollouts: number;
  steps: number;
  /** UTF-8 bytes of the lines, newlines included. */
  bytes: number;
  /** Non-empty groups: (task, initial state), or task alone when it has no initial state. */
  groups: number;
}

const FAMILIES = ['pick-place', 'stack', 'open-drawer', 'push', 'pour', 'wipe'];
const COLORS = ['red', 'green', 'blue', 'yellow', 'black', 'white'];
const OBJECTS = ['cube', 'mug', 'sponge', 'block', 'bottle', 'spoon'];
const TARGETS = ['bowl', 'tray', 'drawer', 'basket', 'plate', 'shelf'];
const STAGES = ['grasp', 'place'];

/** Mixes integers into one 32-bit seed (murmur3-style finaliser per part). */
function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const pick = <T>(rng: () => number, xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];

interface TaskProfile {
  id: string;
  name: string;
  /** Success probability of a rollout. */
  pSuccess: number;
  hasState: boolean;
  replay: boolean;
  states: { seed: number; objects: number }[];
}

function taskProfile(seed: number, t: number, states: number): TaskProfile {
  const rng = mulberry32(mix(seed, t, 0x7a5c));
  const id = `${pick(rng, FAMILIES)}-${String(t).padStart(5, '0')}`;
  const name = `${id}: put the ${pick(rng, COLORS)} ${pick(rng, OBJECTS)} in the ${pick(rng, TARGETS)}`;
  const kind = rng();
  const pSuccess = kind < 0.15 ? 1 : kind < 0.3 ? 0 : 0.1 + 0.8 * rng();
  const hasState = rng() >= 0.1;
  const replay = rng() < 0.02;
  // Distinct seeds: a random base plus a multiple of a prime per state.
  const base = Math.floor(rng() * 1_000_000);
  const list = Array.from({ length: states }, (_, s) => ({
    seed: base + s * 7919,
    objects: 1 + Math.floor(rng() * 5),
  }));
  return { id, name, pSuccess, hasState, replay, states: list };
}

/** One rollout's JSON line (no newline) and its step count. */
function rolloutLine(
  seed: number,
  t: number,
  r: number,
  task: TaskProfile,
  meanSteps: number,
  state: number,
): { line: string; steps: number } {
  // Replays share one content stream per state, so their rollouts are identical but for observations.
  const rng = mulberry32(mix(seed, t, state, task.replay ? 0xffff : r + 1));
  const n = Math.round(meanSteps * (0.5 + rng()));
  const success = rng() < task.pSuccess;
  const spread = success ? 1.2 : 2.4; // successful rollouts are a little more confident
  const steps: { observation: string; action: number[]; logprob?: number }[] = [];
  for (let k = 0; k < n; k++) {
    const action = Array.from({ length: 7 }, () => round3(2 * rng() - 1));
    const observation = `r2://obs/${task.id}/${r}/${k}.png`;
    const u = rng();
    const v = rng();
    if (u < 0.05) steps.push({ observation, action });
    else if (u < 0.07) steps.push({ observation, action, logprob: -Math.round((15 + 10 * v) * 1e4) / 1e4 });
    else steps.push({ observation, action, logprob: -Math.round((0.001 + spread * v * v) * 1e4) / 1e4 });
  }
  const costs: Record<string, { collision: number; time: number }> = {};
  for (const stage of STAGES) {
    const c = rng();
    costs[stage] = { collision: c < 0.5 ? 0 : round3(5 * rng()), time: round3(200 * rng()) };
  }
  const row: Record<string, unknown> = { task: task.name };
  if (task.hasState) {
    const { seed: s, objects } = task.states[state];
    row.initialState = rng() < 0.5 ? { seed: s, objects } : { objects, seed: s };
  }
  row.steps = steps;
  row.success = success;
  row.costs = costs;
  row.id = `${task.id}-${state}-${r}`;
  return { line: JSON.stringify(row), steps: n };
}

/** Yields one JSON line (no newline) per rollout, task by task; returns the totals. */
export function* generateTrajectories(
  opts: TrajectoryGenOptions,
): Generator<string, TrajectoryGenStats, undefined> {
  const { tasks, rollouts, steps, states, seed } = opts;
  const stats: TrajectoryGenStats = { rollouts: 0, steps: 0, bytes: 0, groups: 0 };
  for (let t = 0; t < tasks; t++) {
    const task = taskProfile(seed, t, states);
    const pickState = mulberry32(mix(seed, t, 0x57a7e));
    const used = new Set<number>();
    for (let r = 0; r < rollouts; r++) {
      const state = task.hasState ? Math.floor(pickState() * states) : 0;
      used.add(state);
      const { line, steps: n } = rolloutLine(seed, t, r, task, steps, state);
      stats.rollouts++;
      stats.steps += n;
      stats.bytes += Buffer.byteLength(line) + 1;
      yield line;
    }
    stats.groups += used.size;
  }
  return stats;
}

/** Writes the dataset to `path` in ~1 MB batches of lines; returns the totals. */
export function writeTrajectories(path: string, opts: TrajectoryGenOptions): TrajectoryGenStats {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    const gen = generateTrajectories(opts);
    let batch: string[] = [];
    let size = 0;
    for (let next = gen.next(); ; next = gen.next()) {
      if (next.done) {
        if (batch.length) writeSync(fd, batch.join(''));
        return next.value;
      }
      batch.push(next.value, '\n');
      size += next.value.length + 1;
      if (size >= 1 << 20) {
        writeSync(fd, batch.join(''));
        batch = [];
        size = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      tasks: { type: 'string', default: '2000' },
      rollouts: { type: 'string', default: '10' },
      steps: { type: 'string', default: '50' },
      states: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'bench/out/traj-1m.jsonl' },
    },
  });
  const opts: TrajectoryGenOptions = {
    tasks: Number(values.tasks),
    rollouts: Number(values.rollouts),
    steps: Number(values.steps),
    states: Number(values.states),
    seed: Number(values.seed),
  };
  for (const [k, v] of Object.entries(opts)) {
    if (!Number.isInteger(v) || v < (k === 'seed' || k === 'steps' ? 0 : 1)) {
      throw new RangeError(`--${k} must be an integer ≥ ${k === 'seed' || k === 'steps' ? 0 : 1}, got ${v}`);
    }
  }
  const out = resolve(values.out);
  const t0 = performance.now();
  const stats = writeTrajectories(out, opts);
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(
    `${out}: ${stats.rollouts} rollouts, ${stats.steps} steps (target ${opts.tasks * opts.rollouts * opts.steps}), ` +
      `${stats.groups} groups, ${stats.bytes} bytes (${(stats.bytes / 2 ** 20).toFixed(1)} MiB), ${seconds.toFixed(1)} s\n`,
  );
}
