import { DurableObject } from 'cloudflare:workers';
import type { Batch, FeedbackBody, SamplerCreate, SamplerStatus } from '../schemas/sampler.ts';
import { clustersKey, outputPartKey } from '../src/pipeline/keys.ts';
import type { OutputPart } from '../src/pipeline/outputs.ts';
import { diagEntropy, Sampler } from '../src/sample/index.ts';
import { type Config, type Loading, SamplerDb, type SelectedLine } from './sampler-db.ts';

/** Expected failures travel as values: a Durable Object RPC loses an error's class and code. */
export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'not_found' | 'bad_request' | 'conflict'; message: string };
const fail = (code: 'not_found' | 'bad_request' | 'conflict', message: string) =>
  ({ ok: false, code, message }) as const;
const ok = <T>(value: T) => ({ ok: true, value }) as const;

/** Parts of selected.jsonl loaded inline by `create`; the rest one per alarm. */
const INLINE_PARTS = 8;

export function samplerRun(env: Env, id: string) {
  return env.SAMPLER_RUN.get(env.SAMPLER_RUN.idFromName(id));
}

/**
 * One per training run: the selected records of a job with their mixture components, the policy's
 * state, every served batch and every feedback, in SQLite. The sampling logic is src/sample; this
 * object loads, persists after every call (so an evicted or restarted object answers the same), and
 * checks what trainers send.
 */
