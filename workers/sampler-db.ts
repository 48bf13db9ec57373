import type { SamplerCreate } from '../schemas/sampler.ts';
import {
  type EmbeddingStats,
  type Membership,
  type MixtureMemory,
  type SamplerState,
  typicalityRanks,
} from '../src/sample/index.ts';
import { META_TABLE, metaGet, metaSet } from './sql-meta.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS examples (
  idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, label INTEGER NOT NULL, post TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resp (idx INTEGER PRIMARY KEY, r TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (step INTEGER PRIMARY KEY, idx TEXT NOT NULL, comps TEXT NOT NULL, p TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (step INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS weights (idx INTEGER PRIMARY KEY, w REAL NOT NULL);
CREATE TABLE IF NOT EXISTS density (idx INTEGER PRIMARY KEY, d REAL NOT NULL);
CREATE TABLE IF NOT EXISTS typ (idx INTEGER PRIMARY KEY, u REAL NOT NULL);
CREATE TABLE IF NOT EXISTS embstats (comp INTEGER PRIMARY KEY, s TEXT NOT NULL);
`;

/** Posteriors kept per example (the job's GMM lines carry the top 3). */
export const WIDTH = 3;

export interface Config extends SamplerCreate {
  id: string;
  /** Output parts of the job's selected.jsonl (their keys), and the next one to load. */
  parts: number;
  keys?: string[];
  /** The job's weights.jsonl parts, one per selected.jsonl part (absent: every weight is 1). */
  weightKeys?: string[];
}

export interface Loading {
  next: number;
  error: string | null;
}

/** A line of selected.jsonl, as far as the sampler reads it. */
export interface SelectedLine {
  id: string;
  record: unknown;
  cluster?: number;
  posteriors?: { cluster: number; p: number }[];
  /** GMM: log-density under its own component (the mixture policy's typicality). */
  logDensity?: number;
}

/** The SamplerRun's SQLite state; every method is synchronous, so one call is one consistent change. */
export class SamplerDb {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(META_TABLE);
    sql.exec(SCHEMA);
  }

  get<T>(key: string): T | undefined {
    return metaGet<T>(this.sql, key);
  }
  set(key: string, value: unknown): void {
    metaSet(this.sql, key, value);
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM examples').one().n;
  }

  /**
   * Append examples from one part, in order (idempotent: a part loaded twice changes nothing), with
   * their training weights by id (weights.jsonl) when given.
   */
  addExamples(lines: readonly SelectedLine[], weights?: ReadonlyMap<string, number>): void {
    let idx = this.count();
    for (const l of lines) {
      const w = weights?.get(l.id);
      if (w !== undefined) this.sql.exec('INSERT OR IGNORE INTO weights (idx, w) VALUES (?, ?)', idx, w);
      if (typeof l.logDensity === 'number' && Number.isFinite(l.logDensity))
        this.sql.exec('INSERT OR IGNORE INTO density (idx, d) VALUES (?, ?)', idx, l.logDensity);
      const post = l.posteriors?.length
        ? l.posteriors.slice(0, WIDTH).map((q) => [q.cluster, q.p])
        : [[l.cluster ?? 0, 1]];
      this.sql.exec(
        'INSERT OR IGNORE INTO examples (idx, id, label, post, record) VALUES (?, ?, ?, ?, ?)',
        idx,
        l.id,
        l.cluster ?? 0,
        JSON.stringify(post),
        JSON.stringify(l.record),
      );
      idx++;
    }
  }

  membership(): Membership {
    const rows = this.sql
      .exec<{ label: number; post: string }>('SELECT label, post FROM examples ORDER BY idx')
      .toArray();
    const n = rows.length;
    const label = new Int32Array(n);
    const postComp = new Int32Array(n * WIDTH).fill(-1);
    const postP = new Float32Array(n * WIDTH);
    let k = 1;
    rows.forEach((r, i) => {
      label[i] = r.label;
      k = Math.max(k, r.label + 1);
      (JSON.parse(r.post) as [number, number][]).forEach(([c, p], j) => {
        postComp[i * WIDTH + j] = c;
        postP[i * WIDTH + j] = p;
        k = Math.max(k, c + 1);
      });
    });
    const spread = this.get<number[]>('spread');
    const rows2 = this.sql.exec<{ idx: number; d: number }>('SELECT idx, d FROM density').toArray();
    const density = rows2.length > 0 ? new Float64Array(n).fill(Number.NaN) : undefined;
    for (const r of rows2) if (r.idx < n) density![r.idx] = r.d;
    return {
      n,
      k: Math.max(k, spread?.length ?? 0),
      label,
      width: WIDTH,
      postComp,
      postP,
      ...(density ? { density } : {}),
      ...(spread ? { spread } : {}),
    };
  }

  /** The mixture policy's memory: typicality (the job's ranks, then refreshed values) and the trainer's embedding statistics. */
  mixtureMemory(m: Membership): Required<MixtureMemory> {
    const typ = m.density ? typicalityRanks(m.label, m.density, m.k) : new Float32Array(m.n).fill(1);
    for (const r of this.sql.exec<{ idx: number; u: number }>('SELECT idx, u FROM typ')) typ[r.idx] = r.u;
    const emb: (EmbeddingStats | null)[] = new Array(m.k).fill(null);
    for (const r of this.sql.exec<{ comp: number; s: string }>('SELECT comp, s FROM embstats'))
      emb[r.comp] = JSON.parse(r.s) as EmbeddingStats;
    return { typ, emb };
  }

  saveMixture(
    typ: Float32Array,
    typDirty: Iterable<number>,
    emb: readonly (EmbeddingStats | null)[],
    embDirty: Iterable<number>,
  ): void {
    for (const i of typDirty) this.sql.exec('INSERT OR REPLACE INTO typ (idx, u) VALUES (?, ?)', i, typ[i]);
    for (const c of embDirty)
      if (emb[c])
        this.sql.exec('INSERT OR REPLACE INTO embstats (comp, s) VALUES (?, ?)', c, JSON.stringify(emb[c]));
  }

  /** Refreshed responsibilities (gmm), over the membership's posteriors. */
  responsibilities(m: Membership): Float32Array {
    const out = Float32Array.from(m.postP);
    for (const r of this.sql.exec<{ idx: number; r: string }>('SELECT idx, r FROM resp')) {
      (JSON.parse(r.r) as number[]).forEach((p, j) => {
        out[r.idx * WIDTH + j] = p;
      });
    }
    return out;
  }

  saveResponsibilities(resp: Float32Array, dirty: Iterable<number>): void {
    for (const i of dirty)
      this.sql.exec(
        'INSERT OR REPLACE INTO resp (idx, r) VALUES (?, ?)',
        i,
        JSON.stringify(Array.from(resp.subarray(i * WIDTH, (i + 1) * WIDTH))),
      );
  }

  state(): SamplerState | undefined {
    return this.get<SamplerState>('state');
  }

  saveBatch(step: number, idx: number[], comps: number[], p: number[], state: SamplerState): void {
    this.sql.exec(
      'INSERT INTO batches (step, idx, comps, p) VALUES (?, ?, ?, ?)',
      step,
      JSON.stringify(idx),
      JSON.stringify(comps),
      JSON.stringify(p),
    );
    this.set('state', state);
  }

  batch(step: number): { idx: number[]; comps: number[]; p: number[] } | null {
    const r = this.sql
      .exec<{ idx: string; comps: string; p: string }>(
        'SELECT idx, comps, p FROM batches WHERE step = ?',
        step,
      )
      .toArray()[0];
    return r ? { idx: JSON.parse(r.idx), comps: JSON.parse(r.comps), p: JSON.parse(r.p) } : null;
  }

  ids(idx: readonly number[]): string[] {
    return this.column(idx, 'id');
  }

  /** The training weights of the examples at `idx`, in that order (1 where the job wrote none). */
  weights(idx: readonly number[]): number[] {
    const rows = this.sql
      .exec<{ idx: number; w: number }>(
        'SELECT idx, w FROM weights WHERE idx IN (SELECT value FROM json_each(?))',
        JSON.stringify(idx),
      )
      .toArray();
    const byIdx = new Map(rows.map((r) => [r.idx, r.w]));
    return idx.map((i) => byIdx.get(i) ?? 1);
  }

  records(idx: readonly number[]): unknown[] {
    return this.column(idx, 'record').map((r) => JSON.parse(r));
  }

  /** One column of the examples at `idx`, in that order (looked up in one statement). */
  private column(idx: readonly number[], col: 'id' | 'record'): string[] {
    const rows = this.sql
      .exec<{ idx: number; v: string }>(
        `SELECT idx, ${col} AS v FROM examples WHERE idx IN (SELECT value FROM json_each(?))`,
        JSON.stringify(idx),
      )
      .toArray();
    const byIdx = new Map(rows.map((r) => [r.idx, r.v]));
    return idx.map((i) => byIdx.get(i)!);
  }

  feedback(step: number): string | null {
    return (
      this.sql.exec<{ body: string }>('SELECT body FROM feedback WHERE step = ?', step).toArray()[0]?.body ??
      null
    );
  }

  saveFeedback(step: number, body: string, state: SamplerState, now: number): void {
    this.sql.exec('INSERT INTO feedback (step, body, at) VALUES (?, ?, ?)', step, body, now);
    this.set('state', state);
  }

  feedbackSteps(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM feedback').one().n;
  }
}
