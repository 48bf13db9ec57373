import { z } from 'zod';

/**
 * Config of the `identity` scorer. With no `name`, `developer` or `aliases`, there is no target
 * identity: any claim to be a named model or to be made by a named vendor is contamination. Names
 * listed here (case-insensitive) are the assistant's own and never flagged, even if they are also
 * known identities (e.g. `aliases: ['Qwen']` when tuning Qwen).
 */
export const IdentityConfigSchema = z.strictObject({
  /** The target assistant's name, e.g. "Winnow Assistant". */
  name: z.string().min(1).nullable().default(null),
  /** Who made the target assistant, e.g. "Acme Labs". */
  developer: z.string().min(1).nullable().default(null),
  /** Other names of the target (short names, translations, product names). */
  aliases: z.array(z.string().min(1)).default([]),
  /** Score of a first-person claim to a known foreign identity ("I am ChatGPT", "我是文心一言"). */
  claimScore: z.number().min(0).max(1).default(0.95),
  /** Score of a first-person claim to an unknown name or maker that is not the target ("I am Nova, an AI assistant"). */
  otherClaimScore: z.number().min(0).max(1).default(0.8),
  /**
   * Score of generic AI self-reference ("As an AI language model, …", "作为一个人工智能语言模型"):
   * the distillation boilerplate; above the default recipe's 0.5 cut so it is filtered by default.
   */
  boilerplateScore: z.number().min(0).max(1).default(0.6),
  /** Score of a claim inside quotes or reported speech ('The bot said, "I am ChatGPT"'): below the cut. */
  quotedScore: z.number().min(0).max(1).default(0.4),
  /** Score of a prompt that tries to override or extract the identity, when the answer is clean. */
  overrideScore: z.number().min(0).max(1).default(0.35),
  /** Score of a prompt that asks who the assistant is, when the answer is clean or consistent. */
  probeScore: z.number().min(0).max(1).default(0.2),
});
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;
