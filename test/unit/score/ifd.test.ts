import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders } from '../../../src/providers/index.ts';
import { IfdConfigSchema, ifdScorer, splitExample } from '../../../src/score/ifd/index.ts';
import { type Standin, scoreInput, startStandin } from '../../support/standin-lm/index.ts';

let lm: Standin;
beforeAll(async () => {
  lm = await startStandin();
});
afterAll(() => lm.close());
beforeEach(() => lm.resetStats());

/** −mean ln p of the answer's tokens in `context + answer`, from the model directly (context ends on a token boundary). */
function lossByHand(context: string, answer: string): number {
  const { offsets, logprobs } = lm.model.promptLogprobs(context + answer);
  let s = 0;
  let n = 0;
  for (let i = 0; i < offsets.length; i++) {
    if (offsets[i] >= context.length && logprobs[i] !== null) {
      s += logprobs[i] as number;
      n++;
    }
  }
  return -s / n;
}

const rows = [
  // Answers that reuse the instruction's words: the instruction helps (IFD < 1).
  { instruction: 'What is the capital of France?', output: 'The capital of France is Paris.' },
  {
    instruction: 'Generate a list of 5 adjectives that describe a cat.',
    output: 'Five adjectives that describe a cat: curious, playful, independent, graceful and affectionate.',
  },
  {
    // A long instruction unrelated to a repetitive answer: it dilutes the cache, so IFD > 1.
    instruction:
      'Write a detailed paragraph about the economic history of the Roman Empire, its trade routes, its currency and the causes of its decline.',
    output: 'yes yes yes yes yes yes yes yes',
  },
].map((r, i) => scoreInput({ instruction: r.instruction, output: r.output }, `r${i}`));

const providers = () =>
  createProviders({ lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName } }, { fetch, secrets: {} });

describe('ifd', () => {
  it('is the conditioned answer loss over the answer loss alone, exactly', async () => {
    const out = await ifdScorer.score(rows, IfdConfigSchema.parse({ provider: 'lm' }), {
      seed: 0,
      providers: providers(),
    });
    for (const [i, r] of rows.entries()) {
      const { instruction, answer } = splitExample(r.turns);
      const prompt = `### Instruction:\n${instruction}\n\n### Response:\n`;
      const conditioned = lossByHand(prompt, answer);
      const alone = lossByHand('', answer); // the first token has no log-prob and is skipped
      expect(out[i].scores.ifd_loss).toBeCloseTo(conditioned, 12);
      expect(out[i].scores.ifd).toBeCloseTo(conditioned / alone, 12);
      expect(out[i].flags ?? []).toEqual(conditioned / alone > 1 ? ['ifd_gt_1'] : []);
    }
    expect(out.map((r) => (r.flags ?? []).includes('ifd_gt_1'))).toEqual([false, false, true]);
    expect(lm.stats().completions).toBe(6); // two requests per record
  });

  it('flags an empty answer, and fails clearly on a provider without prompt log-probs', async () => {
    const [row] = await ifdScorer.score(
      [scoreInput({ instruction: 'Say nothing.', output: '' }, 'e')],
      IfdConfigSchema.parse({ provider: 'lm' }),
      { seed: 0, providers: providers() },
    );
    expect(row.flags).toEqual(['ifd_empty']);
    expect(row.scores.ifd).toBeNaN();
    const ai = createProviders(
      { lm: { kind: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' } },
      { fetch, secrets: {}, ai: { run: async () => ({ response: '' }) } },
    );
    await expect(
      ifdScorer.score(rows, IfdConfigSchema.parse({ provider: 'lm' }), { seed: 0, providers: ai }),
    ).rejects.toThrow(/cannot return prompt log-probs/);
    await expect(
      ifdScorer.score(rows, IfdConfigSchema.parse({ provider: 'lm' }), { seed: 0 }),
    ).rejects.toThrow(/scorer "ifd" calls a model/);
  });
});
