import { z } from 'zod';

/** Objects and their bytes in R2: what a deletion freed (or, in a dry run, would free). */
export const FreedSchema = z.object({ objects: z.number().int(), bytes: z.number().int() });
export type Freed = z.infer<typeof FreedSchema>;

/** Once a job ended: its intermediates kept (`keep: "all"`), being dropped, or dropped, and what went. */
export const IntermediatesSchema = FreedSchema.extend({
  state: z.enum(['kept', 'dropping', 'dropped']),
});
export type Intermediates = z.infer<typeof IntermediatesSchema>;

export const JobDeletedSchema = z.object({
  job: z.string(),
  /** The R2 objects under jobs/{id}/ that were deleted; the coordinator's state went with them. */
  freed: FreedSchema,
});
export type JobDeleted = z.infer<typeof JobDeletedSchema>;

export const DatasetDeletedSchema = z.object({
  dataset: z.string(),
  /** R2 objects deleted: under datasets/{name}/ (manifest, versions, objects put there), its fitted models under cache/{name}/, its schedule marker. */
  freed: FreedSchema,
  /** Bytes of SQLite storage of its score cells and vectors (16 ScoreCache objects), now empty. */
  cacheBytes: z.number().int(),
});
export type DatasetDeleted = z.infer<typeof DatasetDeletedSchema>;

/** `30m`, `12h`, `7d`. */
const AgeSchema = z.string().regex(/^\d+[mhd]$/, 'an age is a whole number of m, h or d: 30m, 12h, 7d');

export const GcBodySchema = z.strictObject({
  /** Also delete ended jobs (outputs and all) that ended longer ago than this. */
  jobsOlderThan: AgeSchema.optional(),
  /** Report what would be freed; delete nothing. */
  dryRun: z.boolean().default(false),
  /** Where the previous call stopped (its `cursor`): one call handles a bounded number of jobs and datasets. */
  cursor: z.string().optional(),
});
export type GcBody = z.infer<typeof GcBodySchema>;

const CategorySchema = FreedSchema.extend({
  /** Jobs (or datasets, for `versions`) that had something to free. */
  count: z.number().int(),
});

export const GcResultSchema = z.object({
  dryRun: z.boolean(),
  /** What this call freed, by kind. */
  freed: z.object({
    /** Intermediates of ended jobs with `keep: "outputs"` that were still there (jobs that ended before the drop existed, late writes). */
    intermediates: CategorySchema,
    /** Ended jobs older than `jobsOlderThan`, deleted whole. */
    jobs: CategorySchema,
    /** Files under jobs/ of jobs without a coordinator (a start that failed, writes after a delete). */
    orphans: CategorySchema,
    /** Replaced dataset versions that no unfinished job reads any more. */
    versions: CategorySchema,
  }),
  total: FreedSchema,
  /** Jobs old enough to delete that were kept, and why. */
  skipped: z.array(z.object({ job: z.string(), reason: z.string() })),
  /** More to do: call again with this cursor. */
  cursor: z.string().optional(),
});
export type GcResult = z.infer<typeof GcResultSchema>;
