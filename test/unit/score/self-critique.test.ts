import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../../../src/providers/index.ts';
import {
  LinearMappingSchema,
  learningRateMultipliers,
  SelfCritiqueConfigSchema,
  selfCritiqueScorer,
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
    const config = SelfCritiqueConfigSchema.parse({ provider: 'policy' });
    const out = await selfCritiqueScorer.score(rows, config, { seed: 0, providers });
    for (const [i, r] of rows.entries()) {
      const v = lm.model.judge(r.turns[1].content, 1, 10);
      expect(out[i].scores.self_critique).toBe(v.rating);
      expect(out[i].scores.lr_multiplier).toBeCloseTo(
        Math.min(1.5, Math.max(0.5, 0.45 + 0.1 * v.rating)),
        12,
      );
      expect(out[i].note).toBe(v.explanation);
    }
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
