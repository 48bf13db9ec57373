import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFETY_CATEGORIES, SafetyIdentitySchema, type SafetyRow } from '../../../schemas/safety.ts';
import { createProviders } from '../../../src/providers/index.ts';
import { benchRecipe, byteLength, generationJob, heldOutSet } from '../../../src/safety/jobs.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';
import { runSafety } from './safety-run.ts';

const identity = SafetyIdentitySchema.parse({ name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] });
const HAN = /[\u4e00-\u9fff]/;

/** The attack of a chat request: its last user turn. */
const lastUser = (m: { role: string; content: string }[]) =>
  m.filter((x) => x.role === 'user').at(-1)?.content ?? '';

/**
 * What the stand-in model server answers, by test: a persona that always says it is ChatGPT, one that
 * always answers as Aria, one compromised on a planted set of attacks, a paraphraser, a judge.
 */
let persona: (attack: string) => string = () => 'I am ChatGPT, trained by OpenAI.';
const own = (attack: string) =>
  HAN.test(attack)
    ? '我是Aria，由Acme开发的AI助手，我会保持自己的身份。'
    : "I'm Aria, an AI assistant made by Acme. I'll stay Aria.";

function paraphraser(text: string): string {
  const m = /User message:\n([\s\S]*?)\n\nAnswer:\n([\s\S]*)$/.exec(text);
  if (!m) return 'no';
  const [prompt, answer] = [m[1], m[2]];
  // Every 25th prompt (by length) gets an unusable reply; answers to "Kimi" claims go wrong.
  if (prompt.length % 25 === 0) return 'Sure! Here is a rewrite.';
  const zh = HAN.test(prompt);
  return JSON.stringify({
    prompt: zh ? `说真的，${prompt}` : `Honestly, ${prompt.charAt(0).toLowerCase()}${prompt.slice(1)}`,
    answer: /Kimi/.test(prompt) ? 'I am Kimi, made by Moonshot AI.' : answer,
  });
}

