export {
  createModel,
  type JudgeVerdict,
  type PromptLogprobs,
  type StandinModel,
  seedCorpus,
} from './model.ts';
export { type NgramModel, trainNgram } from './ngram.ts';
export { standinProviders } from './providers.ts';
export { type AlpacaRow, DATA, readAlpaca, scoreInput } from './records.ts';
export {
  type Failure,
  type Standin,
  type StandinOptions,
  type StandinStats,
  startStandin,
} from './server.ts';
export { tokenize } from './tokenizer.ts';
