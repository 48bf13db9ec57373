import { type Issue, validationError, zodIssues } from '../errors.ts';
import { getScorer, unknownScorerMessage } from './registry.ts';
import type { Scorer } from './types.ts';

export interface ResolvedScorer {
  scorer: Scorer;
  config: unknown;
}

/** One scorer's lookup and config, its issues under `here` (`scorers[1]`, `select.incontext.scorer`). */
function resolveOne(
  ref: { id: string; config?: Record<string, unknown> },
  here: string,
  issues: Issue[],
): ResolvedScorer | undefined {
  let scorer: Scorer;
  try {
    scorer = getScorer(ref.id);
  } catch {
    issues.push({ code: 'unknown_scorer', path: `${here}.id`, message: unknownScorerMessage(ref.id) });
    return undefined;
  }
  const parsed = scorer.config.safeParse(ref.config ?? {});
  if (parsed.success) return { scorer, config: parsed.data };
  issues.push(...zodIssues(parsed.error, `${here}.config`));
  return undefined;
}

/**
 * Looks up every scorer and parses its config (applying defaults). All problems are collected into one
 * `validation_failed` error whose `details` are issues (`{ code, path: 'scorers[1].config.minWords', message }`).
 */
export function resolveScorers(refs: { id: string; config?: Record<string, unknown> }[]): ResolvedScorer[] {
  const issues: Issue[] = [];
  const out: ResolvedScorer[] = [];
  const seen = new Map<string, number>();
  refs.forEach((ref, i) => {
    const first = seen.get(ref.id);
    if (first !== undefined)
      issues.push({
        code: 'duplicate',
        path: `scorers[${i}].id`,
        message: `scorer "${ref.id}" is already used at scorers[${first}]`,
      });
    seen.set(ref.id, first ?? i);
    const r = resolveOne(ref, `scorers[${i}]`, issues);
    if (r) out.push(r);
  });
  if (issues.length > 0) throw validationError(null, issues);
  return out;
}

/** One scorer named at `at` (the in-context scorer: `select.incontext.scorer`). */
export function resolveScorer(
  ref: { id: string; config?: Record<string, unknown> },
  at: string,
): ResolvedScorer {
  const issues: Issue[] = [];
  const r = resolveOne(ref, at, issues);
  if (!r) throw validationError(null, issues);
  return r;
}
