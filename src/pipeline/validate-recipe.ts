import type { Recipe } from '../../schemas/recipe.ts';
import { resolveEmbedder } from '../embed/index.ts';
import { type Issue, issuesOf, pathText, validationError } from '../errors.ts';
import { isPairFormat } from '../formats/index.ts';
import { pairsScoreNeedsScorers } from '../pairs/score-by.ts';
import { resolveScorer, resolveScorers } from '../score/index.ts';
import { lateOutputMessage, reserveWanted, resolveFilters } from '../select/index.ts';
import { strategyOf } from '../select/strategies/index.ts';
import { canonicalJson } from '../util/index.ts';
import { referenceIssues } from './internal-keys.ts';

/**
 * Check what zod cannot: scorer ids and configs, what strategies and dedup need, that every rank term
 * names a score some scorer writes, and that references name data, never Winnow's own objects
 * (internal-keys.ts). Throws one `validation_failed` listing every problem, with paths under `at`
 * when given (`recipe.select.budget`).
 */
export function validateRecipe(recipe: Recipe, at?: string): void {
  const issues: Issue[] = [];
  /** Collect a resolver's issues; any other error is a bug and goes on. */
  const collect = (e: unknown) => {
    const found = issuesOf(e);
    if (found.length === 0) throw e;
    issues.push(...found);
  };
  let outputs = new Set<string>(['quality']);
  let late = new Set<string>();
  try {
    const scorers = resolveScorers(recipe.scorers);
    outputs = new Set([...outputs, ...scorers.flatMap((s) => s.scorer.outputs)]);
    // Outputs known only at export (a softmax over the dataset) cannot be filtered or ranked by.
    late = new Set(scorers.flatMap((s) => s.scorer.dataset?.names(s.config) ?? []));
    for (const name of late) outputs.delete(name);
    const writers = scorers.map((s) => ({
      id: s.scorer.id,
      outputs: s.scorer.outputs.filter((o) => !late.has(o)),
    }));
    issues.push(...resolveFilters(recipe.select.filters, writers, late).issues);
    for (const s of scorers) {
      const provider = (s.config as { provider?: unknown }).provider;
      if (s.scorer.kind === 'model' && typeof provider === 'string' && !(provider in recipe.providers)) {
        const known = Object.keys(recipe.providers);
        issues.push({
          code: 'unknown_provider',
          path: `scorers[${scorers.indexOf(s)}].config.provider`,
          message: `unknown provider "${provider}"; the recipe's providers: ${known.length ? known.join(', ') : '(none)'}`,
        });
      }
    }
  } catch (e) {
    collect(e);
  }
  if (recipe.cluster || recipe.exportEmbeddings) {
    try {
      const { config } = resolveEmbedder(recipe.embed);
      const provider = (config as { provider?: unknown }).provider;
      if (typeof provider === 'string' && !(provider in recipe.providers)) {
        issues.push({
          code: 'unknown_provider',
          path: 'embed.config.provider',
          message: `unknown provider "${provider}"`,
        });
      }
    } catch (e) {
      collect(e);
    }
  }
  const ic = recipe.select.incontext;
  if (ic) {
    try {
      const ref = resolveScorer(ic.scorer, 'select.incontext.scorer');
      outputs.add(`${ref.scorer.outputs[0]}_est`);
      const provider = (ref.config as { provider?: unknown }).provider;
      if (typeof provider === 'string' && !(provider in recipe.providers))
        issues.push({
          code: 'unknown_provider',
          path: 'select.incontext.scorer.config.provider',
          message: `unknown provider "${provider}"`,
        });
      const same = recipe.scorers.find((s) => s.id === ic.scorer.id);
      if (same && canonicalJson(resolveScorers([same])[0].config) !== canonicalJson(ref.config)) {
        issues.push({
          code: 'conflict',
          path: 'select.incontext.scorer.config',
          message: `differs from the config of scorer "${ic.scorer.id}" in scorers; one fitted model serves both`,
        });
      }
    } catch (e) {
      collect(e);
    }
    if (!recipe.cluster)
      issues.push({
        code: 'needs_cluster',
        path: 'select.incontext',
        message: 'in-context sampling is per cluster: the recipe needs `cluster`',
      });
  }
  issues.push(
    ...selectionIssues(recipe, outputs, late),
    ...pairsIssues(recipe, outputs, late),
    ...safetyIssues(recipe),
    ...exportIssues(recipe),
    ...referenceIssues(recipe),
  );
  recipe.select.rank.terms.forEach((t, i) => {
    if (!outputs.has(t.score)) {
      issues.push({
        code: late.has(t.score) ? 'late_output' : 'unknown_score',
        path: `select.rank.terms[${i}].score`,
        message: late.has(t.score)
          ? lateOutputMessage(t.score)
          : `no scorer in the recipe writes "${t.score}"; available: ${[...outputs].sort().join(', ')}`,
      });
    }
  });
  if (issues.length === 0) return;
  // Where the recipe sits in a request body (`recipe`): its issues' paths start there, as zod's do.
  const under = at ? issues.map((i) => ({ ...i, path: pathText([i.path], at) })) : issues;
  throw validationError('recipe', under);
}