export class SamplerRun extends DurableObject<Env> {
  private readonly db: SamplerDb;
  private sampler: Sampler | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new SamplerDb(ctx.storage.sql);
  }

  /** `parts`: the job's selected.jsonl parts, from its output manifest; `weightParts`: its weights.jsonl parts. */
  async create(
    id: string,
    body: SamplerCreate,
    parts: OutputPart[],
    weightParts: OutputPart[] = [],
  ): Promise<SamplerStatus | null> {
    if (!this.db.get<Config>('config')) {
      this.db.set('config', {
        ...body,
        id,
        parts: parts.length,
        keys: parts.map((p) => p.key),
        ...(weightParts.length === parts.length ? { weightKeys: weightParts.map((p) => p.key) } : {}),
      } satisfies Config);
      this.db.set('loading', { next: 0, error: null } satisfies Loading);
      if (body.policy.id === 'mixture') await this.loadSpread(body.job);
    }
    try {
      for (let i = 0; i < INLINE_PARTS && (await this.loadPart()); i++);
    } catch (e) {
      const l = this.db.get<Loading>('loading')!;
      this.db.set('loading', { ...l, error: e instanceof Error ? e.message : String(e) });
    }
    if (this.loading()) await this.ctx.storage.setAlarm(Date.now());
    return this.status();
  }

  /**
   * The mixture policy's component spreads: the entropy of each of the job's GMM components, from its
   * clusters.json variances (a k-means job has none: its spreads stay unknown, and so without effect).
   */
  private async loadSpread(job: string): Promise<void> {
    const o = await this.env.DATA_BUCKET.get(clustersKey(job));
    if (!o) return;
    const c = (await o.json()) as { k: number; dim: number; variances?: number[][] };
    if (!c.variances) return;
    this.db.set(
      'spread',
      c.variances.map((v) => diagEntropy(v)),
    );
  }

  private loading(): boolean {
    const l = this.db.get<Loading>('loading');
    const c = this.db.get<Config>('config');
    return !!l && !!c && l.error === null && l.next < c.parts;
  }

  /** Load the next part of the job's selected.jsonl; false when none is left. */
  private async loadPart(): Promise<boolean> {
    const c = this.db.get<Config>('config')!;
    const l = this.db.get<Loading>('loading')!;
    if (l.error !== null || l.next >= c.parts) return false;
    const part = l.next;
    // Runs created before the manifest listed part keys name them by the shard layout.
    const key = c.keys?.[part] ?? outputPartKey(c.job, 'selected.jsonl', part);
    const o = await this.env.DATA_BUCKET.get(key);
    if (!o) throw new Error(`part ${key} of the job's selected.jsonl is missing`);
    const text = await o.text();
    const weights = new Map<string, number>();
    const wkey = c.weightKeys?.[part];
    if (wkey) {
      const w = await this.env.DATA_BUCKET.get(wkey);
      if (!w) throw new Error(`part ${wkey} of the job's weights.jsonl is missing`);
      for (const t of (await w.text()).split('\n')) {
        if (!t) continue;
        const line = JSON.parse(t) as { id: string; weight: number };
        weights.set(line.id, line.weight);
      }
    }
    if (this.db.get<Loading>('loading')!.next !== part) return true; // another call loaded it meanwhile
    const lines = text
      .split('\n')
      .filter((t) => t.length > 0)
      .map((t) => JSON.parse(t) as SelectedLine);
    this.db.addExamples(lines, weights);
    this.db.set('loading', { next: part + 1, error: null });
    return part + 1 < c.parts;
  }

  override async alarm(): Promise<void> {
    try {
      for (let i = 0; i < INLINE_PARTS && (await this.loadPart()); i++);
    } catch (e) {
      const l = this.db.get<Loading>('loading')!;
      this.db.set('loading', { ...l, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (this.loading()) await this.ctx.storage.setAlarm(Date.now());
  }

  /** The sampler, rebuilt from SQLite after an eviction or restart. */
  private get(): Sampler {
    if (this.sampler) return this.sampler;
    const c = this.db.get<Config>('config')!;
    const m = this.db.membership();
    this.sampler = new Sampler(
      m,
      { batchSize: c.batchSize, seed: c.seed, policy: c.policy, epochs: c.epochs },
      this.db.state(),
      this.db.responsibilities(m),
      c.policy.id === 'mixture' ? this.db.mixtureMemory(m) : {},
    );
    return this.sampler;
  }

  private notReady(): Outcome<never> | null {
    const c = this.db.get<Config>('config');
    if (!c) return fail('not_found', 'no such run');
    const l = this.db.get<Loading>('loading')!;
    if (l.error) return fail('conflict', `the run failed to load the job's records: ${l.error}`);
    if (l.next < c.parts) return fail('conflict', `the run is still loading (${l.next} of ${c.parts} parts)`);
    return null;
  }

  async next(step: number | undefined, records: boolean): Promise<Outcome<Batch>> {
    const wrong = this.notReady();
    if (wrong) return wrong;
    const s = this.get();
    const current = s.state.step;
    if (step !== undefined && step < current) return ok(this.answer(step, records));
    if (step !== undefined && step > current)
      return fail('bad_request', `step ${step} is not reached yet: the next step is ${current}`);
    const drawn = s.next();
    if (!drawn) {
      this.db.set('state', s.state);
      return fail('conflict', `the run is exhausted after ${s.state.served} examples served`);
    }
    this.ctx.storage.transactionSync(() => {
      this.db.saveBatch(drawn.step, drawn.idx, drawn.comps, drawn.p, s.state);
      const sum = this.db.weights(drawn.idx).reduce((a, w) => a + w, 0);
      this.db.set('weightServed', (this.db.get<number>('weightServed') ?? 0) + sum);
    });
    return ok(this.answer(drawn.step, records));
  }

  private answer(step: number, records: boolean): Batch {
    const b = this.db.batch(step)!;
    return {
      step,
      ids: this.db.ids(b.idx),
      weights: this.db.weights(b.idx),
      components: b.comps,
      ...(records ? { records: this.db.records(b.idx) } : {}),
    };
  }

  async feedback(
    body: FeedbackBody,
  ): Promise<Outcome<{ step: number; accepted: boolean; duplicate: boolean }>> {
    const wrong = this.notReady();
    if (wrong) return wrong;
    const s = this.get();
    const b = this.db.batch(body.step);
    if (!b)
      return fail(
        'bad_request',
        `step ${body.step} was never served${s.state.step > 0 ? ` (served: 0 to ${s.state.step - 1})` : ' (no step served yet)'}`,
      );
    const text = JSON.stringify({ ids: body.ids, losses: body.losses });
    const before = this.db.feedback(body.step);
    if (before !== null) {
      if (before === text) return ok({ step: body.step, accepted: false, duplicate: true });
      return fail(
        'conflict',
        `step ${body.step} already has different feedback; feedback for a step is given once`,
      );
    }
    const ids = this.db.ids(b.idx);
    const at = new Map(ids.map((id, n) => [id, b.idx[n]]));
    const unknown = body.ids.filter((id) => !at.has(id));
    if (unknown.length > 0)
      return fail(
        'bad_request',
        `ids[${body.ids.indexOf(unknown[0])}]: "${unknown[0]}" was not served at step ${body.step}${unknown.length > 1 ? ` (${unknown.length} such ids)` : ''}`,
      );
    if (new Set(body.ids).size !== body.ids.length)
      return fail('bad_request', `ids: an id is given twice for step ${body.step}`);
    // Embeddings feed the mixture policy's refresh; other policies do not read them.
    const policy = this.db.get<Config>('config')!.policy;
    const embeddings = policy.id === 'mixture' && policy.refresh ? body.embeddings : undefined;
    const dim = s.emb.find((e) => e !== null)?.mean.length;
    if (embeddings && dim !== undefined && embeddings[0].length !== dim)
      return fail(
        'bad_request',
        `embeddings: ${embeddings[0].length} values each, where earlier feedback of this run had ${dim}`,
      );
    s.feedback(
      body.ids.map((id) => at.get(id)!),
      body.losses,
      b.p,
      embeddings,
    );
    this.ctx.storage.transactionSync(() => {
      this.db.saveFeedback(body.step, text, s.state, Date.now());
      this.db.saveResponsibilities(s.resp, s.dirty);
      this.db.saveMixture(s.typ, s.typDirty, s.emb, s.embDirty);
    });
    s.dirty.clear();
    s.typDirty.clear();
    s.embDirty.clear();
    return ok({ step: body.step, accepted: true, duplicate: false });
  }

  async status(): Promise<SamplerStatus | null> {
    const c = this.db.get<Config>('config');
    const l = this.db.get<Loading>('loading');
    if (!c || !l) return null;
    const loading = l.error === null && l.next < c.parts;
    const base = {
      id: c.id,
      job: c.job,
      error: l.error,
      policy: c.policy,
      batchSize: c.batchSize,
      seed: c.seed,
      examples: this.db.count(),
      feedbackSteps: this.db.feedbackSteps(),
    };
    if (loading || l.error)
      return {
        ...base,
        state: l.error ? 'failed' : 'loading',
        step: 0,
        served: 0,
        meanWeightServed: null,
        components: [],
      };
    const s = this.get();
    const w = s.weights();
    const spreads = c.policy.id === 'mixture' ? s.spreads() : undefined;
    return {
      ...base,
      state: s.state.exhausted ? 'exhausted' : 'ready',
      step: s.state.step,
      served: s.state.served,
      meanWeightServed:
        s.state.served > 0 ? (this.db.get<number>('weightServed') ?? 0) / s.state.served : null,
      components: s.state.comps.map((cs, k) => ({
        component: k,
        size: s.size(k),
        weight: w[k],
        served: cs.served,
        epoch: cs.epoch,
        feedback: cs.feedback,
        loss: cs.loss,
        decrease: cs.decrease,
        retired: !(w[k] > 0),
        ...(spreads
          ? {
              spread: Number.isFinite(spreads[k]) ? spreads[k] : null,
              embeddings: s.emb[k]?.n ?? 0,
            }
          : {}),
      })),
    };
  }
}
