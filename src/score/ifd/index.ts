export { type IfdConfig, IfdConfigSchema, ifdScorer, meanLoss } from './ifd.ts';
export { alpacaExample, alpacaPrompt, type Example, splitExample } from './template.ts';
