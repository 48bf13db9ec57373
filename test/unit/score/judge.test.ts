import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WinnowError } from '../../../src/errors.ts';
import { createProviders } from '../../../src/providers/index.ts';
import { JudgeConfigSchema, judgeRow, judgeScorer, parseRating } from '../../../src/score/judge/index.ts';
import { type Standin, scoreInput, startStandin } from '../../support/standin-lm/index.ts';

describe('parseRating (0–5)', () => {
  const cases: [string, number | null][] = [
    ['Score: 4\nThe answer is correct and complete.', 4],
    ['4\nThe response accurately lists three primary colors.', 4],
    ['5', 5],
    ['**Score:** 5\n\nExplanation: flawless.', 5],
    ['Score: **3**\nPartially correct.', 3],
    ['Rating: 3/5 - partially correct, misses the second step.', 3],
    ['I would rate this response a 2 out of 5 because it ignores the input.', 2],
    ['I rated it 4/5.', 4],
    ['Score: 8/10\nGood but verbose.', 4],
    ['Score: 7\nExcellent.', 5],
    ['The response deserves 4.5/5 for accuracy.', 4.5],
    ['Score: 3.5\n', 3.5],
    ['Explanation: the list is incomplete and one item is wrong.\nScore: 2', 2],
    ['1. Accuracy: mostly right.\n2. Helpfulness: good.\nOverall score: 4', 4],
    ['Score (0-5): 1', 1],
    ['The score is 0 because the answer is empty.', 0],
    ['Score:\n3\nAdequate.', 3],
    ['5 - The response is excellent and thorough.', 5],
    ['Score: N/A\nI cannot evaluate this.', null],
    ['I cannot evaluate this response without more context.', null],
    ['', null],
    ['In 2023 the company grew.', null],
  ];
  it.each(cases)('%j → %s', (text, want) => {
    expect(parseRating(text, 0, 5)?.value ?? null).toBe(want);
  });
});

describe('judgeRow', () => {
  it('takes Σ p(d)·d over the digit tokens at the score position, renormalized', () => {
    const lp = (p: number) => Math.log(p);
    const row = judgeRow(
      {
        text: 'Score: 4\nAccurate, but could cite a source.',
        logprobs: [
          { token: 'Score', logprob: -0.01 },
          { token: ':', logprob: -0.01 },
          {
            token: ' 4',
            logprob: lp(0.5),
            top: [
              { token: ' 4', logprob: lp(0.5) },
              { token: ' 5', logprob: lp(0.2) },
              { token: '3', logprob: lp(0.1) },
              { token: ' 3', logprob: lp(0.1) },
              { token: ' four', logprob: lp(0.05) },
              { token: ' 9', logprob: lp(0.04) },
            ],
          },
          { token: '\nAccurate, but could cite a source.', logprob: -0.1 },
        ],
      },
      200,
    );
    // Digits in [0,5]: 4 → 0.5, 5 → 0.2, 3 → 0.1 + 0.1 (pooled); " four" and 9 are ignored.
    const expected = (0.5 * 4 + 0.2 * 5 + 0.2 * 3) / (0.5 + 0.2 + 0.2);
    expect(row.scores.judge).toBeCloseTo(expected, 12);
    expect(row.scores.judge_p).toBeCloseTo(expected / 5, 12);
    expect(row.note).toBe('Accurate, but could cite a source.');
    expect(row.flags).toBeUndefined();
  });

  it('uses the written score without log-probs, and flags what it cannot read', () => {
    expect(judgeRow({ text: 'Rating: 3/5\nOK.' }, 200)).toEqual({
      scores: { judge: 3, judge_p: 0.6 },
      note: 'OK.',
    });
    const bad = judgeRow({ text: 'As an AI, I cannot judge this.' }, 10);
    expect(bad.flags).toEqual(['judge_unparsed']);
    expect(bad.scores.judge).toBeNaN();
    expect(bad.note).toBe('judge: As an AI,…');
  });
});

