import type { Turn } from '../../schemas/record.ts';

/** The assistant turns' text, joined by blank lines. */
export function assistantText(turns: readonly Turn[]): string {
  return turns
    .filter((t) => t.role === 'assistant')
    .map((t) => t.content)
    .join('\n\n');
}
