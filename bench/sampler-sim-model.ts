/**
 * A simulated training run for the batch sampler (`src/sample`): no model, only loss curves. Each
 * mixture component k has a skill s_k that grows by its learnability with every example of k the
 * trainer sees (and by a fraction `transfer` of its neighbour's), and an example's loss is
 *
 *   loss_i = floor_k + (init_k − floor_k) · h_i · exp(−s_k) + σ_k · N(0, 1)      (clipped at 0)
 *
 * with h_i a seeded per-example hardness (mean 1 in each component). The noise component has
 * learnability 0 and a per-example level instead, so its loss stays high and noisy whatever is served.
 * This is evidence for the mechanism, not a claim about real models.
 */
import { type SamplerPolicy, SamplerPolicySchema } from '../schemas/sampler.ts';
import { fitGmm, gmmPosteriors } from '../src/cluster/index.ts';
import { mulberry32 } from '../src/demo/random.ts';
import { diagEntropy } from '../src/sample/mixture.ts';
import { mix32 } from '../src/sample/order.ts';
import { type Membership, Sampler } from '../src/sample/sampler.ts';

export interface ComponentSpec {
  name: string;
  size: number;
  init: number;
  floor: number;
  /** Skill gained per example served (0: unlearnable). */
  learn: number;
  /** Observation noise of a reported loss. */
  sigma: number;
  /** The component that shares skill with this one (and, for gmm, takes its posterior spill); −1 none. */
  neighbour: number;
  noise?: boolean;
}

/** Eight components, 20,000 examples: six ordinary, one of near-duplicates, one of unlearnable noise. */
export const COMPONENTS: ComponentSpec[] = [
  { name: 'web', size: 5000, init: 3.0, floor: 1.8, learn: 1 / 4000, sigma: 0.15, neighbour: 1 },
  { name: 'code', size: 3000, init: 4.0, floor: 1.2, learn: 1 / 6000, sigma: 0.15, neighbour: 2 },
  { name: 'math', size: 2000, init: 4.5, floor: 1.5, learn: 1 / 10000, sigma: 0.15, neighbour: 4 },
  { name: 'dialogue', size: 3000, init: 3.2, floor: 2.0, learn: 1 / 3000, sigma: 0.15, neighbour: 0 },
  { name: 'science', size: 2000, init: 3.8, floor: 1.6, learn: 1 / 8000, sigma: 0.15, neighbour: 2 },
  { name: 'rare-lang', size: 800, init: 5.0, floor: 2.0, learn: 1 / 2500, sigma: 0.15, neighbour: 3 },
  { name: 'near-dup', size: 600, init: 3.5, floor: 0.3, learn: 1 / 150, sigma: 0.1, neighbour: 0 },
  { name: 'noise', size: 3600, init: 5.5, floor: 5.5, learn: 0, sigma: 1.2, neighbour: -1, noise: true },
];

export interface World {
  spec: ComponentSpec[];
  n: number;
  label: Int32Array;
  /** Per-example hardness h_i (learnable components) or loss level (noise). */
  level: Float64Array;
  /** Mean hardness of each component. */
  meanLevel: number[];
  hard: Membership;
  /** Top-3 posteriors: the true component 0.6–0.95, most of the rest on its neighbour, a little on a third. */
  soft: Membership;
  /** Skill transferred to the neighbour, as a fraction of the learner's own gain. */
  transfer: number;
  /** A mixture world: each example's embedding in the trainer's space (n × trainerDim), for refresh. */
  trainer?: { dim: number; data: Float32Array };
}

export interface WorldOptions {
  transfer?: number;
}

/** Scale every component's size by `scale` (and its learnability by 1/scale, so the curves keep their shape per epoch). */
export function scaled(spec: ComponentSpec[], scale: number): ComponentSpec[] {
  return spec.map((c) => ({ ...c, size: Math.max(1, Math.round(c.size * scale)), learn: c.learn / scale }));
}

