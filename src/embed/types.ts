import type { z } from 'zod';
import type { ProviderSet } from '../providers/types.ts';
import type { ScoreInput } from '../score/types.ts';

/** What `embed` gets besides the records: the `prepare` model (decoded) and the job's providers. */
export interface EmbedContext<M = unknown> {
  model?: M;
  providers?: ProviderSet;
}

/**
 * An optional first pass over every shard (e.g. document frequencies): each shard yields a partial,
 * partials merge (associative and commutative), and the merged total becomes the model `embed` reads.
 * Partials and the model travel as bytes between tasks.
 */
export interface EmbedPrepare<C = unknown, P = unknown, M = unknown> {
  partial(records: ScoreInput[], config: C): P;
  merge(a: P, b: P): P;
  finalize(total: P, config: C): M;
  encodePartial(p: P): Uint8Array;
  decodePartial(b: Uint8Array): P;
  encodeModel(m: M): Uint8Array;
  decodeModel(b: Uint8Array): M;
}

/**
 * A model learned from a sample of the dataset before anything is embedded (vocabulary, idf, SVD):
 * the fit stage fits it from the job's hash-uniform fit sample and keeps it with the dataset, like a
 * learning scorer's model, so later jobs and appended parts embed the same way.
 */
export interface EmbedFit<C = unknown, M = unknown> {
  fit(sample: ScoreInput[], config: C): { model: M; summary: Record<string, number | string> };
  encodeModel(m: M): Uint8Array;
  decodeModel(b: Uint8Array): M;
}

/** Turns records into fixed-length vectors. Registered by a stable `id`, like scorers. */
export interface Embedder<C = unknown, P = unknown, M = unknown> {
  id: string;
  /** Bump when the vectors change for the same input and config. */
  version: number;
  /** `offline`: pure computation; `model`: calls an embedding endpoint through a provider. */
  kind: 'offline' | 'model';
  description: string;
  /** Zod schema of the config, with defaults (`{}` parses unless a field is truly required). */
  config: z.ZodType<C>;
  /** Length of every vector this config produces. */
  dim(config: C): number;
  prepare?: EmbedPrepare<C, P, M>;
  /** A model fitted on the fit stage's sample (an embedder has `prepare` or `fitted`, not both). */
  fitted?: EmbedFit<C, M>;
  /**
   * `records.length × dim(config)` numbers, row-major; L2-normalized where the embedder says so. The
   * records carry their turns; `record` (the input row) is absent here (it is not read for embedding).
   */
  embed(records: ScoreInput[], config: C, ctx: EmbedContext<M>): Promise<Float32Array> | Float32Array;
}

/** How a recipe names an embedder: its id and its config (defaults applied by `resolveEmbedder`). */
export interface EmbedderRef {
  id: string;
  config?: Record<string, unknown>;
}
