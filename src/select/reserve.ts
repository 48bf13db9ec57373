import type { Reserve, ReserveWhere } from '../../schemas/recipe.ts';
import { type Issue, validationError } from '../errors.ts';
import { budgetTarget } from './budget-target.ts';

/**
 * Reserves (recipe `select.reserve`): shares of the budget kept for records matching a condition,
 * such as identity defence data. Each is spent, in recipe order, on the best ranked of its matching
 * candidates (records that passed the filters, dedup and the strategy's refusals), counting the
 * records earlier reserves already took; the strategy's order then fills the rest of the budget.
 *
 * A record's matches are one byte of bits (bit r: reserve r), so a recipe has at most 8 reserves.
 * The select stage runs each reserve as one more exact global top-k (src/select/topk.ts) over
 * `phaseValues`: the rank of the matching candidates no earlier reserve took, -1 for every other.
 */

/** What a condition reads of a record: its scores and flags, and its input row for `field`. */
export interface ReserveSubject {
  scores: Record<string, number>;
  flags?: readonly string[];
  row?: unknown;
}

/** Whether any reserve reads the input row (`where.field`): prepare then reads rows.jsonl too. */
export function reserveNeedsRows(reserves: readonly Reserve[] | undefined): boolean {
  return (reserves ?? []).some((r) => r.where.field !== undefined);
}

/** The value at a dot path of a row (`safety.category`), or undefined. */
export function fieldAt(row: unknown, path: string): unknown {
  let v: unknown = row;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Whether a record meets every condition of `where`. A missing or NaN score fails a score condition. */
export function reserveMatches(where: ReserveWhere, s: ReserveSubject): boolean {
  if (where.flag !== undefined) {
    const wanted = typeof where.flag === 'string' ? [where.flag] : where.flag;
    const flags = s.flags ?? [];
    const hit = wanted.some((w) =>
      w.endsWith('*') ? flags.some((f) => f.startsWith(w.slice(0, -1))) : flags.includes(w),
    );
    if (!hit) return false;
  }
  if (where.score !== undefined) {
    const v = s.scores[where.score];
    if (typeof v !== 'number' || Number.isNaN(v)) return false;
    if (where.min !== undefined && v < where.min) return false;
    if (where.max !== undefined && v > where.max) return false;
  }
  if (where.field !== undefined) {
    const v = fieldAt(s.row, where.field);
    if (v === undefined || v === null) return false;
    if (where.equals !== undefined && v !== where.equals) return false;
  }
  return true;
}

/** A record's matches as bits (bit r: reserve r). */
export function matchBits(reserves: readonly Reserve[], s: ReserveSubject): number {
  let bits = 0;
  reserves.forEach((r, i) => {
    if (reserveMatches(r.where, s)) bits |= 1 << i;
  });
  return bits;
}

/** How the report names reserve `i`. */
export function reserveName(r: Reserve, i: number): string {
  return r.name ?? `reserve[${i}]`;
}

/**
 * Each reserve's `min` in records, for a budget of `target` records (a share like "10%" is of the
 * budget, rounded half up). Throws a `validation_failed` located at the reserve that takes the
 * reserves past the budget: the budget stays exact, so they must fit inside it.
 */
export function reserveWanted(reserves: readonly Reserve[], target: number, at = 'select.reserve'): number[] {
  const wanted = reserves.map((r) =>
    typeof r.min === 'number' ? r.min : budgetTarget(r.min, target).target,
  );
  const issues: Issue[] = [];
  let sum = 0;
  wanted.forEach((w, i) => {
    sum += w;
    if (sum > target && issues.length === 0)
      issues.push({
        code: 'too_large',
        path: `${at}[${i}].min`,
        message:
          i === 0
            ? `reserves ${w} records but the budget is ${target}: a reserve is part of the budget`
            : `the reserves up to this one ask for ${sum} records but the budget is ${target}: reserves are part of the budget`,
      });
  });
  if (issues.length) throw validationError('recipe', issues);
  return wanted;
}

/**
 * The values reserve `phase` is cut on, for one shard: each candidate's rank when it matches the
 * reserve (`eligible` bit `phase`) and no earlier reserve took it (`reserved`: 0, or the taking
 * reserve's index + 1); -1 otherwise. A record this reserve took itself keeps its value.
 */
export function phaseValues(
  ranks: Float64Array,
  eligible: Uint8Array,
  reserved: Uint8Array,
  phase: number,
): Float64Array {
  const out = new Float64Array(ranks.length).fill(-1);
  const bit = 1 << phase;
  for (let i = 0; i < ranks.length; i++) {
    if ((eligible[i] & bit) !== 0 && (reserved[i] === 0 || reserved[i] === phase + 1)) out[i] = ranks[i];
  }
  return out;
}

/** Records of a shard some reserve took that match reserve `phase` (they count toward its minimum). */
export function alreadyKept(eligible: Uint8Array, reserved: Uint8Array, phase: number): number {
  const bit = 1 << phase;
  let n = 0;
  for (let i = 0; i < reserved.length; i++) if (reserved[i] !== 0 && (eligible[i] & bit) !== 0) n++;
  return n;
}
