export { alpacaExample, alpacaPrompt, type Example, splitExample } from '../prompt.ts';
export { type IfdConfig, IfdConfigSchema, ifdScorer, meanLoss } from './ifd.ts';
