import type { SafetyIdentity, SafetyRow } from '../../schemas/safety.ts';
import { HeuristicsConfigSchema, heuristicsScorer } from '../score/heuristics/index.ts';
import { scoreIdentity } from '../score/identity/index.ts';
import type { ScoreRow } from '../score/types.ts';
import { identityConfig, identityTerms } from './identity.ts';

/** Why a generated record is not kept; null when it passes. */
export interface Rejection {
  reason:
    | 'prompt_not_flagged'
    | 'answer_contamination'
    | 'answer_not_in_identity'
    | 'answer_junk'
    | 'near_duplicate'
    | 'duplicate'
    | 'paraphrase_failed'
    | 'surplus';
  detail: string;
}

/**
 * The checks every generated record passes before it is kept, with the identity configured as a job
 * mixing it in would configure it:
 * - its user turns are flagged by the identity scorer as an attack (`identity_override`) or a probe;
 * - the whole record scores below the default cut (0.5) for identity contamination, so no answer
 *   claims another identity or speaks the generic boilerplate;
 * - its last answer names the assistant (its name, an alias or its developer);
 * - the heuristics scorer finds no junk in it (a refusal, an echo, a cut-off answer).
 */
export function makeChecker(identity: SafetyIdentity): (row: SafetyRow) => Rejection | null {
  const cfg = identityConfig(identity);
  const terms = identityTerms(identity);
  const heuristics = HeuristicsConfigSchema.parse({});
  return (row) => {
    const turns = row.messages;
    const users = turns.filter((t) => t.role === 'user');
    const prompt = scoreIdentity(
      users.map((t) => ({ role: 'user' as const, content: t.content })),
      cfg,
      terms,
    );
    if (!prompt.flags?.some((f) => f === 'identity_override' || f === 'identity_probe'))
      return {
        reason: 'prompt_not_flagged',
        detail: 'the identity scorer flags no attack or probe in the prompt',
      };
    const whole = scoreIdentity(turns, cfg, terms);
    if (whole.scores.identity >= 0.5)
      return {
        reason: 'answer_contamination',
        detail: `identity ${whole.scores.identity} (${(whole.flags ?? []).join(', ')}): ${whole.note ?? ''}`,
      };
    const last = turns.at(-1);
    if (last?.role !== 'assistant')
      return { reason: 'answer_not_in_identity', detail: 'the record does not end with an answer' };
    const text = last.content.toLowerCase();
    if (!terms.some((t) => text.includes(t)))
      return {
        reason: 'answer_not_in_identity',
        detail: `the answer names neither ${identity.name} nor ${identity.developer}${identity.aliases.length ? ' nor an alias' : ''}`,
      };
    const [h] = heuristicsScorer.score([{ id: '', hash: '', turns }], heuristics, { seed: 0 }) as ScoreRow[];
    if (h.scores.junk === 1)
      return { reason: 'answer_junk', detail: `heuristics: ${h.note ?? (h.flags ?? []).join(', ')}` };
    return null;
  };
}
