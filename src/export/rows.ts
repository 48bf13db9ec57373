import type { Turn } from '../../schemas/record.ts';

/**
 * The rows of the trainer-ready files (docs/exports.md), as pure functions of a record that ingest
 * already normalised into turns (src/formats/to-turns.ts): nothing here reads a format a second time,
 * except an Alpaca record's own `instruction`, `input` and `system` fields, which the Alpaca row keeps
 * as they were given. Every row of a file has the same keys with the same types, so that
 * `datasets.load_dataset("json", …)`, DuckDB or pandas infer one type per column.
 */

/** A message as every trainer format writes it: role, then content, and nothing else. */
export interface Message {
  role: Turn['role'];
  content: string;
}

/**
 * A conversation trainers accept: an optional system prompt, then user and assistant turns
 * alternating from a user turn. A training conversation ends with the assistant; a pair's prompt
 * with the user.
 */
export interface Conversation {
  /** The system prompt; '' when there is none. */
  system: string;
  /** user, assistant, user, … (system turns are never here). */
  turns: Message[];
}

/** What a row is built from: a valid record as ingest wrote it (`records.jsonl`), with its input row (`rows.jsonl`). */
export interface RowSource {
  format: string;
  turns: readonly Turn[];
  record?: unknown;
}

/** Why a selected record is not in the trainer files. */
export const NOT_EXPORTED_REASONS = [
  /** A system turn that is not the first turn (or a second one). */
  'misplaced_system',
  /** User and assistant turns do not alternate from a user turn. */
  'not_alternating',
  /** A training conversation whose last turn is the user's: there is no answer to learn. */
  'ends_with_user',
  /** A pair's prompt whose last turn is the assistant's: there is nothing to answer. */
  'prompt_ends_with_assistant',
  /** A pair whose prompt or answers are not chat text (a rollout). */
  'not_chat',
] as const;
export type NotExportedReason = (typeof NOT_EXPORTED_REASONS)[number];

export type Checked =
  | { ok: true; conversation: Conversation }
  | { ok: false; reason: NotExportedReason; message: string };

const fail = (reason: NotExportedReason, message: string): Checked => ({ ok: false, reason, message });

/**
 * Split off the system prompt and check that the rest alternates user, assistant, … from a user turn,
 * ending with `last`. Turns are kept as they are (contents untouched, blank ones included).
 */
export function checkTurns(turns: readonly Turn[], last: 'assistant' | 'user'): Checked {
  let at = 0;
  let system = '';
  if (turns[0]?.role === 'system') {
    system = turns[0].content;
    at = 1;
  }
  const rest: Message[] = [];
  for (let i = at; i < turns.length; i++) {
    const { role, content } = turns[i];
    if (role === 'system')
      return fail(
        'misplaced_system',
        `turn ${i} is a system turn: a system prompt can only be the first turn`,
      );
    const expected = rest.length % 2 === 0 ? 'user' : 'assistant';
    if (role !== expected)
      return fail('not_alternating', `turn ${i} is the ${role}'s, expected the ${expected}'s`);
    rest.push({ role, content });
  }
  const end = rest.at(-1)?.role;
  if (end === undefined) return fail('not_alternating', 'no user turn');
  if (end !== last)
    return last === 'assistant'
      ? fail('ends_with_user', "the last turn is the user's: no answer to train on")
      : fail('prompt_ends_with_assistant', "the prompt's last turn is the assistant's: nothing to answer");
  return { ok: true, conversation: { system, turns: rest } };
}

/** A string field of an Alpaca record as given ('' when absent or not a string). */
function field(record: unknown, key: string): string {
  const v = (record as Record<string, unknown> | null)?.[key];
  return typeof v === 'string' ? v : '';
}

/**
 * A selected record as a training conversation. An Alpaca record's `system` field (LLaMA-Factory's
 * column) becomes the system prompt; ingest does not read it, so it is not part of what was scored.
 */
export function trainConversation(src: RowSource): Checked {
  const checked = checkTurns(src.turns, 'assistant');
  if (!checked.ok || src.format !== 'alpaca') return checked;
  const system = field(src.record, 'system');
  return system.trim() === '' ? checked : { ok: true, conversation: { ...checked.conversation, system } };
}

/** The conversation as a message list: the system prompt first, when there is one. */
export function messagesOf(c: Conversation): Message[] {
  return c.system === '' ? c.turns : [{ role: 'system', content: c.system }, ...c.turns];
}

/** `train.jsonl` (trl): TRL's conversational format, `{"messages": [...]}` and an optional weight. */
export function trlRow(c: Conversation, weight?: number): { messages: Message[]; weight?: number } {
  return weight === undefined ? { messages: messagesOf(c) } : { messages: messagesOf(c), weight };
}

export interface AlpacaRow {
  instruction: string;
  input: string;
  output: string;
  system: string;
  /** Earlier turns as [user, assistant] pairs, oldest first. */
  history: [string, string][];
  weight?: number;
}

