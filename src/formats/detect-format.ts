import type { RecordFormat } from '../../schemas/record.ts';

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
