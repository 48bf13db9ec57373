import type { Turn } from '../../../schemas/record.ts';

/** Which part of a conversation a learning scorer reads. */
export type TextField = 'answer' | 'instruction' | 'both';

/**
 * The texts of a record for `field`: `answer` → the assistant turns, `instruction` → the user turns
 * (each joined by blank lines); `both` → [instruction, answer]. System turns are never read.
 */
export function fieldTexts(turns: readonly Turn[], field: TextField): string[] {
  const join = (role: Turn['role']) =>
    turns
      .filter((t) => t.role === role)
      .map((t) => t.content)
      .join('\n\n');
  if (field === 'answer') return [join('assistant')];
  if (field === 'instruction') return [join('user')];
  return [join('user'), join('assistant')];
}
