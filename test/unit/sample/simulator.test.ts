import { describe, expect, it } from 'vitest';
import {
  ARMS,
  buildMixtureWorld,
  buildWorld,
  COMPONENTS,
  MIXTURE_ARMS,
  type RunResult,
  scaled,
  simulate,
  Trainee,
} from '../../../bench/sampler-sim-model.ts';

// A quarter of the bench's dataset (5,000 examples), batch 64, 500 steps (6.4 epochs), one seed.
const world = buildWorld(scaled(COMPONENTS, 0.25), 1);
const NOISE = COMPONENTS.findIndex((c) => c.noise);
const DUP = COMPONENTS.findIndex((c) => c.name === 'near-dup');
const results = new Map<string, RunResult>();
function run(name: string): RunResult {
  const arm = ARMS.find((a) => a.name === name)!;
  let r = results.get(name);
  if (!r) {
    r = simulate(world, arm.policy, {
      steps: 500,
      batchSize: 64,
      seed: 1,
      remaining: 0.2,
    });
    results.set(name, r);
  }
  return r;
}

describe('training simulator: the model', () => {
  it('noise stays put, near-duplicates are learned within about one pass over them', () => {
    const t = new Trainee(world, 1);
    const noisy = Array.from({ length: world.n }, (_, i) => i).filter((i) => world.label[i] === NOISE);
    const dups = Array.from({ length: world.n }, (_, i) => i).filter((i) => world.label[i] === DUP);
    const before = noisy.map((i) => t.clean(i));
    const start = t.learnableLoss();
    t.train(noisy);
    expect(noisy.map((i) => t.clean(i))).toEqual(before);
    expect(t.learnableLoss()).toBe(start);
    const spec = world.spec[DUP];
    t.train(dups);
    // One pass raises the skill by size × learnability = 4: 2% of the gap is left.
    const gap = (spec.init - spec.floor) * world.level[dups[0]];
    expect(t.clean(dups[0]) - spec.floor).toBeCloseTo(gap * Math.exp(-spec.size * spec.learn), 9);
    expect(spec.size * spec.learn).toBeCloseTo(4, 9);
    expect(t.learnableLoss()).toBeLessThan(start);
    expect(t.floorLoss()).toBeLessThan(t.learnableLoss());
  });

  it('is deterministic given the seed', () => {
    const arm = ARMS.find((a) => a.name === 'gmm (decrease)')!;
    const opts = { steps: 60, batchSize: 64, seed: 3, remaining: 0.2 };
    expect(simulate(world, arm.policy, opts)).toEqual(simulate(world, arm.policy, opts));
  });
});

describe('training simulator: the policies (qualitative, one seed)', () => {
  it('uniform spends the noise component its size; balanced 1/K; a cap reaches the target sooner', () => {
    expect(run('uniform').noiseShare).toBeCloseTo(900 / 5000, 2);
    expect(run('balanced').noiseShare).toBeCloseTo(1 / 8, 1);
    expect(run('balanced cap=8').stepsToTarget!).toBeLessThan(run('uniform').stepsToTarget!);
  });

  it("signal 'loss' chases the unlearnable component; 'decrease' spends less on it", () => {
    const uniform = run('uniform');
    const chase = run('loss (loss)');
    expect(chase.noiseShare).toBeGreaterThan(2 * uniform.noiseShare);
    expect(chase.stepsToTarget!).toBeGreaterThan(1.3 * uniform.stepsToTarget!);
    expect(run('loss (decrease)').noiseShare).toBeLessThan(chase.noiseShare - 0.1);
    expect(run('gmm (decrease)').noiseShare).toBeLessThan(run('gmm (loss)').noiseShare - 0.1);
  });

  it("'decrease' reaches the target sooner than uniform, at the price of more noise at this batch size", () => {
    const uniform = run('uniform');
    const decrease = run('loss (decrease)');
    expect(decrease.stepsToTarget!).toBeLessThan(uniform.stepsToTarget!);
    expect(decrease.noiseShare).toBeLessThan(0.5);
  });
});

describe('training simulator: the mixture world', () => {
  const mw = buildMixtureWorld(scaled(COMPONENTS, 0.25), 1);
  it('a GMM fitted on the simulated embeddings: labels mostly pure, the noise in its broadest components', () => {
    expect(mw.agreement).toBeGreaterThan(0.9);
    const { density, spread, label } = mw.hard;
    expect(density!.every(Number.isFinite)).toBe(true);
    // Each fitted cluster's majority true component; the noise's clusters have the largest entropy.
    const votes = Array.from({ length: mw.hard.k }, () => new Array<number>(mw.spec.length).fill(0));
    for (let i = 0; i < mw.n; i++) votes[label[i]][mw.label[i]]++;
    const majority = votes.map((v) => v.indexOf(Math.max(...v)));
    const noisy = spread!.filter((_, c) => majority[c] === NOISE);
    const ordinary = spread!.filter((_, c) => majority[c] !== NOISE);
    expect(noisy.length).toBeGreaterThan(0);
    expect(Math.min(...noisy)).toBeGreaterThan(Math.max(...ordinary));
  });

  it('is deterministic given the seed, trainer embeddings included', () => {
    const arm = MIXTURE_ARMS.find((a) => a.embeddings)!;
    const opts = { steps: 60, batchSize: 64, seed: 3, remaining: 0.2, embeddings: true };
    expect(simulate(mw, arm.policy, opts)).toEqual(simulate(mw, arm.policy, opts));
    expect(buildMixtureWorld(scaled(COMPONENTS, 0.25), 1).hard).toEqual(mw.hard);
  });
});
