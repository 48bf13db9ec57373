import { type PairFormat, PairFormatSchema, type RecordFormat } from '../../schemas/record.ts';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A record's format by its keys: messages, then conversations, then instruction + output. */
export function detectFormat(value: unknown): RecordFormat | null {
  if (!isPlainObject(value)) return null;
  if (Object.hasOwn(value, 'messages')) return 'messages';
  if (Object.hasOwn(value, 'conversations')) return 'sharegpt';
  if (Object.hasOwn(value, 'instruction') && Object.hasOwn(value, 'output')) return 'alpaca';
  return null;
}

/** A preference record's format by its keys: responses, then task + steps (a rollout), then group + text. */
export function detectPairFormat(value: unknown): PairFormat | null {
  if (!isPlainObject(value)) return null;
  if (Object.hasOwn(value, 'responses')) return 'responses';
  if (Object.hasOwn(value, 'task') && Object.hasOwn(value, 'steps')) return 'trajectory';
  if (Object.hasOwn(value, 'group') && Object.hasOwn(value, 'text')) return 'response';
  return null;
}

/** Whether an input format names preference data. */
export function isPairFormat(format: string): format is PairFormat {
  return (PairFormatSchema.options as readonly string[]).includes(format);
}
