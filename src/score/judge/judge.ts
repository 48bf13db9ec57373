import { z } from 'zod';
import { requireProvider } from '../../providers/index.ts';
import type { ChatResponse } from '../../providers/types.ts';
import { perRecord } from '../per-record.ts';
import type { ScoreRow, Scorer } from '../types.ts';
import { expectedRating } from './expected-rating.ts';
import { explanation, parseRating } from './parse-rating.ts';
import { judgeMessages } from './prompt.ts';

export const JudgeConfigSchema = z.strictObject({
  /** The recipe provider (`providers.<name>`) that serves the judge model. */
  provider: z.string().min(1),
  /** Top log-probs to ask for at each generated token (0: none); the score becomes an expectation. */
  topLogprobs: z.number().int().min(0).max(20).default(10),
  maxTokens: z.number().int().min(8).max(4096).default(256),
  /** The note keeps this many characters of the judge's explanation. */
  noteChars: z.number().int().min(0).max(2000).default(200),
});
export type JudgeConfig = z.infer<typeof JudgeConfigSchema>;

const MAX = 5;
const nan = (flag: string, note: string): ScoreRow => ({
  scores: { judge: Number.NaN, judge_p: Number.NaN },
  flags: [flag],
  note,
});

/** One judge answer as a row: the parsed (or log-prob expected) score, or a `judge_unparsed` flag. */
export function judgeRow(res: ChatResponse, noteChars: number): ScoreRow {
  const parsed = parseRating(res.text, 0, MAX);
  if (!parsed) return nan('judge_unparsed', `judge: ${explanation(res.text, null, noteChars)}`);
  const judge = expectedRating(res.logprobs, parsed, 0, MAX) ?? parsed.value;
  return { scores: { judge, judge_p: judge / MAX }, note: explanation(res.text, parsed, noteChars) };
}

/**
 * `judge` (AlpaGasus, Chen et al. 2023): an LLM rates the accuracy and helpfulness of the response to
 * the instruction on 0–5 (`Score: x`, then an explanation). When the endpoint returns top log-probs at
 * the score token, `judge` is the expected score Σ p(d)·d over the digit tokens (renormalized), else
 * the written score. `judge_p` = judge / 5. Unparseable answers score NaN with flag `judge_unparsed`.
 */
export const judgeScorer: Scorer<JudgeConfig> = {
  id: 'judge',
  version: 1,
  kind: 'model',
  description:
    'AlpaGasus-style LLM judge: accuracy/helpfulness of the response on 0-5 (expected score from log-probs).',
  config: JudgeConfigSchema,
  outputs: ['judge', 'judge_p'],
  async score(batch, config, ctx) {
    const provider = requireProvider(ctx.providers, config.provider, 'judge');
    const rejected = (note: string) => ({ scores: { judge: Number.NaN, judge_p: Number.NaN }, note });
    return perRecord(batch, 'judge', rejected, async ({ instruction, answer }) => {
      const res = await provider.chat({
        messages: judgeMessages(instruction, answer),
        maxTokens: config.maxTokens,
        temperature: 0,
        topLogprobs: config.topLogprobs || undefined,
      });
      return judgeRow(res, config.noteChars);
    });
  },
};
