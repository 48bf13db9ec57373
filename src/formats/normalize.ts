import type { RecordError } from '../../schemas/output.ts';
import type { InputFormat, RecordFormat, Turn } from '../../schemas/record.ts';
import { depthError } from './depth.ts';
import { detectFormat, detectPairFormat, isPairFormat, isPlainObject } from './detect-format.ts';
import { formatIssues, formatPath } from './format-issues.ts';
import { ROW_SCHEMAS, toTurns } from './to-turns.ts';

export { contentHash, recordId } from './content-hash.ts';
export { detectFormat } from './detect-format.ts';

export type Normalized =
  | { ok: true; format: RecordFormat; turns: Turn[]; record: unknown }
  | { ok: false; error: RecordError };

const KNOWN_KEYS = 'instruction+output (alpaca), conversations (sharegpt), messages (openai)';
const MAX_KEYS = 8;

function fail(code: string, message: string, path?: string): Normalized {
  return { ok: false, error: path === undefined ? { code, message } : { code, message, path } };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function listKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'it has no keys';
  const shown = keys.slice(0, MAX_KEYS).map((k) => (k.length > 40 ? `${k.slice(0, 40)}…` : k));
  const more = keys.length > MAX_KEYS ? `, … (${keys.length} keys)` : '';
  return `it has: ${shown.join(', ')}${more}`;
}

/**
 * Parse one raw record and normalize it to turns. `format` 'auto' detects per record by keys;
 * a forced format validates against that schema only. Errors are RecordErrors with a code and a
 * message that names the field and the reason.
 */
export function normalizeRecord(text: string, format: InputFormat): Normalized {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('invalid_json', `not valid JSON: ${(e as Error).message}`);
  }
  return normalizeValue(value, format);
}

/** `normalizeRecord` for a record already parsed (a Parquet row): the same detection and checks. */
export function normalizeValue(value: unknown, format: InputFormat): Normalized {
  if (!isPlainObject(value)) {
    return fail('invalid_record', `record is ${kindOf(value)}, expected an object`);
  }
  const deep = depthError(value);
  if (deep) return { ok: false, error: deep };
  // Preference rows are told apart first when they carry `responses` (they may also have `messages`).
  const detected = detectFormat(value);
  const looksPair = detected === null || Object.hasOwn(value, 'responses');
  const pairFormat =
    format === 'auto' ? (looksPair ? detectPairFormat(value) : null) : isPairFormat(format) ? format : null;
  if (pairFormat !== null) {
    return fail(
      'needs_pairs',
      `record is preference data (${pairFormat}); it is read by a recipe with a \`pairs\` section, which builds chosen/rejected pairs`,
    );
  }
  const chosen = format === 'auto' ? detected : (format as RecordFormat);
  if (chosen === null) {
    const partial = Object.hasOwn(value, 'instruction') !== Object.hasOwn(value, 'output');
    const hint = partial ? ' (alpaca needs both instruction and output)' : '';
    // Half an alpaca record: the path names the field it lacks.
    const missing = partial ? (Object.hasOwn(value, 'output') ? 'instruction' : 'output') : undefined;
    return fail(
      'unknown_format',
      `record has none of the keys of a known format: ${KNOWN_KEYS}; ${listKeys(value)}${hint}`,
      missing,
    );
  }
  const parsed = ROW_SCHEMAS[chosen].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const looksLike = detected !== null && detected !== chosen ? `; the record looks like ${detected}` : '';
    return fail(
      'invalid_record',
      formatIssues(issues, value) + looksLike,
      formatPath(issues[0]?.path ?? []) || undefined,
    );
  }
  const converted = toTurns(chosen, parsed.data);
  if (!converted.ok) return fail('invalid_record', converted.message, converted.path);
  return { ok: true, format: chosen, turns: converted.turns, record: value };
}
