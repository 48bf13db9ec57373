export { type HeuristicsConfig, HeuristicsConfigSchema } from './config.ts';
export { heuristicsScorer } from './heuristics.ts';
export { evaluate, type Hit, PENALTY, type Rule } from './rules.ts';
