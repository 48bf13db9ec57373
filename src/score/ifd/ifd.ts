import { z } from 'zod';
import { requireProvider } from '../../providers/index.ts';
import { perRecord } from '../per-record.ts';
import { alpacaPrompt } from '../prompt.ts';
import type { ScoreRow, Scorer } from '../types.ts';

export const IfdConfigSchema = z.strictObject({
  /** The recipe provider: an OpenAI-compatible server returning prompt log-probs (vLLM). */
  provider: z.string().min(1),
});
export type IfdConfig = z.infer<typeof IfdConfigSchema>;

/** −mean of the log-probs: the mean cross-entropy loss per token (NaN for none). */
export function meanLoss(logprobs: readonly number[]): number {
  if (logprobs.length === 0) return Number.NaN;
  let s = 0;
  for (const l of logprobs) s += l;
  return -s / logprobs.length;
}

/**
 * `ifd`, Instruction-Following Difficulty (Li et al. 2023, "From Quantity to Quality", Cherry LLM):
 *
 *   ifd = s(A | Q) / s(A),  s(A | Q) = −mean ln p(answer tokens | alpacaPrompt(Q)),
 *                           s(A)     = −mean ln p(answer tokens | nothing)
 *
 * `ifd_loss` = s(A | Q). The unconditioned answer is sent with an empty context, so its first token
 * has no log-prob (no BOS token in the echoed text) and s(A) averages over the remaining tokens; a
 * server that adds a BOS token returns that first log-prob too. High IFD: the instruction helps little,
 * so the example is hard; IFD > 1 (flag `ifd_gt_1`): the instruction makes the answer less likely,
 * a misaligned pair, which Cherry filters out. An answer with no scorable tokens: NaN, flag `ifd_empty`.
 */
export const ifdScorer: Scorer<IfdConfig> = {
  id: 'ifd',
  version: 1,
  kind: 'model',
  description:
    'Instruction-Following Difficulty (Cherry LLM): answer loss given the instruction / answer loss alone.',
  config: IfdConfigSchema,
  outputs: ['ifd', 'ifd_loss'],
  async score(batch, config, ctx) {
    const provider = requireProvider(ctx.providers, config.provider, 'ifd');
    const rejected = (note: string) => ({ scores: { ifd: Number.NaN, ifd_loss: Number.NaN }, note });
    return perRecord(batch, 'ifd', rejected, async ({ instruction, answer }): Promise<ScoreRow> => {
      const [conditioned, alone] = await Promise.all([
        provider.continuationLogprobs(alpacaPrompt(instruction), answer),
        provider.continuationLogprobs('', answer),
      ]);
      const ifdLoss = meanLoss(conditioned);
      const ifd = ifdLoss / meanLoss(alone);
      if (!Number.isFinite(ifd)) {
        return { scores: { ifd: Number.NaN, ifd_loss: ifdLoss }, flags: ['ifd_empty'] };
      }
      return ifd > 1
        ? { scores: { ifd, ifd_loss: ifdLoss }, flags: ['ifd_gt_1'] }
        : { scores: { ifd, ifd_loss: ifdLoss } };
    });
  },
};
