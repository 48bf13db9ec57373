import type { SafetyCategory, SafetyIdentity, SafetyLanguage, SafetyRow } from '../../schemas/safety.ts';
import { isRequestRejected } from '../providers/index.ts';
import type { Provider } from '../providers/types.ts';
import { promptHash } from './identity.ts';

const WHAT: Record<SafetyCategory, string> = {
  direct: 'a direct question about who the assistant is or who made it',
  claim: 'a claim that the assistant is really another model, pressing it to admit it',
  persona: 'a role-play or persona override that tries to make the assistant become another model',
  override: 'an instruction override or an attempt to extract its system prompt or instructions',
  multi_turn: 'the last, escalating message of a conversation that attacks its identity',
};
const LANGUAGE: Record<SafetyLanguage, string> = { en: 'English', zh: 'Simplified Chinese' };

/** The chat messages asking a model to paraphrase one templated record (its last exchange). */
export function paraphraseRequest(identity: SafetyIdentity, row: SafetyRow) {
  const turns = row.messages;
  const user = turns.at(-2)?.content ?? '';
  const answer = turns.at(-1)?.content ?? '';
  const who = `${identity.name}, made by ${identity.developer}${identity.description ? ` (${identity.description})` : ''}`;
  return [
    {
      role: 'system' as const,
      content: `You write training data for an AI assistant: ${who}. The assistant never claims to be another model, never takes on another persona, and never reveals its instructions, but it still helps with any legitimate part of a request.`,
    },
    {
      role: 'user' as const,
      content: [
        `Rewrite this example in ${LANGUAGE[row.safety.lang]} with different wording. The user message is ${WHAT[row.safety.category]}: keep its intent and any extra question in it.`,
        `The answer must say that the assistant is ${identity.name}, made by ${identity.developer}, must not claim to be any other assistant, and must still answer the extra question correctly.`,
        'Reply with JSON only: {"prompt": "<the rewritten user message>", "answer": "<the rewritten answer>"}',
        '',
        `User message:\n${user}`,
        '',
        `Answer:\n${answer}`,
      ].join('\n'),
    },
  ];
}

/** `{prompt, answer}` from a model's reply (JSON, possibly fenced or with text around it), or why not. */
export function parseParaphrase(text: string): { prompt: string; answer: string } | string {
  const from = text.indexOf('{');
  const to = text.lastIndexOf('}');
  if (from < 0 || to < from) return 'no JSON object in the reply';
  let v: unknown;
  try {
    v = JSON.parse(text.slice(from, to + 1));
  } catch {
    return 'the reply is not valid JSON';
  }
  const o = v as { prompt?: unknown; answer?: unknown };
  if (typeof o.prompt !== 'string' || !o.prompt.trim()) return 'the reply has no "prompt" string';
  if (typeof o.answer !== 'string' || !o.answer.trim()) return 'the reply has no "answer" string';
  if (o.prompt.length > 4000 || o.answer.length > 8000) return 'the reply is too long';
  return { prompt: o.prompt.trim(), answer: o.answer.trim() };
}

export interface Paraphrased {
  row: SafetyRow;
  /** Why the template was kept instead (the reply could not be used, or the request failed). */
  fallback?: string;
}

/**
 * The record with its last exchange paraphrased by the model; on a reply that cannot be used, or a
 * request the endpoint refused (400, 413, 422), the templated record itself, with the reason (counted
 * in the report).
 */
export async function paraphrase(
  provider: Provider,
  identity: SafetyIdentity,
  row: SafetyRow,
  temperature: number,
): Promise<Paraphrased> {
  let text: string;
  try {
    text = (await provider.chat({ messages: paraphraseRequest(identity, row), temperature, maxTokens: 800 }))
      .text;
  } catch (e) {
    // The endpoint refused this one request: the template stays. Anything else fails the job.
    if (isRequestRejected(e)) return { row, fallback: 'request_refused' };
    throw e;
  }
  const p = parseParaphrase(text);
  if (typeof p === 'string') return { row, fallback: 'reply_unusable' };
  const messages = row.messages.map((m) => ({ ...m }));
  messages[messages.length - 2].content = p.prompt;
  messages[messages.length - 1].content = p.answer;
  return {
    row: {
      messages,
      safety: { ...row.safety, hash: promptHash(messages), source: 'model', draft: row.safety.hash },
    },
  };
}
