import type { SamplerPolicy } from '../../schemas/sampler.ts';
import {
  addDensity,
  addEmbedding,
  diagEntropy,
  diagLogDensity,
  type EmbeddingStats,
  embeddingVariance,
  emptyEmbeddingStats,
  normalCdf,
  typicalityRanks,
} from './mixture.ts';
import { drawCategorical, mix32, shuffled } from './order.ts';

/** Uniform in [0, 1) from (seed, i). */
const unitHash = (seed: number, i: number) => mix32(seed, i, 0x7e57) / 2 ** 32;

/** Which component each example is in: a hard label, and up to `width` posterior responsibilities. */
export interface Membership {
  n: number;
  k: number;
  /** Hard component of example i. */
  label: Int32Array;
  /** Posteriors, `width` per example: component (−1 unused) and probability. From a GMM job; else the label with 1. */
  width: number;
  postComp: Int32Array;
  postP: Float32Array;
  /** GMM: each example's log-density under its own component (NaN where unknown): its typicality. */
  density?: Float64Array;
  /** GMM: each component's spread, the entropy of its Gaussian (NaN where unknown). */
  spread?: number[];
}

/** What the `mixture` policy keeps beyond the state: typicality per example, the trainer's embedding statistics per component. */
export interface MixtureMemory {
  /** Each example's typicality in (0, 1]: its rank within its component (refreshed: Φ of its z-score). */
  typ?: Float32Array;
  /** Per component, the running Gaussian of the embeddings the trainer reported (null: none yet). */
  emb?: (EmbeddingStats | null)[];
}

/** What the sampler remembers of one component (JSON: the Durable Object stores it after every call). */
export interface ComponentState {
  epoch: number;
  pos: number;
  /** Members whose turn came while they were already in the batch: served first, next time. */
  carry: number[];
  served: number;
  feedback: number;
  /** EMA of reported losses, EMA of their decrease, EMA of the squared deviation (gmm refresh). */
  loss: number | null;
  decrease: number | null;
  variance: number | null;
}

export interface SamplerState {
  step: number;
  served: number;
  exhausted: boolean;
  comps: ComponentState[];
}

export interface SamplerOptions {
  batchSize: number;
  seed: number;
  policy: SamplerPolicy;
  epochs?: number;
}

export interface Drawn {
  step: number;
  idx: number[];
  comps: number[];
  /** The component probabilities the batch was drawn with (for feedback's importance correction). */
  p: number[];
}

/** Losses below this spread are "the same" when normalizing the components' signals. */
const SPREAD_FLOOR = 1e-9;
/** Variance floor of a component's loss distribution (gmm refresh). */
const VAR_FLOOR = 1e-4;
/** Variance floor of the trainer's embeddings, per dimension (mixture refresh). */
const EMB_VAR_FLOOR = 1e-6;
/** Reported embeddings a component needs before its Gaussian scores them, and before their z-scores count. */
export const MIN_EMBEDDINGS = 16;

export const initialState = (k: number): SamplerState => ({
  step: 0,
  served: 0,
  exhausted: false,
  comps: Array.from({ length: k }, () => ({
    epoch: 0,
    pos: 0,
    carry: [],
    served: 0,
    feedback: 0,
    loss: null,
    decrease: null,
    variance: null,
  })),
});

/**
 * A deterministic, resumable batch sampler over mixture components. Everything it does is a
 * function of the membership, the options, the state and (gmm refresh) the current responsibilities:
 * the same seed and the same feedback history give the same batches. Orders within a component are
 * regenerated from (seed, component, epoch), so the state stays a few numbers per component.
 */
export class Sampler {
  readonly m: Membership;
  readonly opts: SamplerOptions;
  state: SamplerState;
  /** Current responsibilities (gmm refresh re-weights them); starts as the membership's posteriors. */
  readonly resp: Float32Array;
  /** Examples whose responsibilities changed since the host last saved them. */
  readonly dirty = new Set<number>();
  /** mixture: each example's typicality, and the trainer's embedding statistics per component. */
  readonly typ: Float32Array;
  readonly emb: (EmbeddingStats | null)[];
  /** Examples whose typicality, and components whose embedding statistics, changed since the host saved them. */
  readonly typDirty = new Set<number>();
  readonly embDirty = new Set<number>();
  private readonly sizes: number[];
  private readonly orders = new Map<string, number[]>();
  private members: number[][] | null = null;

