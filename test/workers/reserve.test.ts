import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
// Real records (the shared Alpaca sample), bundled into the test by the JSON import.
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { OutputLine, Report } from '../../schemas/output.ts';
import type { RunList, Schedule } from '../../schemas/schedule.ts';
import { memoryOutput } from '../../src/pipeline/index.ts';
import worker from '../../workers/index.ts';
import { api, json, lines, output, post, sameJobInProcess, startJob, upload, waitForJob } from './helpers.ts';

const ALPACA = alpaca as unknown[];
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const identity = { name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] };

/** Ordinary questions answered in the assistant's own identity: contamination only without the identity configured. */
const OWN = Array.from({ length: 24 }, (_, i) => ({
  instruction: `Before you answer, tell me who you are. Then give me ${i + 2} reasons to learn a second language.`,
  input: '',
  output: `I am Aria, made by Acme. Here are ${i + 2} reasons: ${Array.from({ length: i + 2 }, (_, j) => `reason ${j + 1} is that it helps with idea ${i * 31 + j}`).join('; ')}.`,
}));
const SCORERS = [
  { id: 'length' },
  { id: 'lexical' },
  { id: 'heuristics' },
  { id: 'identity', config: { name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] } },
];
const RECIPE = {
  shardBytes: 48 * 1024,
  scorers: SCORERS,
  select: {
    budget: '20%',
    reserve: [{ name: 'defence', where: { flag: ['identity_probe', 'identity_override'] }, min: 60 }],
  },
};

/** Defence records and the assistant's own answers: the generated data carries `safety`, the others name Aria. */
const isDefence = (l: OutputLine) => {
  const r = l.record as { safety?: unknown; output?: string };
  return r.safety !== undefined || (typeof r.output === 'string' && r.output.startsWith('I am Aria'));
};

