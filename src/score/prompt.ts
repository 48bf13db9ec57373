import type { Turn } from '../../schemas/record.ts';

/**
 * The Alpaca-style prompt the log-prob scorers (IFD, golden) condition on: an answer follows
 * `### Instruction:\n{instruction}\n\n### Response:\n` directly.
 */
export function alpacaPrompt(instruction: string): string {
  return `### Instruction:\n${instruction}\n\n### Response:\n`;
}

/** A demonstration: the prompt and its answer, as it is prepended for one-shot scoring. */
export function alpacaExample(instruction: string, answer: string): string {
  return `${alpacaPrompt(instruction)}${answer}`;
}

/** The example under review, as the judge and self-critique prompts show it. */
export function exampleBlock(instruction: string, response: string): string[] {
  return ['### Instruction:', instruction, '', '### Response:', response, ''];
}

export interface Example {
  instruction: string;
  answer: string;
}

/**
 * Instruction and answer of a conversation: the answer is the last assistant turn; the instruction is
 * everything before it (a lone user turn as it is; longer histories as `User: …` / `Assistant: …` /
 * `System: …` paragraphs). No assistant turn: the answer is empty.
 */
export function splitExample(turns: readonly Turn[]): Example {
  let k = turns.length - 1;
  while (k >= 0 && turns[k].role !== 'assistant') k--;
  const answer = k >= 0 ? turns[k].content : '';
  const before = k >= 0 ? turns.slice(0, k) : turns;
  if (before.length === 1 && before[0].role === 'user') return { instruction: before[0].content, answer };
  const label = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return { instruction: before.map((t) => `${label[t.role]}: ${t.content}`).join('\n\n'), answer };
}
