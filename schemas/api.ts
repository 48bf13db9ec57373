import { z } from 'zod';
import { RecipeSchema } from './recipe.ts';
import { IntermediatesSchema } from './storage.ts';

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A name usable in an R2 key and a URL path: 1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit. */
export const objectName = (what: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
      `${what} names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit`,
    );

export const DatasetNameSchema = objectName('dataset');

/** A pair set's name (`/v1/pairs/:set`). */
export const SetNameSchema = objectName('pair set');

export const DatasetObjectSchema = z.object({
  key: z.string(),
  size: z.number(),
  etag: z.string(),
  /** A decompressed copy of a gzip object put straight into the bucket under the dataset's prefix. */
  source: z.object({ key: z.string(), etag: z.string() }).optional(),
  /** The name it was put under with `PUT …/parts/:part`: putting that part again replaces it here. */
  part: z.string().optional(),
});

export const DatasetInfoSchema = z.object({
  name: z.string(),
  objects: z.array(DatasetObjectSchema),
  bytes: z.number(),
  origin: z.enum(['upload', 'register']),
  createdAt: z.string(),
  /** When objects were last appended or found changed under `datasets/{name}/`. */
  updatedAt: z.string().optional(),
  /** The last scheduled run that finished (its outputs are the current selection); served, not stored in the manifest. */
  latest: z.string().optional(),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

export const DatasetListSchema = z.object({ datasets: z.array(DatasetInfoSchema) });

export const RegisterBodySchema = z.strictObject({
  /** R2 keys of objects already in the bucket, in input order. */
  keys: z.array(z.string().min(1)).min(1).max(1000),
});

/** An id Winnow made: its prefix, then 8-40 of 0-9 a-z (base-36 time and random hex). */
const madeId = (prefix: string, what: string, route: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[0-9a-z]{8,40}$`),
      `${what} ids are "${prefix}" then 8-40 of 0-9 a-z, as ${route} returns them`,
    );

export const JobIdSchema = madeId('j', 'job', 'POST /v1/jobs');

/** A sampler run's id (`r…`). */
export const RunIdSchema = madeId('r', 'sampler run', 'POST /v1/runs');

export const JobCreateSchema = z.strictObject({
  dataset: DatasetNameSchema,
  recipe: RecipeSchema.optional(),
  /** A finished job of the same dataset to compare with: the job also writes diff.json and diff.jsonl. */
  previous: JobIdSchema.optional(),
});
export type JobCreate = z.infer<typeof JobCreateSchema>;

export const JobStateSchema = z.enum(['running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobStateSchema>;

export const StageProgressSchema = z.object({
  name: z.string(),
  state: z.enum(['waiting', 'running', 'done']),
  shardsDone: z.number(),
  shardsTotal: z.number(),
  /** 1-based step of a stage that runs in steps (fit, embed, cluster, select rounds); tasks are of this step. */
  step: z.number(),
  recordsIn: z.number(),
  recordsOut: z.number(),
  errors: z.number(),
  seconds: z.number(),
});
export type StageProgress = z.infer<typeof StageProgressSchema>;

export const JobStatusSchema = z.object({
  id: z.string(),
  dataset: z.string(),
  state: JobStateSchema,
  stage: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stages: z.array(StageProgressSchema),
  /**
   * The local stack restarted while the job ran (its queues are in memory), and the coordinator sent
   * again what was queued or running: how many tasks, over how many restarts, the last at `at`. Such
   * a task does not count as a failure (`errors`). Absent when it never happened (always on Cloudflare).
   */
  resumed: z.object({ at: z.string(), tasks: z.number(), restarts: z.number() }).optional(),
  /** Once the job ended: what became of its intermediates (recipe `keep`), and the objects and bytes dropped. */
  intermediates: IntermediatesSchema.optional(),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobCreatedSchema = z.object({ id: z.string() });

/** `GET /v1/jobs`: newest first, `limit` at a time; `before` (the last page's `next`) pages on. */
export const JobListQuerySchema = z.strictObject({
  dataset: DatasetNameSchema.optional(),
  state: JobStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: JobIdSchema.optional(),
});
export type JobListQuery = z.infer<typeof JobListQuerySchema>;

/** One job of the list: its status without the per-stage detail, and how far it is. */
export const JobSummarySchema = JobStatusSchema.pick({
  id: true,
  dataset: true,
  state: true,
  stage: true,
  error: true,
  createdAt: true,
  updatedAt: true,
}).extend({
  /** Stages behind the job (all of them once it is done), of the stages it runs. */
  stagesDone: z.number(),
  stagesTotal: z.number(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobListSchema = z.object({
  jobs: z.array(JobSummarySchema),
  /** Pass as `before` for the next page; null on the last. */
  next: z.string().nullable(),
});
export type JobList = z.infer<typeof JobListSchema>;
/** A finished job's outputs, as its manifest lists them (report.json included). */
export const OutputListSchema = z.object({
  files: z.array(
    z.object({
      name: z.string(),
      /** Bytes served. */
      bytes: z.number(),
      /** Stored parts it is served from, in order. */
      parts: z.number(),
      contentType: z.string(),
      /** embeddings.npy: [rows, dim]. */
      shape: z.tuple([z.number(), z.number()]).optional(),
    }),
  ),
});
export type OutputList = z.infer<typeof OutputListSchema>;

/** One registered scorer, as `GET /v1/scorers` lists it. */
export const ScorerInfoSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.enum(['offline', 'model']),
  description: z.string(),
  outputs: z.array(z.string()),
  /** Learns from data in the fit stage (`perplexity`, `dsir`, `classifier`, `golden`). */
  fits: z.boolean(),
  /** JSON Schema of its `config`, generated from its zod schema. */
  config: z.unknown(),
});
export const ScorerListSchema = z.object({ scorers: z.array(ScorerInfoSchema) });
export type ScorerInfo = z.infer<typeof ScorerInfoSchema>;
