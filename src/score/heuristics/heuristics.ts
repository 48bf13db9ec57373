import type { Turn } from '../../../schemas/record.ts';
import type { Scorer } from '../types.ts';
import { type HeuristicsConfig, HeuristicsConfigSchema } from './config.ts';
import { evaluate, PENALTY } from './rules.ts';

/** The assistant turns joined by blank lines (no allocation for the common single-answer record). */
function answerOf(turns: readonly Turn[]): string {
  let out: string | null = null;
  for (const t of turns)
    if (t.role === 'assistant') out = out === null ? t.content : `${out}\n\n${t.content}`;
  return out ?? '';
}
/** The last user turn: the instruction (and input) the answer responds to. */
function instructionOf(turns: readonly Turn[]): string {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i].role === 'user') return turns[i].content;
  return '';
}

/**
 * Rule-based quality of an instruction/answer pair, after Gopher, C4 and FineWeb, adapted to short
 * answers. `heuristics` = product of the fired rules' penalties (1 = clean, 0 = empty answer); `junk` = 1
 * when a hard rule fired (empty, refusal, echo, cut-off mid-sentence, degenerate repetition, gibberish,
 * web boilerplate, unbalanced code fence). Flags name the fired rules; the note gives measured vs threshold.
 */
export const heuristicsScorer: Scorer<HeuristicsConfig> = {
  id: 'heuristics',
  version: 2,
  description:
    'Gopher/C4/FineWeb-style rules adapted to instruction data: empty, cut-off, repetitive, gibberish, echoing, refusing or boilerplate answers.',
  kind: 'offline',
  config: HeuristicsConfigSchema,
  outputs: ['heuristics', 'junk'],
  score(batch, config) {
    return batch.map((r) => {
      const hits = evaluate(answerOf(r.turns), instructionOf(r.turns), config);
      if (hits.length === 0) return { scores: { heuristics: 1, junk: 0 } };
      let score = 1;
      let junk = 0;
      const flags: string[] = [];
      const notes: string[] = [];
      for (const h of hits) {
        score *= PENALTY[h.rule][h.hard ? 1 : 0];
        if (h.hard) junk = 1;
        if (!flags.includes(h.rule)) flags.push(h.rule);
        notes.push(`${h.rule}${h.hard ? '!' : ''}: ${h.note}`);
      }
      return { scores: { heuristics: score, junk }, flags, note: notes.join('; ') };
    });
  },
};
