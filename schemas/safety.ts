import { z } from 'zod';

/**
 * Identity-attack safety (docs/safety.md): defence data generated for an assistant, and a benchmark
 * of a model's defence. Both run as jobs: a recipe with `safety` (schemas/recipe.ts).
 */

export const SAFETY_LANGUAGES = ['en', 'zh'] as const;
export const SafetyLanguageSchema = z.enum(SAFETY_LANGUAGES);
export type SafetyLanguage = z.infer<typeof SafetyLanguageSchema>;

/**
 * Attack categories: `direct` identity questions, `claim` (the user says it is another model),
 * `persona` (role-play and persona overrides), `override` (instruction override and system-prompt
 * extraction), `multi_turn` (a conversation that escalates to an attack).
 */
export const SAFETY_CATEGORIES = ['direct', 'claim', 'persona', 'override', 'multi_turn'] as const;
export const SafetyCategorySchema = z.enum(SAFETY_CATEGORIES);
export type SafetyCategory = z.infer<typeof SafetyCategorySchema>;

/** The assistant whose identity is defended. */
export const SafetyIdentitySchema = z.strictObject({
  /** Its name, e.g. "Aria". */
  name: z.string().trim().min(1, 'name is empty').max(60),
  /** Who made it, e.g. "Acme". */
  developer: z.string().trim().min(1, 'developer is empty').max(60),
  /** Other names it answers to (short names, translations). */
  aliases: z.array(z.string().trim().min(1).max(60)).max(20).default([]),
  /** What it is, as a noun phrase: "a support assistant for Acme's cloud customers". */
  description: z.string().trim().max(200).default(''),
  /** Languages of the generated attacks and answers. */
  languages: z.array(SafetyLanguageSchema).min(1).default(['en', 'zh']),
});
export type SafetyIdentity = z.infer<typeof SafetyIdentitySchema>;
export type SafetyIdentityInput = z.input<typeof SafetyIdentitySchema>;

/** The `safety` block of a generation job's recipe. */
export const SafetyGenerateSchema = z.strictObject({
  task: z.literal('generate'),
  identity: SafetyIdentitySchema,
  /** Records wanted in safety.jsonl. */
  count: z.number().int().min(1).max(20_000),
  seed: z.number().int().default(0),
  categories: z
    .array(SafetyCategorySchema)
    .min(1)
    .default([...SAFETY_CATEGORIES]),
  /** A recipe provider that paraphrases each templated attack and answer; absent: templates only. */
  provider: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).default(0.9),
  /** Near-duplicates (MinHash Jaccard estimate of the prompts at or above this) are rejected. */
  nearDuplicate: z.number().min(0.3).max(1).default(0.7),
});
export type SafetyGenerate = z.infer<typeof SafetyGenerateSchema>;

/** The `safety` block of a benchmark job's recipe: the job's dataset is the attack set. */
export const SafetyBenchSchema = z.strictObject({
  task: z.literal('bench'),
  identity: SafetyIdentitySchema,
  /** The recipe provider under test (an OpenAI-compatible chat endpoint). */
  target: z.string().min(1),
  /** A recipe provider that confirms each grade (an LLM judge); absent: the identity scorer alone. */
  judge: z.string().min(1).optional(),
  /** A system prompt sent before every attack (e.g. the one the assistant is deployed with). */
  system: z.string().max(20_000).optional(),
  maxTokens: z.number().int().min(16).max(4096).default(400),
  temperature: z.number().min(0).max(2).default(0),
  /** Failures (compromised or unclear answers) quoted per category in the report. */
  examples: z.number().int().min(0).max(50).default(5),
});
export type SafetyBench = z.infer<typeof SafetyBenchSchema>;

export const SafetyRecipeSchema = z.discriminatedUnion('task', [SafetyGenerateSchema, SafetyBenchSchema]);
export type SafetyRecipe = z.infer<typeof SafetyRecipeSchema>;

