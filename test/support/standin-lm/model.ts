import { readFileSync } from 'node:fs';
import { dataFile } from '../data.ts';
import { type NgramModel, type NgramOptions, trainNgram } from './ngram.ts';
import { type Tokenized, tokenize } from './tokenizer.ts';

export const SEED_TASKS = dataFile('alpaca-seed-tasks.jsonl');

/** The documents the stand-in learns from: each seed task's instruction, inputs and outputs. */
export function seedCorpus(path = SEED_TASKS): string[] {
  const docs: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const task = JSON.parse(line) as { instruction: string; instances: { input: string; output: string }[] };
    for (const inst of task.instances) {
      docs.push([task.instruction, inst.input, inst.output].filter((s) => s.trim() !== '').join('\n\n'));
    }
  }
  return docs;
}

export interface PromptLogprobs extends Tokenized {
  /** ln p of each token given the text before it; null for the first token. */
  logprobs: (number | null)[];
}

export interface JudgeVerdict {
  /** The rating the judge writes: the rounded `exact`. */
  rating: number;
  /** lo + quality·(hi - lo), quality = min(1, words/40)·sqrt(distinct/words) (0 for no words). */
  exact: number;
  explanation: string;
  /** ln p of each rating lo..hi at the rating position: softmax of -1.5·|d - exact|, best first. */
  digits: { token: string; logprob: number }[];
}

export interface StandinModel {
  readonly ngram: NgramModel;
  tokenize(text: string): Tokenized;
  /** What the server returns for an echoed prompt: tokens, code-point offsets, log-probs. */
  promptLogprobs(text: string): PromptLogprobs;
  /** The judge's deterministic verdict on a rated text, on the scale lo..hi. */
  judge(text: string, lo: number, hi: number): JudgeVerdict;
}

export function createModel(docs: readonly string[] = seedCorpus(), opts: NgramOptions = {}): StandinModel {
  const ngram = trainNgram(
    docs.map((d) => tokenize(d).tokens),
    opts,
  );
  return {
    ngram,
    tokenize,
    promptLogprobs(text) {
      const t = tokenize(text);
      return { ...t, logprobs: ngram.sequenceLogprobs(t.tokens) };
    },
    judge(text, lo, hi) {
      const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      const n = words.length;
      const quality = n === 0 ? 0 : Math.min(1, n / 40) * Math.sqrt(new Set(words).size / n);
      const exact = lo + quality * (hi - lo);
      const rating = Math.round(exact);
      const z: number[] = [];
      for (let d = lo; d <= hi; d++) z.push(-1.5 * Math.abs(d - exact));
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
      const digits = z.map((x, i) => ({ token: String(lo + i), logprob: x - lse }));
      digits.sort((a, b) => b.logprob - a.logprob || Number(a.token) - Number(b.token));
      const adj = quality > 0.75 ? 'detailed and relevant' : quality > 0.4 ? 'adequate' : 'too brief';
      return { rating, exact, explanation: `The answer is ${adj} (${n} words).`, digits };
    },
  };
}
