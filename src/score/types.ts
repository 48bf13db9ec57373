import type { z } from 'zod';
import type { Turn } from '../../schemas/record.ts';

export interface ScoreInput {
  id: string;
  turns: Turn[];
}

export interface ScoreRow {
  scores: Record<string, number>;
  flags?: string[];
  note?: string;
}

export interface ScorerContext {
  seed: number;
}

/** A scorer writes numbers only; selection alone decides what is kept. Registered by a stable `id`. */
export interface Scorer<C = unknown> {
  id: string;
  version: number;
  description: string;
  /** Zod schema of the config, with defaults (`{}` must parse). */
  config: z.ZodType<C>;
  /** Names of the numbers it writes into `scores`. */
  outputs: readonly string[];
  score(batch: ScoreInput[], config: C, ctx: ScorerContext): ScoreRow[] | Promise<ScoreRow[]>;
}
