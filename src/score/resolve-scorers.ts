import { WinnowError } from '../errors.ts';
import { getScorer, unknownScorerMessage } from './registry.ts';
import type { Scorer } from './types.ts';

export interface ResolvedScorer {
  scorer: Scorer;
  config: unknown;
}

export interface ScorerIssue {
  path: string;
  message: string;
}

/**
 * Looks up every scorer and parses its config (applying defaults). All problems are collected into one
 * `validation_failed` error whose `details` are `{ path: 'scorers[1].config.minWords', message }`.
 */
export function resolveScorers(refs: { id: string; config?: Record<string, unknown> }[]): ResolvedScorer[] {
  const issues: ScorerIssue[] = [];
  const out: ResolvedScorer[] = [];
  const seen = new Map<string, number>();
  refs.forEach((ref, i) => {
    const at = `scorers[${i}]`;
    const first = seen.get(ref.id);
    if (first !== undefined)
      issues.push({ path: `${at}.id`, message: `scorer "${ref.id}" is already used at scorers[${first}]` });
    seen.set(ref.id, first ?? i);
    let scorer: Scorer;
    try {
      scorer = getScorer(ref.id);
    } catch {
      issues.push({ path: `${at}.id`, message: unknownScorerMessage(ref.id) });
      return;
    }
    const parsed = scorer.config.safeParse(ref.config ?? {});
    if (parsed.success) out.push({ scorer, config: parsed.data });
    else
      for (const issue of parsed.error.issues)
        issues.push({ path: `${at}.config${pathText(issue.path)}`, message: issue.message });
  });
  if (issues.length > 0) {
    const detail = issues.map((x) => `${x.path}: ${x.message}`).join('; ');
    throw new WinnowError('validation_failed', { detail, details: issues });
  }
  return out;
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}
