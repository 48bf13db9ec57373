import type { z } from 'zod';
import {
  AlpacaRowSchema,
  MessagesRowSchema,
  type RecordFormat,
  ShareGptRowSchema,
  type Turn,
} from '../../schemas/record.ts';

export type Converted = { ok: true; turns: Turn[] } | { ok: false; message: string; path?: string };

export const ROW_SCHEMAS = {
  alpaca: AlpacaRowSchema,
  sharegpt: ShareGptRowSchema,
  messages: MessagesRowSchema,
} as const;

const SHAREGPT_ROLES: Record<string, Turn['role']> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
};

type Row<F extends RecordFormat> = z.infer<(typeof ROW_SCHEMAS)[F]>;

/** Turn a validated row into normalized turns, checking what the schemas cannot. */
export function toTurns<F extends RecordFormat>(format: F, row: Row<F>): Converted {
  if (format === 'alpaca') {
    const { instruction, input, output } = row as Row<'alpaca'>;
    if (instruction.trim() === '') return { ok: false, message: 'instruction is blank', path: 'instruction' };
    const user = input !== undefined && input.trim() !== '' ? `${instruction}\n\n${input}` : instruction;
    return {
      ok: true,
      turns: [
        { role: 'user', content: user },
        { role: 'assistant', content: output },
      ],
    };
  }
  if (format === 'sharegpt') {
    const turns = (row as Row<'sharegpt'>).conversations.map((c) => ({
      role: SHAREGPT_ROLES[c.from],
      content: c.value,
    }));
    return checkConversation(turns, 'conversations');
  }
  const turns = (row as Row<'messages'>).messages.map((m) => ({ role: m.role, content: m.content }));
  return checkConversation(turns, 'messages');
}

/** A conversation needs at least one user and one assistant turn with non-blank content. */
function checkConversation(turns: Turn[], field: string): Converted {
  let user = 0;
  let assistant = 0;
  for (const t of turns) {
    if (t.content.trim() === '') continue;
    if (t.role === 'user') user++;
    else if (t.role === 'assistant') assistant++;
  }
  if (user > 0 && assistant > 0) return { ok: true, turns };
  const missing = [user === 0 ? 'user' : '', assistant === 0 ? 'assistant' : ''].filter(Boolean).join(' or ');
  return {
    ok: false,
    path: field,
    message: `${field}: no ${missing} turn with non-empty content (needs at least one user and one assistant turn)`,
  };
}
