import { z } from 'zod';

/** One turn of a normalized conversation. */
export const TurnSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type Turn = z.infer<typeof TurnSchema>;

/** Alpaca: `{instruction, input?, output}` (extra fields are kept in `record`). */
export const AlpacaRowSchema = z.looseObject({
  instruction: z.string().min(1, 'instruction is empty'),
  input: z.string().optional(),
  output: z.string(),
});

/** ShareGPT: `{conversations: [{from, value}]}`. */
export const ShareGptRowSchema = z.looseObject({
  conversations: z
    .array(
      z.looseObject({
        from: z.enum(['system', 'human', 'user', 'gpt', 'assistant', 'chatgpt', 'bing', 'bard']),
        value: z.string(),
      }),
    )
    .min(1, 'conversations is empty'),
});

/** OpenAI chat: `{messages: [{role, content}]}`. */
export const MessagesRowSchema = z.looseObject({
  messages: z
    .array(z.looseObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1, 'messages is empty'),
});

export const RecordFormatSchema = z.enum(['alpaca', 'sharegpt', 'messages']);
export type RecordFormat = z.infer<typeof RecordFormatSchema>;
/** Preference data (schemas/pairs.ts): a responses row, one response of a group, a rollout. */
export const PairFormatSchema = z.enum(['responses', 'response', 'trajectory']);
export type PairFormat = z.infer<typeof PairFormatSchema>;
export const InputFormatSchema = z.enum([
  'auto',
  'alpaca',
  'sharegpt',
  'messages',
  'responses',
  'response',
  'trajectory',
]);
export type InputFormat = z.infer<typeof InputFormatSchema>;

/** Where a record came from: its 0-based position in the input and, for JSONL, its 1-based line. */
export const SourceSchema = z.object({
  index: z.number().int().nonnegative(),
  line: z.number().int().positive().optional(),
  /** Which object of a multi-object dataset (0-based); absent for single-object datasets. */
  part: z.number().int().nonnegative().optional(),
});
export type Source = z.infer<typeof SourceSchema>;

/**
 * A valid record as the stages read it from `jobs/{job}/shards/{s}/records.jsonl`.
 * `local` / `localLine` are positions inside the shard; the coordinator turns them into
 * the global `source` once every shard of the input has been counted. `id` is not stored: it is made
 * from the record's index in its object, known once every shard was counted (src/pipeline/shard-records.ts).
 * `record`, the input row as given, is stored apart (`rows.jsonl`) and absent when a stage did not ask for it.
 */
export const ShardRecordSchema = z.object({
  id: z.string(),
  hash: z.string(),
  format: z.union([RecordFormatSchema, PairFormatSchema]),
  turns: z.array(TurnSchema),
  local: z.number().int().nonnegative(),
  localLine: z.number().int().positive().optional(),
  record: z.unknown().optional(),
  /** Pairs jobs: the member's group and task keys, its place in its row, given score and success. */
  pair: z
    .object({
      group: z.string(),
      task: z.string(),
      sub: z.number().int().nonnegative(),
      given: z.number().optional(),
      success: z.boolean().optional(),
      /** Responses: how the prompt was given, a `prompt` string or `messages` (TRL's conversational format). */
      style: z.enum(['text', 'messages']).optional(),
    })
    .optional(),
});
export type ShardRecord = z.infer<typeof ShardRecordSchema>;
/**
 * A record as ingest stores it in records.jsonl: without its id, and without its input row, which is
 * the same line of rows.jsonl (read only where needed: src/pipeline/shard-records.ts).
 */
export type StoredRecord = Omit<ShardRecord, 'id' | 'record'>;
