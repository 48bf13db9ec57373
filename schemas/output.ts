import { z } from 'zod';
import { SourceSchema } from './record.ts';

/** A line of `selected.jsonl` or `rejected.jsonl`. */
export const OutputLineSchema = z.object({
  id: z.string(),
  hash: z.string(),
  source: SourceSchema,
  record: z.unknown(),
  scores: z.record(z.string(), z.number()),
  rank: z.number(),
  /** Present on rejected lines: `budget`, later `duplicate`, `identity`, `filter:<scorer>`, … */
  reason: z.string().optional(),
});
export type OutputLine = z.infer<typeof OutputLineSchema>;

export const RecordErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
});
export type RecordError = z.infer<typeof RecordErrorSchema>;

/** A line of `invalid.jsonl`: where, why, and the raw text (truncated to 4 KiB). */
export const InvalidLineSchema = z.object({
  source: SourceSchema.partial(),
  error: RecordErrorSchema,
  raw: z.string(),
});
export type InvalidLine = z.infer<typeof InvalidLineSchema>;

export const StageReportSchema = z.object({ records: z.number(), seconds: z.number(), shards: z.number() });

export const ReportSchema = z.object({
  job: z.string(),
  dataset: z.string(),
  counts: z.object({
    input: z.number(),
    valid: z.number(),
    invalid: z.number(),
    selected: z.number(),
    rejected: z.number(),
  }),
  rejectedByReason: z.record(z.string(), z.number()),
  budget: z.object({
    requested: z.union([z.number(), z.string()]),
    target: z.number(),
    reachable: z.boolean(),
  }),
  threshold: z.object({ rank: z.number(), ties: z.number(), rounds: z.number() }).nullable(),
  scores: z.record(
    z.string(),
    z.object({ count: z.number(), mean: z.number(), min: z.number(), max: z.number() }),
  ),
  stages: z.record(z.string(), StageReportSchema),
  seconds: z.number(),
  recipe: z.unknown(),
  outputs: z.array(z.string()),
});
export type Report = z.infer<typeof ReportSchema>;
