import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../../../src/providers/index.ts';
import { ratingDistribution } from '../../../src/score/judge/index.ts';
import { parseRating } from '../../../src/score/judge/parse-rating.ts';
import {
  LinearMappingSchema,
  learningRateMultipliers,
  SelfCritiqueConfigSchema,
  selfCritiqueScorer,
  shrinkMultiplier,
  UNIFORM_SD,
} from '../../../src/score/self-critique/index.ts';
import { type Standin, scoreInput, startStandin } from '../../support/standin-lm/index.ts';

describe('learningRateMultipliers', () => {
  it('clipped linear: 1.0 at the median rating with the defaults', () => {
    const m = LinearMappingSchema.parse({ kind: 'linear' });
    expect(m).toEqual({ kind: 'linear', a: 0.45, b: 0.1, lo: 0.5, hi: 1.5 });
    const w = learningRateMultipliers(Float64Array.of(1, 5.5, 10, 0, 20, Number.NaN), m);
    // 0.45 + 0.1·r: 0.55, 1.0, 1.45; 0.45 → clipped to 0.5; 2.45 → 1.5; NaN → neutral 1.
    const want = [0.55, 1, 1.45, 0.5, 1.5, 1];
    for (const [i, x] of want.entries()) expect(w[i]).toBeCloseTo(x, 12);
  });

  it('tempered softmax: N·exp(r/T)/Σexp(r/T), averaging 1', () => {
    const w = learningRateMultipliers(Float64Array.of(2, 4, 6), { kind: 'softmax', temperature: 2 });
    // exp(1), exp(2), exp(3) = 2.718281828459045, 7.38905609893065, 20.085536923187668; Σ = 30.19287485057736
    expect(w[0]).toBeCloseTo((3 * Math.E) / 30.19287485057736, 12);
    expect(w[1]).toBeCloseTo((3 * 7.38905609893065) / 30.19287485057736, 12);
    expect(w[2]).toBeCloseTo((3 * 20.085536923187668) / 30.19287485057736, 12);
    expect(w[0] + w[1] + w[2]).toBeCloseTo(3, 12);
  });

  it('softmax stays finite for large ratings and leaves unparsed ones at 1', () => {
    const w = learningRateMultipliers(Float64Array.of(1000, 1001, Number.NaN), {
      kind: 'softmax',
      temperature: 1,
    });
    // 2·[1, e]/(1 + e)
    expect(w[0]).toBeCloseTo(2 / (1 + Math.E), 12);
    expect(w[1]).toBeCloseTo((2 * Math.E) / (1 + Math.E), 12);
    expect(w[2]).toBe(1);
    expect(() => learningRateMultipliers(Float64Array.of(1), { kind: 'softmax', temperature: 0 })).toThrow(
      'temperature must be a positive finite number',
    );
    expect(LinearMappingSchema.safeParse({ kind: 'linear', lo: 2, hi: 1 }).success).toBe(false);
  });
});

describe('the rating distribution and the uncertainty shrink', () => {
  it('mean and spread of the digits at the rating token; a multiplier moved toward 1 by the confidence', () => {
    const lp = Math.log;
    const parsed = parseRating('Rating: 7\nUseful.', 1, 10)!;
    const logprobs = [
      { token: 'Rating', logprob: -0.01 },
      { token: ':', logprob: -0.01 },
      {
        token: ' 7',
        logprob: lp(0.5),
        top: [
          { token: ' 7', logprob: lp(0.5) },
          { token: ' 8', logprob: lp(0.3) },
          { token: '6', logprob: lp(0.2) },
        ],
      },
    ];
    // mean 0.5·7 + 0.3·8 + 0.2·6 = 7.1; variance 0.5·0.01 + 0.3·0.81 + 0.2·1.21 = 0.49; sd 0.7.
    const d = ratingDistribution(logprobs, parsed, 1, 10)!;
    expect(d.mean).toBeCloseTo(7.1, 12);
    expect(d.sd).toBeCloseTo(0.7, 12);
    // One digit holds all the mass: no spread.
    expect(ratingDistribution([{ token: '7', logprob: 0 }], parseRating('7', 1, 10)!, 1, 10)).toEqual({
      mean: 7,
      sd: 0,
    });
    // w = 1.16 at confidence 1 − 0.7 / 2.8722813232690143 = 0.7562893…: 1 + 0.7562893·0.16.
    expect(shrinkMultiplier(1.16, 0.7)).toBeCloseTo(1 + (1 - 0.7 / 2.8722813232690143) * 0.16, 12);
    expect(shrinkMultiplier(0.6, 0)).toBe(0.6);
    expect(shrinkMultiplier(1.4, UNIFORM_SD)).toBe(1);
    expect(shrinkMultiplier(1.4, 4)).toBe(1);
  });
});