/**
 * `train.alpaca.jsonl`: LLaMA-Factory's alpaca columns. The last exchange is instruction and output,
 * the earlier ones history. An Alpaca record keeps its own instruction and input apart (ingest joined
 * them into one user turn); any other record's last user turn is the instruction, with input ''.
 */
export function alpacaRow(c: Conversation, src: RowSource, weight?: number): AlpacaRow {
  const n = c.turns.length;
  const history: [string, string][] = [];
  for (let i = 0; i + 3 < n; i += 2) history.push([c.turns[i].content, c.turns[i + 1].content]);
  const own = src.format === 'alpaca' && n === 2;
  // As ingest reads it: a blank input is no input.
  const input = own ? field(src.record, 'input') : '';
  const row: AlpacaRow = {
    instruction: own ? field(src.record, 'instruction') : c.turns[n - 2].content,
    input: input.trim() === '' ? '' : input,
    output: c.turns[n - 1].content,
    system: c.system,
    history,
  };
  if (weight !== undefined) row.weight = weight;
  return row;
}

export interface ShareGptRow {
  conversations: { from: 'human' | 'gpt'; value: string }[];
  system: string;
  weight?: number;
}

/** `train.sharegpt.jsonl`: `{"conversations": [{"from": "human" | "gpt", "value"}], "system"}`. */
export function sharegptRow(c: Conversation, weight?: number): ShareGptRow {
  const row: ShareGptRow = {
    conversations: c.turns.map((t) => ({ from: t.role === 'user' ? 'human' : 'gpt', value: t.content })),
    system: c.system,
  };
  if (weight !== undefined) row.weight = weight;
  return row;
}

/** A pair of pairs.jsonl as the trainer rows see it: its prompt and the two answers. */
export interface PairSource {
  prompt: unknown;
  chosen: unknown;
  rejected: unknown;
}

export type CheckedPair =
  | { ok: true; prompt: Conversation; chosen: string; rejected: string }
  | { ok: false; reason: NotExportedReason; message: string };

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' &&
  m !== null &&
  ['system', 'user', 'assistant'].includes((m as Message).role) &&
  typeof (m as Message).content === 'string';

/** An answer of pairs.jsonl as text: a string, or one assistant message in a list (TRL's conversational form). */
function answerText(a: unknown): string | null {
  if (typeof a === 'string') return a;
  if (Array.isArray(a) && a.length === 1 && isMessage(a[0]) && a[0].role === 'assistant') return a[0].content;
  return null;
}

/**
 * A pairs.jsonl line as a chat pair (docs/pairs.md): its prompt a string (one user turn) or a message
 * list, its answers strings or one assistant message each. A rollout pair (its prompt a task, its
 * answers rollouts or their keys) is not chat.
 */
export function checkPair(p: PairSource): CheckedPair {
  const chosen = answerText(p.chosen);
  const rejected = answerText(p.rejected);
  if (chosen === null || rejected === null)
    return { ok: false, reason: 'not_chat', message: 'chosen and rejected are not text (a rollout pair)' };
  let turns: Turn[];
  if (typeof p.prompt === 'string') turns = [{ role: 'user', content: p.prompt }];
  else if (Array.isArray(p.prompt) && p.prompt.every(isMessage)) turns = p.prompt;
  else return { ok: false, reason: 'not_chat', message: 'the prompt is neither text nor a message list' };
  const checked = checkTurns(turns, 'user');
  if (!checked.ok) return checked;
  return { ok: true, prompt: checked.conversation, chosen, rejected };
}

const answer = (content: string): Message => ({ role: 'assistant', content });

/** `train.jsonl` of a pairs job (trl): TRL's conversational preference format. */
export function trlPairRow(prompt: Conversation, chosen: string, rejected: string) {
  return { prompt: messagesOf(prompt), chosen: [answer(chosen)], rejected: [answer(rejected)] };
}

/**
 * `train.ranking.jsonl` (llamafactory, pairs job): LLaMA-Factory's ranking format, whose chosen and
 * rejected are one message each (it reads them as objects, not lists).
 */
export function rankingRow(prompt: Conversation, chosen: string, rejected: string) {
  return { messages: messagesOf(prompt), chosen: answer(chosen), rejected: answer(rejected) };
}

/**
 * One JSONL line for a row. A `weight` is written as a JSON number with a fraction (`1.0`, never
 * `1`), so that readers that infer types from the text (DuckDB, pyarrow, pandas) read a float column
 * even when every weight is whole. Weights are finite (weights.jsonl clips them).
 */
export function rowLine(row: object & { weight?: number }): string {
  const { weight, ...rest } = row;
  const text = JSON.stringify(rest);
  if (weight === undefined) return text;
  if (!Number.isFinite(weight)) throw new RangeError(`weight must be a finite number, got ${weight}`);
  const num = Number.isInteger(weight) ? weight.toFixed(1) : String(weight);
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"weight":${num}}`;
}