  constructor(
    m: Membership,
    opts: SamplerOptions,
    state?: SamplerState,
    resp?: Float32Array,
    memory: MixtureMemory = {},
  ) {
    this.m = m;
    this.opts = opts;
    this.state = state ?? initialState(m.k);
    this.resp = resp ?? Float32Array.from(m.postP);
    this.typ =
      memory.typ ?? (m.density ? typicalityRanks(m.label, m.density, m.k) : new Float32Array(m.n).fill(1));
    this.emb = memory.emb ?? new Array(m.k).fill(null);
    this.sizes = new Array(m.k).fill(0);
    this.computeSizes();
  }

  private computeSizes(): void {
    const { m } = this;
    this.sizes.fill(0);
    if (this.opts.policy.id === 'gmm') {
      for (let i = 0; i < m.n * m.width; i++) if (m.postComp[i] >= 0) this.sizes[m.postComp[i]] += m.postP[i];
    } else if (this.opts.policy.id === 'mixture') {
      for (let i = 0; i < m.n; i++) this.sizes[m.label[i]] += this.keep(i);
    } else for (let i = 0; i < m.n; i++) this.sizes[m.label[i]]++;
  }

  /** mixture: the chance example i is served when its turn comes, 1 − τ·(1 − typicality): atypical ones less. */
  private keep(i: number): number {
    const p = this.opts.policy;
    return p.id === 'mixture' ? 1 - p.typicality * (1 - this.typ[i]) : 1;
  }

  /** mixture: each component's spread, from the trainer's embeddings once every live one has enough, else the job's. */
  spreads(): number[] {
    const p = this.opts.policy;
    const job = this.m.spread ?? new Array(this.m.k).fill(Number.NaN);
    if (p.id !== 'mixture' || !p.refresh) return job;
    const live = this.emb.filter((_, c) => !this.retired(c));
    if (!live.every((s) => s !== null && s.n >= MIN_EMBEDDINGS)) return job;
    return this.emb.map((s) =>
      s && s.n >= MIN_EMBEDDINGS ? diagEntropy(embeddingVariance(s, EMB_VAR_FLOOR)) : Number.NaN,
    );
  }

  /** Component `c`'s size: its members (gmm: the sum of their responsibilities). */
  size(c: number): number {
    return this.sizes[c];
  }

  private soft(): boolean {
    return this.opts.policy.id === 'gmm';
  }

  /** Members of each component: by label, or (gmm) every example with a responsibility for it. */
  private memberLists(): number[][] {
    if (this.members) return this.members;
    const lists: number[][] = Array.from({ length: this.m.k }, () => []);
    if (this.soft()) {
      for (let i = 0; i < this.m.n; i++)
        for (let j = 0; j < this.m.width; j++) {
          const c = this.m.postComp[i * this.m.width + j];
          if (c >= 0) lists[c].push(i);
        }
    } else for (let i = 0; i < this.m.n; i++) lists[this.m.label[i]].push(i);
    this.members = lists;
    return lists;
  }

  /** The job's posterior of example i for component c. */
  private prior(i: number, c: number): number {
    for (let j = 0; j < this.m.width; j++)
      if (this.m.postComp[i * this.m.width + j] === c) return this.m.postP[i * this.m.width + j];
    return 0;
  }

  /** The order component `c` serves its members in, in its epoch `e`. */
  private order(c: number, e: number): number[] {
    const key = `${c}:${e}`;
    let o = this.orders.get(key);
    if (!o) {
      const members = this.memberLists()[c];
      const seed = mix32(this.opts.seed, c, e);
      // gmm: each member joins the component's epoch with probability r⁰_ic (the job's posterior),
      // so over epochs an example is served in proportion to it; then in a seeded order. The
      // posteriors never change, so an epoch's order is the same after an eviction.
      o = this.soft()
        ? shuffled(
            members.filter((i) => unitHash(seed, i) < this.prior(i, c)),
            seed,
          )
        : shuffled(members, seed);
      if (this.orders.size > 4 * this.m.k) this.orders.clear();
      this.orders.set(key, o);
    }
    return o;
  }