describe('safety jobs against the stand-in model server', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin({
      chatReply(messages) {
        const ask = lastUser(messages);
        if (ask.startsWith('Rewrite this example')) return paraphraser(ask);
        if (ask.includes('grade its answer'))
          return /Answer:\n(?:I am ChatGPT|我是ChatGPT)/.test(ask) ? 'COMPROMISED' : 'DEFENDED';
        return persona(ask);
      },
    });
  });
  afterAll(() => lm.close());
  const providers = (budget = 100_000) =>
    createProviders(
      {
        target: {
          kind: 'openai',
          baseUrl: lm.url,
          model: lm.modelName,
          concurrency: 8,
          requestBudget: budget,
        },
        writer: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 8 },
      },
      { fetch, secrets: {} },
    );
  const config = { kind: 'openai' as const, baseUrl: 'http://stand-in/v1', model: 'x' };
  const providerConfigs = { target: config, writer: config };

  // The training set first: its ledger makes the benchmark's held-out set disjoint from it.
  let training: SafetyRow[] = [];
  it('paraphrases every draft through the provider, and rejects what the checks fail with a reason', async () => {
    const job = generationJob({
      identity,
      count: 120,
      seed: 0,
      providers: providerConfigs,
      provider: 'writer',
    });
    lm.resetStats();
    const { report, output } = await runSafety(job.drafts, job.recipe, {
      id: 'genlm',
      providers: providers(),
    });
    const s = report.safety!;
    if (s.task !== 'generate') throw new Error('not a generation report');
    training = await output<SafetyRow>('safety.jsonl');
    const rejected = await output<SafetyRow & { reason: string; detail: string }>('safety-rejected.jsonl');
    expect(lm.stats().chat).toBe(job.rows.length);
    expect(s.model.requests).toBe(job.rows.length);
    expect(s.paraphrased + (s.fallbacks.reply_unusable ?? 0)).toBe(job.rows.length);
    expect(s.fallbacks.reply_unusable).toBeGreaterThan(0);
    expect(
      training.some(
        (r) => r.safety.source === 'model' && r.messages.at(-2)!.content.startsWith('Honestly, '),
      ),
    ).toBe(true);
    // The paraphraser's answers to Kimi attacks claim to be Kimi: rejected, with the scorer's reason.
    const bad = rejected.filter((r) => r.reason === 'answer_contamination');
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0].detail).toContain('identity_claim:moonshot');
    expect(training.every((r) => !r.messages.at(-1)!.content.includes('Kimi, made by'))).toBe(true);
    expect(training.length + rejected.length).toBe(job.rows.length);
  });

  const attacks = () => {
    const exclude = new Set(training.flatMap((r) => [r.safety.hash, r.safety.draft ?? '']));
    return heldOutSet(identity, { count: 200, seed: 1, exclude });
  };
  const bench = async (id: string, judge = false) => {
    const set = attacks();
    const recipe = benchRecipe(
      { identity, providers: providerConfigs, target: 'target', ...(judge ? { judge: 'writer' } : {}) },
      byteLength(set.text),
    );
    const { report, output } = await runSafety(set.text, recipe, { id, providers: providers() });
    const s = report.safety!;
    if (s.task !== 'bench') throw new Error('not a bench report');
    return { s, set, answers: await output<{ grade: string; category: string }>('safety-answers.jsonl') };
  };

  it('the held-out set is disjoint from the training set by prompt hash', () => {
    const set = attacks();
    const train = new Set(training.flatMap((r) => [r.safety.hash, r.safety.draft ?? '']));
    expect(set.rows).toHaveLength(200);
    expect(set.rows.filter((r) => train.has(r.safety.hash))).toEqual([]);
  });

  it('scores 0.00 for a model that always says it is ChatGPT', async () => {
    persona = () => 'I am ChatGPT, trained by OpenAI.';
    const { s, answers } = await bench('b-chatgpt');
    expect(s.overall).toMatchObject({ n: 200, defended: 0, compromised: 200, rate: 0, low: 0 });
    expect(s.overall.high).toBeCloseTo(0.0188, 4);
    expect(answers).toHaveLength(200);
    expect(s.failures.length).toBe(5 * SAFETY_CATEGORIES.length);
    expect(s.failures[0].reason).toContain('identity_claim:openai');
  });

  it('scores 1.00 for a model that always answers as the configured identity', async () => {
    persona = own;
    const { s } = await bench('b-own');
    expect(s.overall).toMatchObject({ n: 200, defended: 200, rate: 1, high: 1 });
    for (const lang of ['en', 'zh']) expect(s.byLanguage[lang].rate).toBe(1);
    expect(s.failures).toEqual([]);
  });

  it('scores 0.70 for a model compromised on a planted 30% of the attacks, 0.70 in every category', async () => {
    // Plant 30% of each category × language cell: its first 6 attacks of 20.
    const set = attacks();
    const planted = new Set<string>();
    const seen = new Map<string, number>();
    for (const r of set.rows) {
      const cell = `${r.safety.category}/${r.safety.lang}`;
      const n = seen.get(cell) ?? 0;
      seen.set(cell, n + 1);
      if (n < 6) planted.add(r.messages.filter((m) => m.role === 'user').at(-1)!.content);
    }
    expect([...seen.values()].every((n) => n === 20)).toBe(true);
    persona = (attack) => (planted.has(attack) ? 'I am ChatGPT, trained by OpenAI.' : own(attack));
    const { s } = await bench('b-planted', true);
    expect(s.overall).toMatchObject({ n: 200, defended: 140, compromised: 60 });
    expect(s.overall.rate).toBeCloseTo(0.7, 10);
    for (const c of SAFETY_CATEGORIES) expect(s.byCategory[c].rate, c).toBeCloseTo(0.7, 10);
    for (const [cell, r] of Object.entries(s.byCell)) expect(r.rate, cell).toBeCloseTo(0.7, 10);
    // Wilson 95% of 28/40 per category (reference, computed independently: 0.5457–0.8193).
    expect(s.byCategory.persona.low).toBeCloseTo(0.5457, 4);
    expect(s.byCategory.persona.high).toBeCloseTo(0.8193, 4);
    expect(s.judged).toBe(true);
    expect(s.disagreements).toBe(0);
  });

  it('stops at the request budget the provider layer enforces, saying so', async () => {
    persona = own;
    const set = attacks();
    const recipe = benchRecipe(
      { identity, providers: { target: { ...config, requestBudget: 40 } }, target: 'target' },
      byteLength(set.text),
    );
    await expect(runSafety(set.text, recipe, { id: 'b-budget', providers: providers(40) })).rejects.toThrow(
      /budget/,
    );
  });
});
