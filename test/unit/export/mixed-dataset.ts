import type { Report } from '../../../schemas/output.ts';
import { type RecipeInput, RecipeSchema } from '../../../schemas/recipe.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';

/** A dataset that mixes the three input formats, system prompts, multi-turn conversations and records no trainer accepts. */
const say = (i: number, what: string) =>
  `${what} number ${i}: ${'a few more words to keep it long enough '.repeat(2)}`;

/** 40 records: alpaca (with and without input and system), sharegpt (multi-turn, system), messages. */
export function mixedDataset(): string[] {
  const rows: unknown[] = [];
  for (let i = 0; i < 8; i++) {
    rows.push({ instruction: say(i, 'Instruction'), output: say(i, 'Answer') });
    rows.push({
      instruction: say(i, 'Translate'),
      input: say(i, 'Source text'),
      output: say(i, 'Translation'),
      ...(i % 2 === 0 ? { system: say(i, 'You translate') } : {}),
    });
    rows.push({
      conversations: [
        ...(i % 2 === 0 ? [{ from: 'system', value: say(i, 'Be brief') }] : []),
        { from: 'human', value: say(i, 'Hello') },
        { from: 'gpt', value: say(i, 'Hi there') },
        { from: 'human', value: say(i, 'Tell me more') },
        { from: 'gpt', value: say(i, 'Here is more') },
      ],
    });
    rows.push({
      messages: [
        ...(i % 2 === 1 ? [{ role: 'system', content: say(i, 'You are helpful') }] : []),
        { role: 'user', content: say(i, 'Question') },
        { role: 'assistant', content: say(i, 'Reply') },
      ],
    });
  }
  // Valid records (a user and an assistant turn each) that are not trainable conversations.
  rows.push({
    messages: [
      { role: 'user', content: say(1, 'Two questions') },
      { role: 'user', content: say(2, 'in a row') },
      { role: 'assistant', content: say(3, 'One answer') },
    ],
  });
  rows.push({
    conversations: [
      { from: 'human', value: say(4, 'Asked') },
      { from: 'gpt', value: say(5, 'Answered') },
      { from: 'human', value: say(6, 'Asked again, never answered') },
    ],
  });
  rows.push({
    messages: [
      { role: 'user', content: say(7, 'Question') },
      { role: 'system', content: say(8, 'A late system prompt') },
      { role: 'assistant', content: say(9, 'Answer') },
    ],
  });
  return rows.map((r) => JSON.stringify(r));
}

/** The mixed dataset run in process (job `job`) with `recipe`. */
export async function runMixed(recipe: RecipeInput, { dataset = 'd', createdAt = '' } = {}) {
  const store = new MemoryStore();
  await store.put('in.jsonl', `${mixedDataset().join('\n')}\n`);
  const spec = {
    id: 'job',
    dataset,
    objects: [(await store.head('in.jsonl'))!],
    recipe: RecipeSchema.parse(recipe),
    createdAt,
  };
  const report: Report = await runLocal(store, spec);
  return { store, report, output: (name: string) => memoryOutput(store, 'job', name) };
}
