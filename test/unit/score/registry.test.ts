import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WinnowError } from '../../../src/errors.ts';
import {
  combineQuality,
  getScorer,
  listScorers,
  registerScorer,
  resolveScorers,
  type Scorer,
  scoreBatch,
} from '../../../src/score/index.ts';

const fixed: Scorer<{ value: number; broken: boolean }> = {
  id: 'test-fixed',
  version: 1,
  kind: 'offline',
  description: 'writes a fixed number',
  config: z.strictObject({ value: z.number().default(0.5), broken: z.boolean().default(false) }),
  outputs: ['fixed'],
  score: (batch, { value, broken }) =>
    batch.map(() => ({ scores: { fixed: broken ? Number.NaN : value }, note: 'fixed' })),
};
registerScorer(fixed);

describe('scorer registry', () => {
  it('registers the built-ins at import', () => {
    expect(listScorers().map((s) => `${s.id}@${s.version}`)).toEqual([
      'length@1',
      'lexical@1',
      'heuristics@2',
      'identity@2',
      'perplexity@1',
      'dsir@1',
      'classifier@3',
      'judge@1',
      'self_critique@2',
      'ifd@1',
      'golden@1',
      'test-fixed@1',
    ]);
    expect(
      listScorers()
        .filter((s) => s.kind === 'model')
        .map((s) => s.id),
    ).toEqual(['judge', 'self_critique', 'ifd', 'golden']);
  });

  it('throws on a duplicate id', () => {
    expect(() => registerScorer({ ...fixed })).toThrowErrorMatchingInlineSnapshot(
      `[Error: scorer "test-fixed" is registered twice]`,
    );
  });

  it('names the known scorers for an unknown id', () => {
    expect(() => getScorer('lenght')).toThrowErrorMatchingInlineSnapshot(
      `[WinnowError: unknown scorer "lenght"; known: classifier, dsir, golden, heuristics, identity, ifd, judge, length, lexical, perplexity, self_critique, test-fixed]`,
    );
    try {
      getScorer('nope');
    } catch (e) {
      expect(e).toBeInstanceOf(WinnowError);
      expect((e as WinnowError).code).toBe('unknown_scorer');
    }
  });
});

describe('resolveScorers', () => {
  it('applies config defaults', () => {
    const r = resolveScorers([
      { id: 'length', config: {} },
      { id: 'lexical', config: { window: 20 } },
    ]);
    expect(r.map((x) => [x.scorer.id, x.config])).toEqual([
      ['length', { saturateWords: 60 }],
      ['lexical', { window: 20 }],
    ]);
  });

  it('collects every problem into one validation error', () => {
    let err: WinnowError | undefined;
    try {
      resolveScorers([
        { id: 'length', config: { saturateWords: -1 } },
        { id: 'lexical', config: { window: 'wide', minWords: 3 } },
        { id: 'nope', config: {} },
        { id: 'length', config: {} },
      ]);
    } catch (e) {
      err = e as WinnowError;
    }
    expect(err?.code).toBe('validation_failed');
    expect(err?.details).toMatchInlineSnapshot(`
      [
        {
          "code": "too_small",
          "message": "Too small: expected number to be >0",
          "path": "scorers[0].config.saturateWords",
        },
        {
          "code": "invalid_type",
          "message": "Invalid input: expected number, received string",
          "path": "scorers[1].config.window",
        },
        {
          "code": "unrecognized_keys",
          "message": "Unrecognized key: "minWords"",
          "path": "scorers[1].config",
        },
        {
          "code": "unknown_scorer",
          "message": "unknown scorer "nope"; known: classifier, dsir, golden, heuristics, identity, ifd, judge, length, lexical, perplexity, self_critique, test-fixed",
          "path": "scorers[2].id",
        },
        {
          "code": "duplicate",
          "message": "scorer "length" is already used at scorers[0]",
          "path": "scorers[3].id",
        },
      ]
    `);
    expect(err?.message.split('; ')[0]).toBe(
      'scorers[0].config.saturateWords: Too small: expected number to be >0',
    );
  });
});

describe('scoreBatch', () => {
  it('merges every scorer and adds quality', async () => {
    const refs = resolveScorers([
      { id: 'length', config: {} },
      { id: 'lexical', config: { window: 3 } },
      { id: 'test-fixed', config: { broken: true } },
    ]);
    const rows = await scoreBatch(
      [
        { id: 'a', hash: 'ha', turns: [{ role: 'assistant', content: 'a b a b c' }] },
        { id: 'b', hash: 'hb', turns: [] },
      ],
      refs,
      { seed: 1 },
    );
    const s = rows[0].scores;
    expect(s.length).toBeCloseTo(1 - Math.exp(-5 / 60), 15);
    expect(s.diversity).toBeCloseTo(7 / 9, 15);
    expect(s.fixed).toBe(0);
    expect(s.quality).toBeCloseTo(s.length ** (0.15 / 0.35) * (7 / 9) ** (0.1 / 0.35), 15);
    expect(rows[0].flags).toEqual(['nonfinite:fixed']);
    expect(rows[0].note).toBe('fixed');
    expect(rows[1].flags).toEqual(['empty_response', 'nonfinite:fixed']);
    expect(rows[1].scores.quality).toBe(0);
  });

  it('rejects a scorer returning the wrong number of rows', async () => {
    const bad = { scorer: { ...fixed, id: 'bad', score: () => [] }, config: {} };
    await expect(
      scoreBatch([{ id: 'a', hash: 'ha', turns: [] }], [bad as never], { seed: 0 }),
    ).rejects.toThrow('scorer "bad" returned 0 rows for 1 records');
  });
});

describe('combineQuality', () => {
  it('blends the documented weights geometrically', () => {
    expect(combineQuality({ length: 0.5, diversity: 0.8, repetition: 0.1 })).toBeCloseTo(
      0.5 ** (0.15 / 0.35) * 0.8 ** (0.1 / 0.35) * 0.9 ** (0.1 / 0.35),
      15,
    );
    const all = {
      length: 0.5,
      diversity: 0.8,
      repetition: 0.1,
      heuristics: 0.9,
      lm_quality: 0.6,
      classifier: 0.7,
      judge_p: 0.8,
    };
    expect(combineQuality(all)).toBeCloseTo(
      0.5 ** (0.15 / 1.3) *
        0.8 ** (0.1 / 1.3) *
        0.9 ** (0.1 / 1.3) *
        0.9 ** (0.2 / 1.3) *
        0.6 ** (0.15 / 1.3) *
        0.7 ** (0.3 / 1.3) *
        0.8 ** (0.3 / 1.3),
      15,
    );
  });

  it('renormalizes over present scores, is NaN-safe and clamped', () => {
    expect(combineQuality({})).toBe(0.5);
    expect(combineQuality({ other: 1 })).toBe(0.5);
    expect(combineQuality({ length: 0.25 })).toBeCloseTo(0.25, 15);
    expect(combineQuality({ length: 0.64, repetition: 0.36 })).toBeCloseTo(
      0.64 ** (0.15 / 0.25) * 0.64 ** (0.1 / 0.25),
      15,
    );
    expect(combineQuality({ length: Number.NaN, diversity: 1 })).toBe(0);
    expect(combineQuality({ length: 7, diversity: 2, repetition: -1 })).toBe(1);
  });
});