describe('judge scorer against the stand-in', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());
  beforeEach(() => lm.resetStats());

  const providers = () =>
    createProviders(
      { judge: { kind: 'openai', baseUrl: lm.url, model: lm.modelName } },
      { fetch, secrets: {} },
    );
  const rows = [
    { instruction: 'Name a primary color.', output: 'Red.' },
    {
      instruction: 'Explain why the sky is blue.',
      output:
        'Sunlight is scattered by the molecules of the atmosphere, and shorter blue wavelengths scatter much more than red ones (Rayleigh scattering), so blue light reaches our eyes from every direction of the sky.',
    },
  ].map((r, i) => scoreInput(r, `r${i}`));

  it('scores each record with the expected rating from the top log-probs', async () => {
    const config = JudgeConfigSchema.parse({ provider: 'judge' });
    const out = await judgeScorer.score(rows, config, { seed: 0, providers: providers() });
    for (const [i, r] of rows.entries()) {
      const v = lm.model.judge(r.turns[1].content, 0, 5);
      let z = 0;
      let s = 0;
      for (const d of v.digits) {
        z += Math.exp(d.logprob);
        s += Math.exp(d.logprob) * Number(d.token);
      }
      expect(out[i].scores.judge).toBeCloseTo(s / z, 12);
      expect(out[i].scores.judge_p).toBeCloseTo(s / z / 5, 12);
      expect(out[i].note).toBe(v.explanation);
    }
    expect(out[1].scores.judge).toBeGreaterThan(out[0].scores.judge);
    const body = lm.stats().bodies[0] as { logprobs: boolean; top_logprobs: number; temperature: number };
    expect([body.logprobs, body.top_logprobs, body.temperature]).toEqual([true, 10, 0]);
  });

  it('renormalizes over the top-N it gets, and takes the written score with none', async () => {
    const out3 = await judgeScorer.score(
      [rows[1]],
      JudgeConfigSchema.parse({ provider: 'judge', topLogprobs: 3 }),
      {
        seed: 0,
        providers: providers(),
      },
    );
    const top = lm.model.judge(rows[1].turns[1].content, 0, 5).digits.slice(0, 3);
    const p = top.map((d) => Math.exp(d.logprob));
    const want = top.reduce((s, d, j) => s + p[j] * Number(d.token), 0) / (p[0] + p[1] + p[2]);
    expect(out3[0].scores.judge).toBeCloseTo(want, 12);
    const out0 = await judgeScorer.score(
      [rows[1]],
      JudgeConfigSchema.parse({ provider: 'judge', topLogprobs: 0 }),
      {
        seed: 0,
        providers: providers(),
      },
    );
    expect(out0[0].scores.judge).toBe(lm.model.judge(rows[1].turns[1].content, 0, 5).rating);
  });

  it('flags a rejected request instead of failing the batch', async () => {
    lm.inject({ status: 400, body: '{"error":{"message":"context too long"}}' });
    const out = await judgeScorer.score([rows[0]], JudgeConfigSchema.parse({ provider: 'judge' }), {
      seed: 0,
      providers: providers(),
    });
    expect(out[0].flags).toEqual(['judge_rejected']);
    expect(out[0].note).toContain('context too long');
  });

  it('fails clearly without providers or with an unknown one', async () => {
    const config = JudgeConfigSchema.parse({ provider: 'judge' });
    await expect(judgeScorer.score(rows, config, { seed: 0 })).rejects.toThrow(
      /scorer "judge" calls a model \(provider "judge"\), but no providers are available/,
    );
    const other = JudgeConfigSchema.parse({ provider: 'gpt' });
    const e = await Promise.resolve(
      judgeScorer.score(rows, other, { seed: 0, providers: providers() }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WinnowError);
    expect((e as WinnowError).message).toBe('unknown provider "gpt"; known: judge');
    expect(JudgeConfigSchema.safeParse({}).success).toBe(false);
  });
});
