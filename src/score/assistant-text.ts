import type { Turn } from '../../schemas/record.ts';
import { words } from './words.ts';

/** The assistant turns' text, joined by blank lines. */
export function assistantText(turns: readonly Turn[]): string {
  return turns
    .filter((t) => t.role === 'assistant')
    .map((t) => t.content)
    .join('\n\n');
}

/** Tokenized answers, per turns array: scorers of one record share one tokenization. */
const tokenized = new WeakMap<readonly Turn[], string[]>();

/** `words(assistantText(turns))`, computed once per record however many scorers ask. Do not mutate. */
export function assistantWords(turns: readonly Turn[]): string[] {
  let ws = tokenized.get(turns);
  if (!ws) {
    ws = words(assistantText(turns));
    tokenized.set(turns, ws);
  }
  return ws;
}
