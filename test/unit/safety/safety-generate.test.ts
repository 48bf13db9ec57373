import { describe, expect, it } from 'vitest';
import { SAFETY_CATEGORIES, SafetyIdentitySchema, type SafetyRow } from '../../../schemas/safety.ts';
import { identitySlug } from '../../../src/safety/identity.ts';
import { generationJob } from '../../../src/safety/jobs.ts';
import { ledgerKey } from '../../../src/safety/keys.ts';
import { runSafety } from './safety-run.ts';

const identity = SafetyIdentitySchema.parse({
  name: 'Aria',
  developer: 'Acme',
  aliases: ['艾莉亚'],
  description: 'a support assistant for Acme customers',
});

describe('a safety generation job, offline (templates only)', () => {
  it('generates 300 records over every category in both languages, checked and deduplicated', async () => {
    const job = generationJob({ identity, count: 300, seed: 0 });
    const { report, store, output } = await runSafety(job.drafts, job.recipe, { id: 'gen300' });
    const kept = await output<SafetyRow>('safety.jsonl');
    const rejected = await output<SafetyRow & { reason: string; detail: string }>('safety-rejected.jsonl');
    const s = report.safety!;
    expect(s.task).toBe('generate');
    if (s.task !== 'generate') return;
    expect(kept).toHaveLength(300);
    expect(s.accepted).toBe(300);
    expect(s.drafted).toBe(job.rows.length);
    // Nothing is dropped silently: every draft is kept or rejected with its reason.
    expect(kept.length + rejected.length).toBe(job.rows.length);
    expect(rejected.every((r) => r.reason && r.detail)).toBe(true);
    for (const c of SAFETY_CATEGORIES)
      for (const lang of ['en', 'zh'])
        expect(s.byCell[`${c}/${lang}`], `${c}/${lang}`).toBeGreaterThanOrEqual(25);
    expect(s.passRate).toBeGreaterThanOrEqual(0.95);
    expect(s.nearDuplicateRate).toBeLessThan(0.05);
    // The stages of a selection do not run.
    expect(Object.keys(report.stages)).toEqual(['plan', 'ingest', 'safety-generate', 'card']);
    // The ledger holds every kept record's prompt hash.
    const ledger = JSON.parse(
      new TextDecoder().decode((await store.get(ledgerKey(identitySlug(identity), 'gen300')))!),
    );
    expect(ledger.hashes).toEqual(kept.map((r) => r.safety.hash));
  });
});

describe('generated defence data in a selection job', () => {
  it('a default-recipe job with the identity configured rejects none of it as identity or junk', async () => {
    const job = generationJob({ identity, count: 300, seed: 3 });
    const gen = await runSafety(job.drafts, job.recipe, { id: 'gen-mix' });
    const kept = await gen.output<SafetyRow>('safety.jsonl');
    expect(kept).toHaveLength(300);
    const identityScorer = {
      id: 'identity',
      config: { name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] },
    };
    const recipe = {
      scorers: [
        { id: 'length' },
        { id: 'lexical' },
        { id: 'heuristics' },
        identityScorer,
        { id: 'perplexity' },
      ],
      select: { budget: '100%' },
    };
    const { report } = await runSafety(kept.map((r) => JSON.stringify(r)).join('\n'), recipe, { id: 'mix' });
    expect(report.counts.valid).toBe(300);
    const reasons = Object.keys(report.rejectedByReason).filter((r) => /identity|junk/.test(r));
    expect(reasons).toEqual([]);
    // Without the identity, the same records are filtered as contamination: configure it.
    const bare = {
      ...recipe,
      scorers: recipe.scorers.map((s) => (s.id === 'identity' ? { id: 'identity' } : s)),
    };
    const without = await runSafety(kept.map((r) => JSON.stringify(r)).join('\n'), bare, { id: 'mix-bare' });
    expect(
      Object.entries(without.report.rejectedByReason).find(([r]) => r.includes('identity'))?.[1],
    ).toBeGreaterThan(100);
  });
});
