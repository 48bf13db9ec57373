import { z } from 'zod';
import { InvalidLineSchema, OutputLineSchema } from './output.ts';
import { TurnSchema } from './record.ts';
import { DiffEntrySchema } from './schedule.ts';

/**
 * One record shown in report.html: its turns (each turn's text cut to `REPORT_TEXT_CHARS`), scores
 * and outcome, as in selected.jsonl / rejected.jsonl.
 */
export const ReportExampleSchema = OutputLineSchema.pick({
  id: true,
  source: true,
  scores: true,
  rank: true,
  cluster: true,
  flags: true,
  note: true,
  /** Absent for a selected record. */
  reason: true,
  duplicateOf: true,
  similarTo: true,
  similarity: true,
}).extend({
  /** The record's turns (a record that does not normalize: one `user` turn holding its JSON). */
  turns: z.array(TurnSchema),
  /** Some turn's text was cut for the page (rejected.jsonl has it whole). */
  cut: z.boolean().optional(),
});
export type ReportExample = z.infer<typeof ReportExampleSchema>;

/** Equal-width bins over [min, max], counting every valid record: selected, and not selected. */
export const ReportHistogramSchema = z.object({
  min: z.number(),
  max: z.number(),
  selected: z.array(z.number().int().nonnegative()),
  rejected: z.array(z.number().int().nonnegative()),
});
export type ReportHistogram = z.infer<typeof ReportHistogramSchema>;

/** How many examples report-data keeps: per rejection reason, per cluster, of the selection, of invalid lines. */
export const ReportCapsSchema = z.object({
  perReason: z.number().int().positive(),
  perCluster: z.number().int().positive(),
  selected: z.number().int().positive(),
  invalid: z.number().int().positive(),
  /** Map points per cluster (the 2-D map is a stratified sample). */
  mapPerCluster: z.number().int().nonnegative(),
});
export type ReportCaps = z.infer<typeof ReportCapsSchema>;

/**
 * `report-data.json`: what report.html shows beyond report.json. Histograms count every record; the
 * examples are a deterministic sample (the records whose id hashes lowest, per group), so a retry
 * or a re-run of the same job writes the same file.
 */
export const ReportDataSchema = z.object({
  version: z.literal(1),
  job: z.string(),
  caps: ReportCapsSchema,
  /** The Winnow and scorer versions that ran the job (a scorer's version is part of its cache column). */
  winnow: z.string(),
  scorers: z.array(z.object({ id: z.string(), version: z.number(), outputs: z.array(z.string()) })),
  /** Per score: over the dataset's [min, max] of that score. */
  histograms: z.record(z.string(), ReportHistogramSchema),
  /** The rank value the budget is cut on, over [0, 1]; `filtered`: records a filter rejected (rank −1). */
  rank: ReportHistogramSchema.extend({ filtered: z.number().int().nonnegative() }).optional(),
  selected: z.array(ReportExampleSchema),
  /** Per rejection reason: up to `caps.perReason` examples. */
  rejected: z.record(z.string(), z.array(ReportExampleSchema)),
  /** The records the duplicate (and too similar) examples point to, by id. */
  originals: z.record(z.string(), ReportExampleSchema),
  /** Per cluster: up to `caps.perCluster` examples. */
  clusters: z
    .array(z.object({ cluster: z.number().int(), examples: z.array(ReportExampleSchema) }))
    .optional(),
  /**
   * A sample of the embeddings projected on their first two principal components: `[x, y, cluster]`
   * per point, and the share of the sample's variance each axis explains.
   */
  map: z
    .object({
      points: z.array(z.tuple([z.number(), z.number(), z.number().int()])),
      explained: z.tuple([z.number(), z.number()]),
    })
    .optional(),
  invalid: z.array(InvalidLineSchema),
  /** A run compared with an earlier one: the first entries of diff.json's lists. */
  diff: z.object({ entered: z.array(DiffEntrySchema), left: z.array(DiffEntrySchema) }).optional(),
  /** Pairs jobs: the margin (chosen score − rejected score) over every pair, and pairs per task. */
  pairs: z
    .object({
      margins: z.object({
        min: z.number(),
        max: z.number(),
        counts: z.array(z.number().int().nonnegative()),
      }),
      perTask: z.array(z.object({ pairs: z.number().int(), tasks: z.number().int() })),
    })
    .optional(),
});
export type ReportData = z.infer<typeof ReportDataSchema>;
