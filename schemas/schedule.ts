import { z } from 'zod';
import { parseCron, parseEvery } from '../src/schedule/cron.ts';
import { JobIdSchema, JobStateSchema, objectName } from './api.ts';
import { RecipeSchema } from './recipe.ts';

const valid = (parse: (s: string) => unknown) => (s: string, ctx: z.RefinementCtx) => {
  try {
    parse(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
};

/**
 * `PUT /v1/datasets/:name/schedule`: when to re-score (a 5-field UTC cron, or an interval) and with
 * which recipe (given, or the recipe of an earlier job).
 */
export const ScheduleBodySchema = z
  .strictObject({
    cron: z.string().superRefine(valid(parseCron)).optional(),
    /** An interval: `15m`, `6h`, `1d`. The first run is due at once. */
    every: z.string().superRefine(valid(parseEvery)).optional(),
    recipe: RecipeSchema.optional(),
    /** Re-use the recipe of this job (with its defaults, as it ran). */
    recipeRef: JobIdSchema.optional(),
    enabled: z.boolean().default(true),
    /** A failed run is retried on the next ticks, this many times in a row, then waits for the next due time. */
    retries: z.number().int().min(0).max(100).default(3),
  })
  .superRefine((b, ctx) => {
    if ((b.cron === undefined) === (b.every === undefined))
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron or every' });
    if (b.recipe !== undefined && b.recipeRef !== undefined)
      ctx.addIssue({ code: 'custom', path: ['recipeRef'], message: 'give recipe or recipeRef, not both' });
  });
export type ScheduleBody = z.infer<typeof ScheduleBodySchema>;

/** A schedule as stored and served: the body, and when the next run is due. */
export const ScheduleSchema = z.object({
  dataset: z.string(),
  cron: z.string().optional(),
  every: z.string().optional(),
  recipe: RecipeSchema.optional(),
  recipeRef: z.string().optional(),
  enabled: z.boolean(),
  retries: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** ISO time of the next due tick; null when disabled or a cron never matches again. */
  nextDue: z.string().nullable(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const RunStateSchema = z.enum(['starting', ...JobStateSchema.options]);
export type RunState = z.infer<typeof RunStateSchema>;

/** One scheduled run: a job over the dataset as it was at the tick. */
export const RunSchema = z.object({
  run: z.string(),
  /** 1, 2, … in the order the runs started. */
  seq: z.number(),
  state: RunStateSchema,
  error: z.string().nullable(),
  /** Why it started: due at its time, a retry of a failed run, or a forced tick. */
  trigger: z.enum(['due', 'retry', 'manual']),
  /** The tick's scheduled time (ISO). */
  tick: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** The run it is compared with in diff.json: the last run that finished. */
  previous: z.string().nullable(),
  objects: z.number(),
  /** Filled in when it finished: counts, score cells computed and cached, and the diff's counts. */
  summary: z
    .object({
      input: z.number(),
      selected: z.number(),
      computed: z.number(),
      cached: z.number(),
      seconds: z.number(),
      entered: z.number().optional(),
      left: z.number().optional(),
    })
    .nullable(),
  links: z.object({ job: z.string(), outputs: z.string(), diff: z.string() }),
});
export type Run = z.infer<typeof RunSchema>;

export const RunListSchema = z.object({
  dataset: z.string(),
  /** The last run that finished: its outputs are the dataset's current selection. */
  latest: z.string().nullable(),
  runs: z.array(RunSchema),
});
export type RunList = z.infer<typeof RunListSchema>;

/** `PUT /v1/datasets/:name/parts/:part`: a part name. */
export const PartNameSchema = objectName('part');

/** The dataset's `latest` pointer (`datasets/{name}/latest.json`): the last scheduled run that finished. */
export const LatestSchema = z.object({
  dataset: z.string(),
  run: z.string(),
  finishedAt: z.string(),
  outputs: z.string(),
});
export type Latest = z.infer<typeof LatestSchema>;

/** Why a record entered or left the selection. */
export const DiffCauseSchema = z.enum([
  /** Not in the previous run's input (appended) / no longer in this run's input. */
  'new',
  'removed',
  /** Its own rank changed (a scorer, its version or config changed). */
  'score',
  /** Same rank; the cut moved (other records entered the competition, or the budget changed). */
  'threshold',
  /** A filter, dedup or the strategy decided differently (see reason before and after). */
  'reason',
  /** A reserve (recipe `select.reserve`) took it in the run that selected it. */
  'reserve',
]);

/** One line of diff.jsonl (and an entry of diff.json's lists). */
export const DiffEntrySchema = z.object({
  id: z.string(),
  change: z.enum(['entered', 'left']),
  cause: DiffCauseSchema,
  /** Global input index in each run (null where the record is absent). */
  index: z.object({ before: z.number().nullable(), after: z.number().nullable() }),
  rank: z.object({
    before: z.number().nullable(),
    after: z.number().nullable(),
    delta: z.number().nullable(),
  }),
  /** Not selected: why (budget, filter:…, near_duplicate, …); null when selected or absent. */
  reason: z.object({ before: z.string().nullable(), after: z.string().nullable() }),
  /** The rank terms' scores (the scores the selection ranks by), before and after. */
  scores: z.record(
    z.string(),
    z.object({ before: z.number().nullable(), after: z.number().nullable(), delta: z.number().nullable() }),
  ),
});
export type DiffEntry = z.infer<typeof DiffEntrySchema>;

const CauseCounts = z.record(z.string(), z.number());

export const DiffCountsSchema = z.object({
  /** Selected in the previous run, and in this one. */
  before: z.number(),
  after: z.number(),
  entered: z.number(),
  left: z.number(),
  stayed: z.number(),
  /** Valid records only in this run / only in the previous one / in both with another rank. */
  newRecords: z.number(),
  removedRecords: z.number(),
  rescored: z.number(),
  byCause: z.object({ entered: CauseCounts, left: CauseCounts }),
});
export type DiffCounts = z.infer<typeof DiffCountsSchema>;

/** `<run>/diff.json`: what changed against the previous run. */
export const DiffSchema = z.object({
  run: z.string(),
  previous: z.string(),
  counts: DiffCountsSchema,
  /** The rank the budget was cut at, in each run (null when everything or nothing was selected). */
  threshold: z.object({ before: z.number().nullable(), after: z.number().nullable() }),
  /** Up to `limit` entries per list, the largest rank changes first (new records by rank); all of them in diff.jsonl. */
  entered: z.array(DiffEntrySchema),
  left: z.array(DiffEntrySchema),
  limit: z.number(),
  truncated: z.boolean(),
});
export type Diff = z.infer<typeof DiffSchema>;

/** `POST /v1/datasets/:name/schedule/tick`: run the schedule's tick now, as the Cron Trigger does. */
export const TickBodySchema = z.strictObject({
  /** Start a run even when none is due (still never two at once). */
  force: z.boolean().default(false),
});

/** What one tick did for one schedule. */
export const TickResultSchema = z.object({
  dataset: z.string(),
  action: z.enum(['started', 'busy', 'not_due', 'disabled', 'none', 'failed']),
  /** The run started (started), or the run still going (busy). */
  run: z.string().nullable(),
  /** Why a run could not start (failed), e.g. the recipeRef job does not exist. */
  error: z.string().nullable(),
  nextDue: z.string().nullable(),
});
export type TickResult = z.infer<typeof TickResultSchema>;

/** `GET /v1/schedules`: every dataset's schedule, by dataset name. */
export const ScheduleListSchema = z.object({ schedules: z.array(ScheduleSchema) });
export type ScheduleList = z.infer<typeof ScheduleListSchema>;