/** What the strategy, dedup and weights need of the rest of the recipe. */
function selectionIssues(recipe: Recipe, outputs: Set<string>, late: Set<string>): Issue[] {
  const issues: Issue[] = [];
  const { strategy, dedup, weights } = recipe.select;
  const why = strategyOf(strategy).needs.cluster;
  if (why && !recipe.cluster) {
    issues.push({
      code: 'needs_cluster',
      path: 'select.strategy.id',
      message: `strategy "${strategy.id}" ${why}: the recipe needs \`cluster\``,
    });
  }
  if (dedup !== false && dedup.semantic && !recipe.cluster) {
    issues.push({
      code: 'needs_cluster',
      path: 'select.dedup.semantic',
      message: 'semantic dedup compares embeddings within clusters: the recipe needs `cluster`',
    });
  }
  issues.push(...reserveIssues(recipe, outputs, late));
  if (weights.score !== undefined && !outputs.has(weights.score) && !late.has(weights.score)) {
    issues.push({
      code: 'unknown_score',
      path: 'select.weights.score',
      message: `no scorer in the recipe writes "${weights.score}"; available: ${[...outputs, ...late].sort().join(', ')}`,
    });
  }
  return issues;
}

/**
 * Reserves: each score condition names a score some scorer writes, and reserves whose sizes are
 * known now fit the budget (a count budget; or shares of it summing to at most 100%). A budget that is
 * a share of the valid records is checked again when the job knows their count.
 */
function reserveIssues(recipe: Recipe, outputs: Set<string>, late: Set<string>): Issue[] {
  const { reserve, budget } = recipe.select;
  if (!reserve) return [];
  const issues: Issue[] = [];
  reserve.forEach((r, i) => {
    const score = r.where.score;
    if (score !== undefined && !outputs.has(score))
      issues.push({
        code: late.has(score) ? 'late_output' : 'unknown_score',
        path: `select.reserve[${i}].where.score`,
        message: late.has(score)
          ? lateOutputMessage(score)
          : `no scorer in the recipe writes "${score}"; available: ${[...outputs].sort().join(', ')}`,
      });
  });
  const counts = reserve.every((r) => typeof r.min === 'number');
  const shares = reserve.every((r) => typeof r.min === 'string');
  try {
    if (counts && typeof budget === 'number') reserveWanted(reserve, budget);
    // Shares of the budget: checked on a budget of 10^6 records (their sum, in whole records, is what counts).
    else if (shares) reserveWanted(reserve, 1_000_000);
  } catch (e) {
    const found = issuesOf(e);
    if (found.length === 0) throw e;
    issues.push(...found);
  }
  return issues;
}