export function buildWorld(
  spec: ComponentSpec[],
  seed: number,
  { transfer = 0.1 }: WorldOptions = {},
): World {
  const rand = mulberry32(mix32(seed, 0x771d));
  const k = spec.length;
  const n = spec.reduce((a, c) => a + c.size, 0);
  const label = new Int32Array(n);
  const level = new Float64Array(n);
  const meanLevel = new Array<number>(k).fill(0);
  let i = 0;
  spec.forEach((c, comp) => {
    for (let j = 0; j < c.size; j++, i++) {
      label[i] = comp;
      // Noise: a level spread uniformly ±1.5 around init; learnable: hardness log-normal, sd 0.3.
      level[i] = c.noise ? c.init + 3 * (rand() - 0.5) : Math.exp(0.3 * gauss(rand) - 0.045);
      meanLevel[comp] += level[i] / c.size;
    }
  });
  const width = 3;
  const postComp = new Int32Array(n * width);
  const postP = new Float32Array(n * width);
  const ordinary = spec.flatMap((c, comp) => (c.noise ? [] : [comp]));
  for (let e = 0; e < n; e++) {
    const own = label[e];
    const near = spec[own].neighbour >= 0 ? spec[own].neighbour : pick(ordinary, rand, [own]);
    const third = pick(
      spec.map((_, comp) => comp),
      rand,
      [own, near],
    );
    const pTrue = 0.6 + 0.35 * rand();
    const pNear = (1 - pTrue) * (0.7 + 0.25 * rand());
    postComp.set([own, near, third], e * width);
    postP.set([pTrue, pNear, 1 - pTrue - pNear], e * width);
  }
  const hard: Membership = {
    n,
    k,
    label,
    width: 1,
    postComp: Int32Array.from(label),
    postP: new Float32Array(n).fill(1),
  };
  return { spec, n, label, level, meanLevel, hard, soft: { n, k, label, width, postComp, postP }, transfer };
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function pick(from: number[], rand: () => number, not: number[]): number {
  const ok = from.filter((c) => !not.includes(c));
  return ok[Math.floor(rand() * ok.length)];
}

/** The model being trained: one skill per component. */
export class Trainee {
  readonly world: World;
  readonly skill: Float64Array;
  private readonly rand: () => number;

  constructor(world: World, seed: number) {
    this.world = world;
    this.skill = new Float64Array(world.spec.length);
    this.rand = mulberry32(mix32(seed, 0x1055));
  }

  /** The loss the trainer reports for example i (noisy). */
  loss(i: number): number {
    const c = this.world.spec[this.world.label[i]];
    return Math.max(0, this.clean(i) + c.sigma * gauss(this.rand));
  }

  clean(i: number): number {
    const comp = this.world.label[i];
    const c = this.world.spec[comp];
    if (c.noise) return this.world.level[i];
    return c.floor + (c.init - c.floor) * this.world.level[i] * Math.exp(-this.skill[comp]);
  }

  /** One optimizer step on the batch: each example raises its component's skill (and a little its neighbour's). */
  train(idx: readonly number[]): void {
    const { spec, label, transfer } = this.world;
    for (const i of idx) {
      const c = spec[label[i]];
      this.skill[label[i]] += c.learn;
      if (c.neighbour >= 0 && !spec[c.neighbour].noise)
        this.skill[c.neighbour] += transfer * spec[c.neighbour].learn;
    }
  }

  /** The mean noiseless loss over every example of a learnable component (the target metric). */
  learnableLoss(): number {
    let sum = 0;
    let n = 0;
    this.world.spec.forEach((c, comp) => {
      if (c.noise) return;
      sum +=
        c.size * (c.floor + (c.init - c.floor) * this.world.meanLevel[comp] * Math.exp(-this.skill[comp]));
      n += c.size;
    });
    return sum / n;
  }

  /** The same metric's floor (every learnable component fully learned). */
  floorLoss(): number {
    let sum = 0;
    let n = 0;
    for (const c of this.world.spec)
      if (!c.noise) {
        sum += c.size * c.floor;
        n += c.size;
      }
    return sum / n;
  }
}

export interface RunOptions {
  steps: number;
  batchSize: number;
  seed: number;
  /** The target: this fraction of the reducible learnable loss left (initial − floor). */
  remaining: number;
}

export interface RunResult {
  /** First step after which the target metric is at or under the target; null if never within `steps`. */
  stepsToTarget: number | null;
  /** Fraction of served examples whose true component is the noise component. */
  noiseShare: number;
  /** Mean over steps of the noise component's probability in the sampler's weights. */
  noiseWeight: number;
  /** The target metric after the last step run. */
  finalLoss: number;
  stepsRun: number;
  servedPerComponent: number[];
  target: number;
}

export interface Arm {
  name: string;
  policy: SamplerPolicy;
}

const parse = (p: unknown): SamplerPolicy => SamplerPolicySchema.parse(p);

/** The policies compared, with the schema's defaults (η = 1, ε = 0.1, β = 0.2). */
export const ARMS: Arm[] = [
  { name: 'uniform', policy: parse({ id: 'uniform' }) },
  { name: 'balanced', policy: parse({ id: 'balanced' }) },
  { name: 'balanced cap=8', policy: parse({ id: 'balanced', cap: 8 }) },
  { name: 'loss (loss)', policy: parse({ id: 'loss', signal: 'loss' }) },
  { name: 'loss (decrease)', policy: parse({ id: 'loss', signal: 'decrease' }) },
  { name: 'gmm (loss)', policy: parse({ id: 'gmm', signal: 'loss' }) },
  { name: 'gmm (decrease)', policy: parse({ id: 'gmm', signal: 'decrease' }) },
  { name: 'gmm (decrease, no refresh)', policy: parse({ id: 'gmm', signal: 'decrease', refresh: false }) },
];

/**
 * The same components and loss curves, but the sampler sees them through a Gaussian mixture fitted on
 * simulated embeddings, as a job's `cluster: {algorithm: "gmm"}` would give it. Each component is a
 * diagonal Gaussian in `dim` dimensions around a random centre (sd 4 per coordinate) with its own
 * spread (`EMBED_SD`): near-duplicates tight, noise broad around the origin, so noise examples also
 * land in the ordinary clusters' tails. A GMM with k = 8 is fitted (src/cluster, seeded); every
 * policy then gets its labels (hard), top-3 posteriors (gmm), each example's log-density under its
 * own component and each component's entropy (mixture). Hardness is independent of the embedding.
 * The trainer's embeddings (refresh) are a fixed random linear map of the embedding to `trainerDim`
 * dimensions plus noise (sd 0.3).
 */
export const EMBED_SD = [1.0, 0.8, 0.7, 1.0, 0.8, 0.6, 0.15, 3.0];

export function buildMixtureWorld(
  spec: ComponentSpec[],
  seed: number,
  {
    dim = 8,
    trainerDim = 16,
    transfer = 0.1,
    noiseSd = EMBED_SD[7],
  }: { dim?: number; trainerDim?: number; transfer?: number; noiseSd?: number } = {},
): World & { agreement: number } {
  const base = buildWorld(spec, seed, { transfer });
  const rand = mulberry32(mix32(seed, 0xe111));
  const k = spec.length;
  const centre = Float64Array.from({ length: k * dim }, () => 4 * gauss(rand));
  const x = new Float32Array(base.n * dim);
  for (let i = 0; i < base.n; i++) {
    const c = base.label[i];
    const noise = spec[c].noise;
    for (let j = 0; j < dim; j++)
      x[i * dim + j] =
        (noise ? 0 : centre[c * dim + j]) + (noise ? noiseSd : (EMBED_SD[c] ?? 1)) * gauss(rand);
  }
  const fit = fitGmm({ data: x, n: base.n, dim }, { k, seed, maxIter: 100 });
  const post = gmmPosteriors({ data: x, n: base.n, dim }, fit.params, 3);
  const width = 3;
  const postComp = new Int32Array(base.n * width).fill(-1);
  const postP = new Float32Array(base.n * width);
  const density = new Float64Array(base.n);
  post.top.forEach((t, i) => {
    t.forEach(({ component, p }, j) => {
      postComp[i * width + j] = component;
      postP[i * width + j] = p;
    });
    density[i] = post.logLik[i] + Math.log(t[0].p) - Math.log(fit.params.weights[post.labels[i]]);
  });
  const spread = Array.from({ length: k }, (_, c) =>
    diagEntropy(fit.params.variances.subarray(c * dim, (c + 1) * dim)),
  );
  const label = post.labels;
  const hard: Membership = {
    n: base.n,
    k,
    label,
    width: 1,
    postComp: Int32Array.from(label),
    postP: new Float32Array(base.n).fill(1),
    density,
    spread,
  };
  const map = Float64Array.from({ length: trainerDim * dim }, () => gauss(rand) / Math.sqrt(dim));
  const data = new Float32Array(base.n * trainerDim);
  for (let i = 0; i < base.n; i++)
    for (let q = 0; q < trainerDim; q++) {
      let v = 0.3 * gauss(rand);
      for (let j = 0; j < dim; j++) v += map[q * dim + j] * x[i * dim + j];
      data[i * trainerDim + q] = v;
    }
  // How often the fitted label's majority true component is the example's own.
  const votes = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < base.n; i++) votes[label[i]][base.label[i]]++;
  const agree = votes.reduce((a, v) => a + Math.max(...v), 0) / base.n;
  return {
    ...base,
    hard,
    soft: { n: base.n, k, label, width, postComp, postP, density, spread },
    trainer: { dim: trainerDim, data },
    agreement: agree,
  };
}