describe('self_critique scorer against the stand-in', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());

  it('parses the 1–10 rating and maps it to a learning-rate multiplier', async () => {
    const rows = [
      { instruction: 'Say hi.', output: 'Hi.' },
      {
        instruction: 'Summarize the water cycle.',
        output:
          'Water evaporates from oceans and lakes, condenses into clouds, falls back as rain or snow, and flows through rivers and ground water to the sea, where the cycle starts again.',
      },
    ].map((r, i) => scoreInput(r, `r${i}`));
    const providers = createProviders(
      { policy: { kind: 'openai', baseUrl: lm.url, model: lm.modelName } },
      { fetch, secrets: {} },
    );
    // Without log-probs: the written rating; its spread unknown (NaN), the multiplier not shrunk.
    const plain = SelfCritiqueConfigSchema.parse({ provider: 'policy', topLogprobs: 0 });
    const written = await selfCritiqueScorer.score(rows, plain, { seed: 0, providers });
    for (const [i, r] of rows.entries()) {
      const v = lm.model.judge(r.turns[1].content, 1, 10);
      expect(written[i].scores.self_critique).toBe(v.rating);
      expect(written[i].scores.self_critique_sd).toBeNaN();
      expect(written[i].scores.lr_multiplier).toBeCloseTo(
        Math.min(1.5, Math.max(0.5, 0.45 + 0.1 * v.rating)),
        12,
      );
      expect(written[i].note).toBe(v.explanation);
    }
    // With the top log-probs at the rating token (the default): the expected rating and its spread,
    // and the multiplier moved toward 1 by the confidence 1 − sd / 2.8722813232690143.
    const config = SelfCritiqueConfigSchema.parse({ provider: 'policy' });
    const out = await selfCritiqueScorer.score(rows, config, { seed: 0, providers });
    const ignore = await selfCritiqueScorer.score(
      rows,
      SelfCritiqueConfigSchema.parse({ provider: 'policy', uncertainty: 'ignore' }),
      { seed: 0, providers },
    );
    for (const [i, r] of rows.entries()) {
      const v = lm.model.judge(r.turns[1].content, 1, 10);
      const p = v.digits.map((d) => [Number(d.token), Math.exp(d.logprob)] as const);
      const z = p.reduce((a, [, x]) => a + x, 0);
      const mean = p.reduce((a, [d, x]) => a + d * x, 0) / z;
      const sd = Math.sqrt(p.reduce((a, [d, x]) => a + (x / z) * (d - mean) ** 2, 0));
      expect(out[i].scores.self_critique).toBeCloseTo(mean, 12);
      expect(out[i].scores.self_critique_sd).toBeCloseTo(sd, 12);
      const w = Math.min(1.5, Math.max(0.5, 0.45 + 0.1 * mean));
      expect(ignore[i].scores.lr_multiplier).toBeCloseTo(w, 12);
      expect(out[i].scores.lr_multiplier).toBeCloseTo(
        1 + Math.max(0, 1 - sd / 2.8722813232690143) * (w - 1),
        12,
      );
    }
    expect(UNIFORM_SD).toBeCloseTo(2.8722813232690143, 14);
    const prompt = (lm.stats().bodies[0] as { messages: { content: string }[] }).messages[0].content;
    expect(prompt).toContain('Rate on a scale of 1 to 10 how much a model like you would learn');
  });

  it('flags an unreadable rating and keeps the neutral multiplier', async () => {
    const mute = await startStandin({ model: lm.model, judgeReply: () => 'This example is fine.' });
    try {
      const providers = createProviders(
        { policy: { kind: 'openai', baseUrl: mute.url, model: mute.modelName } },
        { fetch, secrets: {} },
      );
      const [row] = await selfCritiqueScorer.score(
        [scoreInput({ instruction: 'a', output: 'b' }, 'x')],
        SelfCritiqueConfigSchema.parse({ provider: 'policy' }),
        { seed: 0, providers },
      );
      expect(row.flags).toEqual(['self_critique_unparsed']);
      expect(row.scores.self_critique).toBeNaN();
      expect(row.scores.lr_multiplier).toBe(1);
    } finally {
      await mute.close();
    }
  });
});
