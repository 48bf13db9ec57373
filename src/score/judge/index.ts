export { expectedRating, ratingDistribution } from './expected-rating.ts';
export { type JudgeConfig, JudgeConfigSchema, judgeRow, judgeScorer } from './judge.ts';
export { explanation, type ParsedRating, parseRating } from './parse-rating.ts';
export { JUDGE_SYSTEM, judgeMessages } from './prompt.ts';
