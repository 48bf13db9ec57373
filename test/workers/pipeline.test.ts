import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/index.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

/** Run a dataset through the real queues, coordinator and R2; return every output. */
async function runAll(name: string, body: string, recipe: unknown) {
  expect((await upload(name, body)).status).toBe(201);
  const id = await startJob(name, recipe);
  const status = await waitForJob(id);
  expect(status.error).toBeNull();
  expect(status.state).toBe('done');
  return {
    id,
    status,
    selected: lines(await output(id, 'selected.jsonl')),
    rejected: lines(await output(id, 'rejected.jsonl')),
    invalid: lines(await output(id, 'invalid.jsonl')),
    report: JSON.parse(await output(id, 'report.json')),
  };
}

describe('pipeline end to end', () => {
  it('accounts for every record across many shards and selects exactly the budget', async () => {
    const text = generateDemo({ records: 1200, seed: 3 });
    const inputLines = text.split('\n').filter((l) => l.trim() !== '');
    // The demo's templated records are near duplicates of each other: a small budget stays reachable.
    const out = await runAll('demo', text, { shardBytes: 16 * 1024, select: { budget: '10%' } });
    const { counts } = out.report;
    expect(counts.input).toBe(inputLines.length);
    expect(out.selected.length + out.rejected.length + out.invalid.length).toBe(inputLines.length);
    expect(counts.invalid).toBe(out.invalid.length);
    expect(counts.invalid).toBeGreaterThan(0);
    // Each input record appears exactly once, at its own index and line.
    const seen = [...out.selected, ...out.rejected, ...out.invalid]
      .map((l) => l.source.index)
      .sort((a, b) => a - b);
    expect(seen).toEqual(inputLines.map((_, i) => i));
    for (const l of [...out.selected, ...out.rejected]) {
      expect(l.source.line).toBe(l.source.index + 1);
      expect(JSON.parse(inputLines[l.source.index])).toEqual(l.record);
    }
    // Exactly 10% of valid records, the highest ranked, ties by input order.
    const target = Math.round(counts.valid * 0.1);
    expect(out.selected.length).toBe(target);
    const budget = out.rejected.filter((l) => l.reason === 'budget');
    const minSelected = Math.min(...out.selected.map((l) => l.rank));
    expect(minSelected).toBeGreaterThanOrEqual(Math.max(...budget.map((l) => l.rank)));
    // The default recipe's junk filter removes the demo's junk before the budget is spent.
    const junk = out.rejected.filter((l) => l.reason === 'filter:heuristics');
    expect(junk.length).toBeGreaterThan(0);
    expect(junk.every((l) => l.rank === -1 && l.scores.junk === 1 && l.flags.length > 0)).toBe(true);
    // The demo repeats records, exactly and reworded: each copy names the survivor of its group,
    // a record that is itself no duplicate and ranks at least as high.
    const dups = out.rejected.filter((l) => l.reason === 'duplicate' || l.reason === 'near_duplicate');
    expect(dups.length).toBeGreaterThan(0);
    const byId = new Map([...out.selected, ...out.rejected].map((l) => [l.id, l]));
    for (const d of dups) {
      const keep = byId.get(d.duplicateOf);
      expect(keep === undefined || keep.reason === 'duplicate' || keep.reason === 'near_duplicate').toBe(
        false,
      );
      expect(keep.rank).toBeGreaterThanOrEqual(d.rank);
    }
    const count = (reason: string) => dups.filter((l) => l.reason === reason).length;
    expect(out.report.rejectedByReason).toEqual({
      budget: budget.length,
      'filter:heuristics': junk.length,
      ...(count('duplicate') ? { duplicate: count('duplicate') } : {}),
      ...(count('near_duplicate') ? { near_duplicate: count('near_duplicate') } : {}),
    });
    expect(out.status.stages.find((s) => s.name === 'ingest')!.shardsTotal).toBeGreaterThan(5);
    for (const stage of ['ingest', 'fit', 'score', 'select', 'export']) {
      expect(out.report.stages[stage].seconds).toBeGreaterThanOrEqual(0);
    }
    // Invalid lines say where and why.
    const bad = out.invalid[0];
    expect(bad.source.line).toBe(bad.source.index + 1);
    expect(bad.error.code).toMatch(/invalid_json|invalid_record|unknown_format/);
    expect(bad.raw).toBe(inputLines[bad.source.index]);
  });

  it('reads a JSON array, selects all when the budget exceeds the valid records', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      instruction: `Question ${i}?`,
      input: '',
      output: `Answer number ${i} has ${'several words '.repeat(i % 7)}in it.`,
    }));
    const out = await runAll('arr', JSON.stringify(rows, null, 1), {
      shardBytes: 1024,
      scorers: [{ id: 'length' }, { id: 'lexical' }],
      // Templated rows are near duplicates of each other: dedup off keeps this test about reading arrays.
      select: { dedup: false, budget: 100 },
    });
    expect(out.selected.length).toBe(40);
    expect(out.report.budget).toEqual({ requested: 100, target: 40, reachable: false, met: false });
    expect(out.selected.map((l) => l.source.index)).toEqual(rows.map((_, i) => i));
    expect(out.selected.every((l) => l.source.line === undefined)).toBe(true);
  });

  it('finishes a dataset of no records (whitespace only) with an empty, consistent report', async () => {
    // An empty file (0 bytes) starts no job: test/workers/bad-input.test.ts.
    const out = await runAll('empty', '\n \n', {});
    expect(out.report.counts).toEqual({ input: 0, valid: 0, invalid: 0, selected: 0, rejected: 0 });
    expect(out.selected).toEqual([]);
  });

  it('fails a job whose input is structurally broken, with a readable reason', async () => {
    await upload('broken', '[{"instruction": "a", "output": "b"}, {"instruction": ');
    const id = await startJob('broken');
    const s = await waitForJob(id);
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/^plan shard 0: .*byte/);
    const res = await api(`/v1/jobs/${id}/outputs`);
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toContain('has no outputs: failed');
  });

  it('cancels a running job', async () => {
    await upload('cancel-me', generateDemo({ records: 300, seed: 1 }));
    const id = await startJob('cancel-me', { shardBytes: 1024 });
    const res = await api(`/v1/jobs/${id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await json(res)).state).toBe('cancelled');
    expect((await waitForJob(id)).state).toBe('cancelled');
  });
});