async function cron(at: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '* * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function settledRun(name: string, timeoutMs = 110_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = (await json<RunList>(await api(`/v1/datasets/${name}/runs`))).runs;
    if (r && r.state !== 'starting' && r.state !== 'running') {
      expect(r.error ?? null).toBeNull();
      return r.run;
    }
    if (Date.now() > deadline) throw new Error(`run of ${name} still going: ${JSON.stringify(r)}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

describe('generated defence data mixed into a selection with a reserve, on workerd', () => {
  it('keeps the reserve, rejects no defence record as identity, and selects what runLocal selects', async () => {
    // 1. Generate defence data with a safety job, 2. add it as a part of a dataset of ordinary records.
    const gen = await json(await post('/v1/safety/generate', { identity, count: 90, seed: 5 }));
    expect((await waitForJob(gen.id)).state).toBe('done');
    const defence = await output(gen.id, 'safety.jsonl');
    expect(lines(defence)).toHaveLength(90);
    await upload('mixed', jsonl([...ALPACA.slice(0, 700), ...OWN]));
    const part = await api('/v1/datasets/mixed/parts/defence', { method: 'PUT', body: defence });
    expect(part.status).toBe(201);

    // 3. A selection with the identity configured and a reserve for the defence data.
    const id = await startJob('mixed', RECIPE);
    const status = await waitForJob(id);
    expect(status.error).toBeNull();
    const report = JSON.parse(await output(id, 'report.json')) as Report;
    const all = [
      ...lines<OutputLine>(await output(id, 'selected.jsonl')),
      ...lines<OutputLine>(await output(id, 'rejected.jsonl')),
    ];
    const ours = all.filter(isDefence);
    expect(ours).toHaveLength(90 + OWN.length);
    expect(ours.filter((l) => /identity|junk/.test(l.reason ?? ''))).toEqual([]);
    expect(report.stages.ingest.shards).toBeGreaterThan(3);
    expect(report.counts.selected).toBe(report.budget.target);
    const [reserve] = report.selection.reserve!;
    expect(reserve).toMatchObject({ name: 'defence', wanted: 60, kept: 60, short: false });
    const flagged = (l: OutputLine) =>
      (l.flags ?? []).some((f) => f === 'identity_probe' || f === 'identity_override');
    expect(reserve.selected).toBe(all.filter((l) => l.reason === undefined && flagged(l)).length);
    expect(reserve.matched).toBeGreaterThan(60);
    expect(await output(id, 'report.html')).toContain(
      `<li>defence: 60 of 60 wanted, of ${reserve.matched} matching candidates; ${reserve.selected} matching records selected</li>`,
    );
    expect(all.filter((l) => isDefence(l) && l.reason === undefined).length).toBeGreaterThanOrEqual(60);

    // The same job in one process: the same report (timings aside) and the same files.
    const local = await sameJobInProcess(id);
    expect(local.report.selection.reserve).toEqual(report.selection.reserve);
    expect(local.report.threshold).toEqual(report.threshold);
    for (const file of ['selected.jsonl', 'rejected.jsonl', 'weights.jsonl'])
      expect(await output(id, file)).toBe(await memoryOutput(local.store, id, file));

    // Without the reserve, fewer of the matching records make the budget: the reserve changed the selection.
    const plain = await startJob('mixed', { ...RECIPE, select: { budget: RECIPE.select.budget } });
    expect((await waitForJob(plain)).state).toBe('done');
    const before = lines<OutputLine>(await output(plain, 'selected.jsonl')).filter(flagged).length;
    const after = all.filter((l) => l.reason === undefined && flagged(l)).length;
    expect(before).toBeLessThan(60);
    expect(after).toBeGreaterThanOrEqual(60);

    // Without the identity configured, many of the generated answers ("I'm Aria, an AI assistant
    // developed by Acme": an unknown assistant's claim) are rejected as identity.
    const without = await startJob('mixed', {
      ...RECIPE,
      scorers: SCORERS.map((s) => (s.id === 'identity' ? { id: 'identity' } : s)),
    });
    expect((await waitForJob(without)).state).toBe('done');
    const rejected = lines<OutputLine>(await output(without, 'rejected.jsonl'));
    expect(rejected.filter((l) => isDefence(l) && l.reason === 'identity').length).toBeGreaterThan(30);
  });

  it('the configured identity reaches the scheduled re-scoring: appended defence data is not filtered either', async () => {
    await upload('mixed-sched', jsonl(ALPACA.slice(700, 1300)));
    const s = await json<Schedule>(
      await api('/v1/datasets/mixed-sched/schedule', {
        method: 'PUT',
        body: JSON.stringify({
          every: '1m',
          recipe: { ...RECIPE, select: { ...RECIPE.select, budget: '25%' } },
        }),
      }),
    );
    const t0 = Date.parse(s.nextDue!);
    await cron(t0);
    const r1 = await settledRun('mixed-sched');
    // Defence answers appended as a part: the next run scores only them, with the identity.
    const part = await api('/v1/datasets/mixed-sched/parts/0001', { method: 'PUT', body: jsonl(OWN) });
    expect(part.status).toBe(201);
    await cron(t0 + 60_000);
    const r2 = await settledRun('mixed-sched');
    expect(r2).not.toBe(r1);
    const rep2 = JSON.parse(await output(r2, 'report.json')) as Report;
    expect(rep2.scoring.byScorer.identity.computed).toBe(OWN.length);
    const all = [
      ...lines<OutputLine>(await output(r2, 'selected.jsonl')),
      ...lines<OutputLine>(await output(r2, 'rejected.jsonl')),
    ];
    const ours = all.filter(isDefence);
    expect(ours).toHaveLength(OWN.length);
    expect(ours.filter((l) => l.reason === 'identity')).toEqual([]);
    expect(ours.every((l) => l.scores.identity < 0.5)).toBe(true);
    // The reserve wanted 60 of the defence records; only the 24 appended answers are there.
    expect(rep2.selection.reserve).toEqual([
      {
        name: 'defence',
        wanted: 60,
        matched: expect.any(Number),
        kept: expect.any(Number),
        selected: expect.any(Number),
        short: expect.any(Boolean),
      },
    ]);
    const [r] = rep2.selection.reserve!;
    expect(r.kept).toBe(Math.min(60, r.matched));
  });
});
