export { DEFAULT_SAMPLE, type DryRunOptions, dryRun } from './dry-run.ts';
export { dryRunText, overBudgetLines } from './format.ts';
export { CHARS_PER_TOKEN, modelUses, projectUse, tokensOf } from './model-uses.ts';
export { offlineRecipe, sampleBudget } from './offline-recipe.ts';
export { projectSelection, providerLoads } from './project.ts';
export { HashSample, sampleKey } from './sample.ts';