/** Mixture-world arms: every policy sees the fitted mixture; `refresh` arms send trainer embeddings. */
export const MIXTURE_ARMS: (Arm & { embeddings?: boolean })[] = [
  { name: 'uniform', policy: parse({ id: 'uniform' }) },
  { name: 'loss (decrease)', policy: parse({ id: 'loss', signal: 'decrease' }) },
  { name: 'gmm (decrease)', policy: parse({ id: 'gmm', signal: 'decrease' }) },
  { name: 'mixture (default: τ 0.5, γ 0)', policy: parse({ id: 'mixture' }) },
  { name: 'mixture, τ 0.9', policy: parse({ id: 'mixture', typicality: 0.9 }) },
  { name: 'mixture, γ +0.5', policy: parse({ id: 'mixture', spread: 0.5 }) },
  { name: 'mixture, γ −0.5', policy: parse({ id: 'mixture', spread: -0.5 }) },
  { name: 'mixture, trainer embeddings', policy: parse({ id: 'mixture' }), embeddings: true },
];

export function simulate(
  world: World,
  policy: SamplerPolicy,
  opts: RunOptions & { embeddings?: boolean },
): RunResult {
  const { steps, batchSize, seed, remaining } = opts;
  const trainee = new Trainee(world, seed);
  const membership = policy.id === 'gmm' ? world.soft : world.hard;
  const sampler = new Sampler(membership, { batchSize, seed, policy });
  const start = trainee.learnableLoss();
  const floor = trainee.floorLoss();
  const target = floor + remaining * (start - floor);
  const served = new Array<number>(world.spec.length).fill(0);
  const noiseComp = world.spec.findIndex((c) => c.noise);
  let noiseWeight = 0;
  let stepsToTarget: number | null = null;
  let stepsRun = 0;
  for (let t = 0; t < steps; t++) {
    const b = sampler.next();
    if (!b) break;
    const losses = b.idx.map((i) => trainee.loss(i));
    trainee.train(b.idx);
    for (const i of b.idx) served[world.label[i]]++;
    if (noiseComp >= 0) noiseWeight += b.p[noiseComp];
    const tr = opts.embeddings ? world.trainer : undefined;
    const emb = tr ? b.idx.map((i) => Array.from(tr.data.subarray(i * tr.dim, (i + 1) * tr.dim))) : undefined;
    sampler.feedback(b.idx, losses, b.p, emb);
    stepsRun = t + 1;
    if (stepsToTarget === null && trainee.learnableLoss() <= target) stepsToTarget = stepsRun;
  }
  const total = served.reduce((a, b) => a + b, 0);
  const noise = world.spec.reduce((a, c, comp) => a + (c.noise ? served[comp] : 0), 0);
  return {
    stepsToTarget,
    noiseShare: total ? noise / total : 0,
    noiseWeight: stepsRun ? noiseWeight / stepsRun : 0,
    finalLoss: trainee.learnableLoss(),
    stepsRun,
    servedPerComponent: served,
    target,
  };
}