/** A pairs recipe ranks by a score some scorer writes (or the data's own), and neither clusters nor selects. */
function pairsIssues(recipe: Recipe, outputs: Set<string>, late: Set<string>): Issue[] {
  const issues: Issue[] = [];
  const pairs = recipe.pairs;
  const pairFormat = isPairFormat(recipe.format);
  if (!pairs) {
    if (pairFormat)
      issues.push({
        code: 'needs_pairs',
        path: 'format',
        message: `"${recipe.format}" is preference data: the recipe needs \`pairs\``,
      });
    return issues;
  }
  if (!pairFormat && recipe.format !== 'auto')
    issues.push({
      code: 'format_mismatch',
      path: 'format',
      message: `a pairs recipe reads responses, response or trajectory records, not "${recipe.format}"`,
    });
  if (pairsScoreNeedsScorers(pairs) && !outputs.has(pairs.score)) {
    const written = [...outputs];
    issues.push({
      code: late.has(pairs.score) ? 'late_output' : 'unknown_score',
      path: 'pairs.score',
      message: late.has(pairs.score)
        ? lateOutputMessage(pairs.score)
        : `no scorer in the recipe writes "${pairs.score}"; use auto, given, trajectory or one of: ${written.sort().join(', ')}`,
    });
  }
  issues.push(
    ...conflicts(
      { cluster: recipe.cluster, ...selecting(recipe) },
      'a pairs recipe builds pairs instead of a selection: it neither clusters nor selects',
    ),
  );
  if (pairs.balanceTasks && pairs.budget === undefined)
    issues.push({
      code: 'needs_budget',
      path: 'pairs.balanceTasks',
      message: 'balancing spreads a budget over tasks: set pairs.budget',
    });
  return issues;
}

/**
 * A safety recipe runs plan, ingest and its safety stage only: it neither builds pairs nor clusters
 * nor selects, so a recipe asking for those as well is refused rather than half run.
 */
function safetyIssues(recipe: Recipe): Issue[] {
  if (!recipe.safety) return [];
  const what = recipe.safety.task === 'generate' ? 'generates defence data' : 'benchmarks a model';
  return conflicts(
    { pairs: recipe.pairs, cluster: recipe.cluster, ...selecting(recipe) },
    `a safety recipe ${what} instead of a selection: it neither builds pairs, clusters nor selects`,
  );
}

/** The selection's parts that only a selecting recipe runs, by path. */
function selecting(recipe: Recipe): Record<string, unknown> {
  return { 'select.incontext': recipe.select.incontext, 'select.reserve': recipe.select.reserve };
}

/** A `conflict` issue at each path whose part the recipe sets. */
function conflicts(parts: Record<string, unknown>, message: string): Issue[] {
  return Object.entries(parts).flatMap(([path, set]) => (set ? [{ code: 'conflict', path, message }] : []));
}

/** Export formats: each named once, and only those a pairs job can write (its rows are preference pairs). */
function exportIssues(recipe: Recipe): Issue[] {
  const issues: Issue[] = [];
  const { formats } = recipe.export;
  formats.forEach((f, i) => {
    if (formats.indexOf(f) < i)
      issues.push({
        code: 'duplicate',
        path: `export.formats[${i}]`,
        message: `"${f}" is listed twice (also at export.formats[${formats.indexOf(f)}])`,
      });
    else if (recipe.pairs && (f === 'alpaca' || f === 'sharegpt'))
      issues.push({
        code: 'conflict',
        path: `export.formats[${i}]`,
        message: `"${f}" holds one answer per prompt; a pairs job exports preference pairs: trl, llamafactory or axolotl`,
      });
  });
  if (recipe.pairs && recipe.format === 'trajectory' && formats.length > 0)
    issues.push({
      code: 'conflict',
      path: 'export.formats',
      message:
        'rollouts are not conversations: a trajectory pairs job has no trainer export (pairs.jsonl holds its pairs)',
    });
  return issues;
}
