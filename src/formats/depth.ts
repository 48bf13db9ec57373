import type { RecordError } from '../../schemas/output.ts';
import { MAX_RECORD_DEPTH } from '../limits.ts';
import { formatPath } from './format-issues.ts';

/**
 * A `record_too_deep` error when `value` nests objects and arrays more than `max` levels deep (the
 * record itself is level 1), naming the top-level field that holds the nesting; else null. Deeper
 * values overflow the stack of recursive JSON writers (`JSON.stringify` fails a whole shard), so they
 * are refused one record at a time, here. The walk stops at `max` levels: it never recurses deeper.
 */
export function depthError(value: unknown, max = MAX_RECORD_DEPTH): RecordError | null {
  if (!exceeds(value, 1, max)) return null;
  let path: string | undefined;
  for (const [key, child] of entries(value)) {
    if (exceeds(child, 2, max)) {
      path = formatPath([key]);
      break;
    }
  }
  const where = path === undefined ? '' : `${path}: `;
  return {
    code: 'record_too_deep',
    message: `${where}nested more than ${max} levels deep (objects and arrays), over the limit for a record`,
    ...(path === undefined ? {} : { path }),
  };
}

function entries(v: unknown): [string | number, unknown][] {
  if (Array.isArray(v)) return v.map((c, i) => [i, c]);
  if (typeof v === 'object' && v !== null) return Object.entries(v);
  return [];
}

function exceeds(v: unknown, depth: number, max: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > max) return true;
  const children = Array.isArray(v) ? v : Object.values(v);
  for (const c of children) if (exceeds(c, depth + 1, max)) return true;
  return false;
}