/** What a generated record carries besides `messages` (and what a benchmark reads, when present). */
export const SafetyMetaSchema = z.looseObject({
  category: SafetyCategorySchema,
  lang: SafetyLanguageSchema,
  /** The template it was drafted from (`<category>/<lang>/<n>`). */
  template: z.string(),
  /** Content hash of its user turns (normalized): the benchmark's held-out sets are disjoint by it. */
  hash: z.string(),
  /** `template` (offline) or `model` (paraphrased by the provider). */
  source: z.enum(['template', 'model']),
  /** Paraphrased records: the hash of the draft they were written from (held-out sets leave it out too). */
  draft: z.string().optional(),
});
export type SafetyMeta = z.infer<typeof SafetyMetaSchema>;

const Message = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
/** One line of safety.jsonl (and of a held-out attack set): Winnow's `messages` format. */
export const SafetyRowSchema = z.object({ messages: z.array(Message).min(1), safety: SafetyMetaSchema });
export type SafetyRow = z.infer<typeof SafetyRowSchema>;

/** One line of safety-rejected.jsonl: the candidate and why it was not kept. */
export const SafetyRejectedSchema = SafetyRowSchema.extend({
  reason: z.string(),
  detail: z.string(),
});

export const GRADES = ['defended', 'compromised', 'unclear'] as const;
export const GradeSchema = z.enum(GRADES);
export type Grade = z.infer<typeof GradeSchema>;

/** A defence rate with its Wilson 95% interval. */
export const RateSchema = z.object({
  n: z.number().int(),
  defended: z.number().int(),
  compromised: z.number().int(),
  unclear: z.number().int(),
  /** defended / n (NaN-free: 0 when n = 0). */
  rate: z.number(),
  low: z.number(),
  high: z.number(),
});
export type Rate = z.infer<typeof RateSchema>;

/** One line of answers.jsonl: an attack, the model's answer and its grade. */
export const BenchAnswerSchema = z.object({
  id: z.string(),
  category: z.string(),
  lang: z.string(),
  messages: z.array(Message),
  answer: z.string(),
  grade: GradeSchema,
  /** Why: the scorer's flags and notes, and the judge's verdict when one was asked. */
  reason: z.string(),
  judge: z.object({ grade: GradeSchema, text: z.string() }).optional(),
});
export type BenchAnswer = z.infer<typeof BenchAnswerSchema>;

/** The `safety` section of report.json. */
export const SafetyReportSchema = z.discriminatedUnion('task', [
  z.object({
    task: z.literal('generate'),
    identity: z.string(),
    requested: z.number().int(),
    drafted: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    rejectedByReason: z.record(z.string(), z.number()),
    /** Share of candidates rejected as near-duplicates of an earlier one. */
    nearDuplicateRate: z.number(),
    /** Share of candidates (duplicates aside) that passed the identity and junk checks. */
    passRate: z.number(),
    byCell: z.record(z.string(), z.number().int()),
    paraphrased: z.number().int(),
    /** Drafts kept as templated because the model's reply could not be used, by why. */
    fallbacks: z.record(z.string(), z.number().int()),
    model: z.object({ requests: z.number(), cached: z.number(), failed: z.number() }),
  }),
  z.object({
    task: z.literal('bench'),
    identity: z.string(),
    target: z.string(),
    judged: z.boolean(),
    overall: RateSchema,
    byCategory: z.record(z.string(), RateSchema),
    byLanguage: z.record(z.string(), RateSchema),
    /** `<category>/<lang>`. */
    byCell: z.record(z.string(), RateSchema),
    failures: z.array(
      BenchAnswerSchema.pick({
        id: true,
        category: true,
        lang: true,
        grade: true,
        reason: true,
        answer: true,
      }).extend({ prompt: z.string() }),
    ),
    /** Answers the judge graded differently from the scorer (the judge's grade counts). */
    disagreements: z.number().int(),
    errors: z.number().int(),
    model: z.object({ requests: z.number(), cached: z.number(), failed: z.number() }),
  }),
]);
export type SafetyReport = z.infer<typeof SafetyReportSchema>;
