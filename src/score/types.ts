import type { z } from 'zod';
import type { Turn } from '../../schemas/record.ts';
import type { ProviderSet } from '../providers/types.ts';
import type { CellCache } from './cell-cache.ts';

/** A normalized record as scorers see it. */
export interface ScoreInput {
  id: string;
  /** Content hash of the normalized turns (hex SHA-256): the cell-cache and response-cache key. */
  hash: string;
  turns: Turn[];
  /** The original row (extra fields kept), e.g. for a label field. Absent when not needed. */
  record?: unknown;
}

export interface ScoreRow {
  scores: Record<string, number>;
  flags?: string[];
  /** A short human explanation (which rule fired, what the judge said), kept in the output line. */
  note?: string;
}

export interface ScorerContext<M = unknown> {
  seed: number;
  /** The model `fit` produced for this job (decoded), for scorers that learn from data. */
  model?: M;
  /** Model endpoints named in the recipe's `providers`; model-backed scorers fail clearly without it. */
  providers?: ProviderSet;
}

/** What the fit stage hands a learning scorer: samples of the job's own records and of reference keys. */
export interface FitInput {
  /**
   * A deterministic, hash-uniform sample of the job's valid records (at most the job's fit sample
   * size), plus every record the scorer's `wantsForFit` asked for. In input order.
   */
  self: ScoreInput[];
  /** The records of each R2 key named by `references(config)`, capped at the same sample size. */
  references: Record<string, ScoreInput[]>;
  seed: number;
  providers?: ProviderSet;
  /** The job's valid records (for what a fit reports against a full run). */
  records?: number;
  /** The dataset's cell cache, for a fit that scores a sample with another scorer (`labelsFrom`). */
  cells?: CellCache;
}

export interface FitResult<M> {
  model: M;
  /** Small facts about the fit for `report.json` (`records`, `vocab`, `auc`, …). */
  summary: Record<string, number | string>;
}

/** A scorer writes numbers only; selection alone decides what is kept. Registered by a stable `id`. */
export interface Scorer<C = unknown, M = unknown> {
  id: string;
  /** Bump when the numbers it writes change for the same input and config: cached cells are invalidated. */
  version: number;
  description: string;
  /** `offline`: pure computation; `model`: calls a model endpoint through a provider. */
  kind: 'offline' | 'model';
  /** Zod schema of the config, with defaults (`{}` must parse unless a field is truly required). */
  config: z.ZodType<C>;
  /** Names of the numbers it writes into `scores`. */
  outputs: readonly string[];
  /** R2 keys of reference datasets this config names; the fit stage reads them (any input format). */
  references?(config: C): string[];
  /**
   * `score` reads `record`, the input row as given (a field the turns leave out). Without it, `record`
   * is absent at scoring: the score stage reads the rows only for a recipe with such a scorer. Fitting
   * (`wantsForFit`, `fit`) always sees `record`.
   */
  readsRecord?: boolean;
  /** Records the fit sample must include beyond the uniform sample (e.g. every row with a label). */
  wantsForFit?(record: ScoreInput, config: C): boolean;
  /** Learns a model once per job, before scoring. Its model is JSON unless encode/decode are given. */
  fit?(input: FitInput, config: C): FitResult<M> | Promise<FitResult<M>>;
  encodeModel?(model: M): Uint8Array;
  decodeModel?(bytes: Uint8Array): M;
  score(batch: ScoreInput[], config: C, ctx: ScorerContext<M>): ScoreRow[] | Promise<ScoreRow[]>;
  /** Outputs that depend on the whole dataset, written at export (see DatasetOutputs). */
  dataset?: DatasetOutputs<C>;
}

/**
 * Outputs that depend on every record of the dataset, such as a softmax over all ratings. Each score
 * task returns `partial` of its rows, the coordinator merges the partials, and export writes
 * `apply(row, total)` into every valid record's scores. Filters and rank terms cannot use them:
 * they are known only once scoring is done everywhere.
 */
export interface DatasetOutputs<C = unknown, P = unknown> {
  /** The outputs written at export for this config (none: the scorer needs no dataset pass). */
  names(config: C): readonly string[];
  /** This scorer's rows of one shard, in record order (a duplicate counts each time). */
  partial(rows: readonly ScoreRow[], config: C): P;
  /** Associative and commutative. */
  merge(a: P, b: P): P;
  /** The outputs for one record, from its merged row (scores and flags) and the dataset's total. */
  apply(row: Readonly<ScoreRow>, total: P, config: C): Record<string, number>;
}
