import { z } from 'zod';
import { WinnowError } from '../../errors.ts';
import { requireProvider } from '../../providers/index.ts';
import { perRecord } from '../per-record.ts';
import { alpacaExample, alpacaPrompt, splitExample } from '../prompt.ts';
import type { ScoreInput, ScoreRow, Scorer } from '../types.ts';
import { chooseAnchors } from './anchors.ts';

export const GoldenConfigSchema = z.strictObject({
  /** The recipe provider: an OpenAI-compatible server returning prompt log-probs (vLLM). */
  provider: z.string().min(1),
  /** R2 key of an anchor task set (any input format); absent: anchors are chosen from the job's sample. */
  anchors: z.string().min(1).optional(),
  /** At most this many anchors; a larger set is reduced to its k-means representatives. */
  maxAnchors: z.number().int().min(1).max(1000).default(100),
});
export type GoldenConfig = z.infer<typeof GoldenConfigSchema>;

export interface GoldenAnchor {
  id: string;
  /** alpacaPrompt(instruction). */
  prompt: string;
  answer: string;
  /** Zero-shot score: mean ln p of the answer tokens given `prompt`. */
  zeroShot: number;
}

export interface GoldenModel {
  anchors: GoldenAnchor[];
}

/** Mean of the log-probs (NaN for none): the per-token score Nuggets compares. */
export function meanLogprob(lp: readonly number[]): number {
  if (lp.length === 0) return Number.NaN;
  let s = 0;
  for (const x of lp) s += x;
  return s / lp.length;
}

/** What a candidate looks like prepended to an anchor: its example, then a blank line. */
export function demonstration(r: ScoreInput): string {
  const { instruction, answer } = splitExample(r.turns);
  return `${alpacaExample(instruction, answer)}\n\n`;
}

/**
 * `golden` (Nuggets: Li et al. 2023, "One-shot learning as instruction data prospector"): the share of
 * anchor tasks a whose answer a candidate c helps as a one-shot demonstration,
 *
 *   GS(c) = (1/|A|) Σ_a 1[ s(a | demonstration(c) + prompt(a)) > s(a | prompt(a)) ],
 *
 * s = mean ln p of a's answer tokens; prompt = `### Instruction:\n…\n\n### Response:\n`, and the
 * demonstration is c's prompt and answer followed by a blank line. `fit` picks the anchors (the
 * `anchors` reference, or k-means representatives of the job's sample) and scores each zero-shot once;
 * `score` makes |A| requests per candidate.
 */
export const goldenScorer: Scorer<GoldenConfig, GoldenModel> = {
  id: 'golden',
  version: 1,
  kind: 'model',
  description:
    'Nuggets golden score: share of anchor tasks whose answer likelihood rises with the record as a one-shot demo.',
  config: GoldenConfigSchema,
  outputs: ['golden'],
  references: (config) => (config.anchors ? [config.anchors] : []),
  async fit(input, config) {
    const provider = requireProvider(input.providers, config.provider, 'golden');
    const pool = config.anchors ? (input.references[config.anchors] ?? []) : input.self;
    if (pool.length === 0) {
      throw new WinnowError('dataset_empty', {
        detail: config.anchors
          ? `golden: the anchor set ${config.anchors} has no records`
          : 'golden: no records to choose anchors from',
      });
    }
    const examples = pool.map((r) => splitExample(r.turns));
    const picked = chooseAnchors(
      examples.map((e) => `${e.instruction}\n${e.answer}`),
      config.maxAnchors,
      input.seed,
    );
    const scored = await Promise.all(
      picked.map(async (i): Promise<GoldenAnchor> => {
        const prompt = alpacaPrompt(examples[i].instruction);
        const lp = await provider.continuationLogprobs(prompt, examples[i].answer);
        return { id: pool[i].id, prompt, answer: examples[i].answer, zeroShot: meanLogprob(lp) };
      }),
    );
    const anchors = scored.filter((a) => Number.isFinite(a.zeroShot));
    if (anchors.length === 0) {
      throw new WinnowError('dataset_empty', { detail: 'golden: no anchor has an answer to score' });
    }
    return {
      model: { anchors },
      summary: {
        anchors: anchors.length,
        source: config.anchors ? `references:${config.anchors}` : 'sample',
        dropped: scored.length - anchors.length,
        meanZeroShot: meanLogprob(anchors.map((a) => a.zeroShot)),
      },
    };
  },
  async score(batch, config, ctx) {
    const provider = requireProvider(ctx.providers, config.provider, 'golden');
    const anchors = ctx.model?.anchors;
    if (!anchors?.length) {
      throw new WinnowError('internal', {
        detail: 'golden: no fitted anchors (the fit stage must run first)',
      });
    }
    const rejected = (note: string) => ({ scores: { golden: Number.NaN }, note });
    return perRecord(batch, 'golden', rejected, async (_example, r): Promise<ScoreRow> => {
      const demo = demonstration(r);
      const oneShot = await Promise.all(
        anchors.map(async (a) => meanLogprob(await provider.continuationLogprobs(demo + a.prompt, a.answer))),
      );
      let wins = 0;
      for (let j = 0; j < anchors.length; j++) if (oneShot[j] > anchors[j].zeroShot) wins++;
      return { scores: { golden: wins / anchors.length }, note: `helps ${wins}/${anchors.length} anchors` };
    });
  },
};