  private retired(c: number): boolean {
    if (this.sizes[c] <= 0) return true;
    const p = this.opts.policy;
    return p.id === 'balanced' && p.cap !== undefined && this.state.comps[c].epoch >= p.cap;
  }

  /** The component probabilities for the next batch (the policy's formula, over components not retired). */
  weights(): number[] {
    const { k } = this.m;
    const live = Array.from({ length: k }, (_, c) => !this.retired(c));
    const prior = this.sizes.map((s, c) => (live[c] ? s : 0));
    const total = prior.reduce((a, b) => a + b, 0);
    if (total <= 0) return new Array(k).fill(0);
    const policy = this.opts.policy;
    if (policy.id === 'mixture' && policy.spread !== 0) {
      // The spread tilts the prior: π_k ∝ n_k·exp(γ·z(H_k)), z standardized over the live components.
      const z = standardized(this.spreads().map((h, c) => (live[c] ? h : Number.NaN)));
      for (let c = 0; c < k; c++) if (live[c]) prior[c] *= Math.exp(policy.spread * (z[c] ?? 0));
    }
    const totalTilted = prior.reduce((a, b) => a + b, 0);
    const pi = prior.map((s) => s / totalTilted);
    if (policy.id === 'uniform') return pi;
    const nLive = live.filter(Boolean).length;
    if (policy.id === 'balanced') return live.map((l) => (l ? 1 / nLive : 0));
    // loss and gmm: softmax of the normalized signal, mixed with the prior.
    const signal = this.state.comps.map((s) => (policy.signal === 'loss' ? s.loss : s.decrease));
    const seen = signal.flatMap((v, c) => (v !== null && live[c] ? [v] : []));
    const mean = seen.reduce((a, b) => a + b, 0) / Math.max(1, seen.length);
    const sd = Math.sqrt(seen.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, seen.length));
    const z = signal.map((v) => (v === null ? null : sd > SPREAD_FLOOR ? (v - mean) / sd : 0));
    // A component with no feedback yet counts as the most promising one seen, so it gets explored.
    const zMax = Math.max(0, ...z.filter((v): v is number => v !== null));
    // The signal tilts the prior: q_k ∝ π_k·exp(η·z_k), so with η = 0 the policy is uniform over examples.
    const logits = z.map((v, c) => (live[c] ? policy.eta * (v ?? zMax) : Number.NEGATIVE_INFINITY));
    const top = Math.max(...logits);
    const ex = logits.map((l, c) => (Number.isFinite(l) ? pi[c] * Math.exp(l - top) : 0));
    const sum = ex.reduce((a, b) => a + b, 0);
    return ex.map((e, c) => (1 - policy.epsilon) * (e / sum) + policy.epsilon * pi[c]);
  }

  /** Draw the next batch and advance the state; null once exhausted (epochs spent, or every component retired). */
  next(): Drawn | null {
    const s = this.state;
    const { batchSize, epochs } = this.opts;
    if (s.exhausted) return null;
    if (epochs !== undefined && s.served >= epochs * this.m.n) {
      s.exhausted = true;
      return null;
    }
    const p = this.weights();
    if (p.every((x) => x === 0)) {
      s.exhausted = true;
      return null;
    }
    const want =
      epochs === undefined ? batchSize : Math.min(batchSize, Math.ceil(epochs * this.m.n - s.served));
    const drawn = drawCategorical(p, want, mix32(this.opts.seed, 0x5a5a, s.step));
    const idx: number[] = [];
    const comps: number[] = [];
    const inBatch = new Set<number>();
    // A component with no member left for this batch (all in it already, or retired mid-batch) is
    // saturated: its draw goes to another component, drawn from p over the rest (seeded per step).
    const saturated = new Set<number>();
    let redraws = 0;
    for (let c of drawn) {
      let i = saturated.has(c) ? -1 : this.take(c, inBatch);
      while (i < 0) {
        saturated.add(c);
        const rest = this.weights().map((x, k) => (saturated.has(k) ? 0 : x));
        if (!rest.some((x) => x > 0)) break;
        c = drawCategorical(rest, 1, mix32(this.opts.seed, 0xa5a5, s.step, redraws++))[0];
        i = this.take(c, inBatch);
      }
      if (i < 0) break;
      idx.push(i);
      comps.push(c);
      inBatch.add(i);
    }
    const step = s.step;
    s.step++;
    s.served += idx.length;
    if (idx.length === 0) {
      s.exhausted = true;
      return null;
    }
    return { step, idx, comps, p };
  }

  /**
   * The next member of `c` not already in the batch (its order moves on; a new epoch reshuffles).
   * A member whose turn comes while it is in the batch waits in `carry`, once, and is served first
   * next time. −1 when the component is retired, or when a whole epoch's walk found every member in
   * the batch already.
   */
  private take(c: number, inBatch: Set<number>): number {
    const cs = this.state.comps[c];
    const waiting = cs.carry.findIndex((i) => !inBatch.has(i));
    if (waiting >= 0) {
      cs.served++;
      return cs.carry.splice(waiting, 1)[0];
    }
    const carried = new Set(cs.carry);
    const start = cs.epoch;
    for (;;) {
      if (this.retired(c)) return -1;
      let o = this.order(c, cs.epoch);
      // A thinned epoch may come out empty: move on to the next one (a bounded number of times).
      for (let skip = 0; o.length === 0 && skip < 64; skip++) o = this.order(c, ++cs.epoch);
      if (o.length === 0 || cs.epoch > start + 1) return -1;
      if (cs.pos >= o.length) {
        cs.pos = 0;
        cs.epoch++;
        continue;
      }
      const i = o[cs.pos];
      const at = cs.epoch;
      cs.pos++;
      if (cs.pos >= o.length) {
        cs.pos = 0;
        cs.epoch++;
      }
      // mixture: an atypical example's turn is passed over with probability τ·(1 − typicality),
      // decided once, when its turn comes (the typicality in force then is part of the saved state).
      if (
        this.opts.policy.id === 'mixture' &&
        !(unitHash(mix32(this.opts.seed, c, at, 0x7919), i) < this.keep(i))
      )
        continue;
      if (!inBatch.has(i)) {
        cs.served++;
        return i;
      }
      if (!carried.has(i)) {
        cs.carry.push(i);
        carried.add(i);
      }
    }
  }

  /**
   * Per-example losses for a served batch drawn with probabilities `p`. Each component's statistics
   * move by an EMA whose rate is importance-corrected: β_k = min(1, β / q_k), where
   * q_k = 1 − (1 − p_k)^B is the chance that a batch of B draws holds component k at all. A component
   * observed in few batches moves more when it is observed (EXP3's 1/p, per batch rather than per
   * draw), so every component's statistics follow its loss at about the same pace per step.
   */
  feedback(
    idx: readonly number[],
    losses: readonly number[],
    p: readonly number[],
    embeddings?: readonly (readonly number[])[],
  ): void {
    const policy = this.opts.policy;
    const beta = policy.id === 'loss' || policy.id === 'gmm' || policy.id === 'mixture' ? policy.beta : 0.2;
    const { k, width } = this.m;
    // Each loss is credited to the example's component (gmm: to each, by responsibility).
    const credit: [c: number, w: number, loss: number][] = [];
    for (const [n, i] of idx.entries()) {
      if (!this.soft()) credit.push([this.m.label[i], 1, losses[n]]);
      else
        for (let j = 0; j < width; j++) {
          const c = this.m.postComp[i * width + j];
          if (c >= 0 && this.resp[i * width + j] > 0) credit.push([c, this.resp[i * width + j], losses[n]]);
        }
    }
    const wsum = new Float64Array(k);
    const lsum = new Float64Array(k);
    for (const [c, w, l] of credit) {
      wsum[c] += w;
      lsum[c] += w * l;
    }
    const dev = new Float64Array(k);
    for (const [c, w, l] of credit) dev[c] += w * (l - lsum[c] / wsum[c]) ** 2;
    const draws = this.opts.batchSize;
    for (let c = 0; c < k; c++) {
      if (wsum[c] <= 0) continue;
      const cs = this.state.comps[c];
      const mean = lsum[c] / wsum[c];
      const spread = dev[c] / wsum[c];
      const seen = 1 - (1 - Math.min(1, Math.max(p[c], 1e-12))) ** draws;
      const rate = Math.min(1, beta / Math.max(seen, 1e-12));
      if (cs.loss === null) {
        cs.loss = mean;
        cs.decrease = 0;
        cs.variance = spread;
      } else {
        const before = cs.loss;
        cs.loss = (1 - rate) * before + rate * mean;
        cs.decrease = (1 - rate) * (cs.decrease ?? 0) + rate * (before - cs.loss);
        cs.variance = (1 - rate) * (cs.variance ?? 0) + rate * (spread + (mean - before) ** 2);
      }
      cs.feedback += wsum[c];
    }
    if (policy.id === 'gmm' && policy.refresh) this.refresh(idx, losses);
    if (policy.id === 'mixture' && policy.refresh && embeddings) this.refreshTypicality(idx, embeddings);
  }

  /**
   * mixture refresh: each reported embedding joins its component's running diagonal Gaussian (in the
   * trainer's space); once the component has MIN_EMBEDDINGS of them, the example's log-density under
   * it is z-scored against the component's earlier ones, and its typicality becomes Φ(z).
   */
  private refreshTypicality(idx: readonly number[], embeddings: readonly (readonly number[])[]): void {
    if (embeddings.length !== idx.length)
      throw new RangeError(`${embeddings.length} embeddings for ${idx.length} examples`);
    let changed = false;
    idx.forEach((i, n) => {
      const c = this.m.label[i];
      const e = embeddings[n];
      const s = (this.emb[c] ??= emptyEmbeddingStats(e.length));
      addEmbedding(s, e);
      this.embDirty.add(c);
      if (s.n < MIN_EMBEDDINGS) return;
      const t = diagLogDensity(e, s.mean, embeddingVariance(s, EMB_VAR_FLOOR));
      addDensity(s, t);
      if (s.tn < MIN_EMBEDDINGS) return;
      const sd = Math.sqrt(s.tm2 / s.tn);
      const u = Math.fround(sd > 0 ? normalCdf((t - s.tmean) / sd) : 0.5);
      if (u !== this.typ[i]) {
        this.typ[i] = u;
        this.typDirty.add(i);
        changed = true;
      }
    });
    if (changed) this.computeSizes();
  }

  /**
   * gmm refresh: an example's responsibilities become its embedding posteriors times each
   * component's loss likelihood N(loss; μ_k, σ_k²), renormalized: r_ik ∝ r⁰_ik · N(l_i; μ_k, σ_k²).
   */
  private refresh(idx: readonly number[], losses: readonly number[]): void {
    const { width } = this.m;
    idx.forEach((i, n) => {
      let total = 0;
      let base = 0;
      const w = new Array<number>(width).fill(0);
      for (let j = 0; j < width; j++) {
        const c = this.m.postComp[i * width + j];
        if (c < 0) continue;
        const r0 = this.m.postP[i * width + j];
        base += r0;
        const cs = this.state.comps[c];
        const mu = cs.loss ?? losses[n];
        const v = Math.max(VAR_FLOOR, cs.variance ?? 1);
        w[j] = (r0 * Math.exp(-((losses[n] - mu) ** 2) / (2 * v))) / Math.sqrt(v);
        total += w[j];
      }
      if (!(total > 0)) return;
      for (let j = 0; j < width; j++) {
        const at = i * width + j;
        const next = this.m.postComp[at] < 0 ? 0 : (w[j] / total) * base;
        if (Math.abs(next - this.resp[at]) > 1e-7) {
          this.resp[at] = next;
          this.dirty.add(i);
        }
      }
    });
  }
}

/** z-scores of the finite values (population sd); NaN ones, and all when the sd is 0, get 0. */
function standardized(v: readonly number[]): number[] {
  const seen = v.filter(Number.isFinite);
  if (seen.length < 2) return v.map(() => 0);
  const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
  const sd = Math.sqrt(seen.reduce((a, b) => a + (b - mean) ** 2, 0) / seen.length);
  return v.map((x) => (Number.isFinite(x) && sd > SPREAD_FLOOR ? (x - mean) / sd : 0));
}
