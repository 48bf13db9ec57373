import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { sharedStack, unique } from '../stack.ts';
import { ALPACA_9K as DATA, jsonl, ROOT, run, winnowRun } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('winnow run (CLI on the local workerd stack)', () => {
  it('selects exactly 30% of alpaca-random-9k, accounts for every record, and re-runs from the cell cache', async () => {
    const cli = (out: string) => winnowRun(DATA, out, join(tmp, 'state'), ['--budget', '30%']);
    const out = join(tmp, 'out');
    const { stdout } = await cli(out);
    expect(stdout).toContain('selected  2769 (30.0% of valid)');
    const input = JSON.parse(readFileSync(DATA, 'utf8')) as unknown[];
    const selected = jsonl(join(out, 'selected.jsonl'));
    const rejected = jsonl(join(out, 'rejected.jsonl'));
    const invalid = jsonl(join(out, 'invalid.jsonl'));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(selected.length + rejected.length + invalid.length).toBe(input.length);
    expect(report.counts).toEqual({
      input: 9229,
      valid: 9229 - invalid.length,
      invalid: invalid.length,
      selected: selected.length,
      rejected: rejected.length,
    });
    expect(selected.length).toBe(Math.round(report.counts.valid * 0.3));
    const indices = [...selected, ...rejected, ...invalid].map((l) => l.source.index).sort((a, b) => a - b);
    expect(indices).toEqual(input.map((_, i) => i));
    for (const l of selected.slice(0, 50)) expect(l.record).toEqual(input[l.source.index]);
    const budget = rejected.filter((l) => l.reason === 'budget');
    expect(Math.min(...selected.map((l) => l.rank))).toBeGreaterThanOrEqual(
      Math.max(...budget.map((l) => l.rank)),
    );
    // The default recipe's filters (junk: empty answers, refusals; identity contamination) and dedup.
    const reasons = new Set(rejected.map((l) => l.reason));
    const known = ['budget', 'filter:heuristics', 'identity', 'duplicate', 'near_duplicate'];
    expect([...reasons].every((r) => known.includes(r))).toBe(true);
    expect(
      (report.rejectedByReason.duplicate ?? 0) + (report.rejectedByReason.near_duplicate ?? 0),
    ).toBeLessThan(100);
    const weights = jsonl(join(out, 'weights.jsonl'));
    expect(weights.map((w) => w.id)).toEqual(selected.map((l) => l.id));
    expect(report.rejectedByReason['filter:heuristics']).toBeGreaterThan(0);
    expect(report.rejectedByReason['filter:heuristics']).toBeLessThan(100);
    expect(Object.keys(report.scoring.byScorer)).toEqual([
      'length',
      'lexical',
      'heuristics',
      'identity',
      'perplexity',
    ]);
    expect(report.fits.perplexity.reused).toBe(false);

    // The same input and recipe against the same state: every cell comes from the cache.
    const again = join(tmp, 'again');
    const second = await cli(again);
    expect(second.stdout).toContain('0 cells computed');
    const report2 = JSON.parse(readFileSync(join(again, 'report.json'), 'utf8'));
    expect(report2.scoring).toMatchObject({
      computed: 0,
      cached: report.scoring.computed + report.scoring.cached,
    });
    expect(report2.fits.perplexity.reused).toBe(true);
    expect(jsonl(join(again, 'selected.jsonl')).map((l) => l.id)).toEqual(selected.map((l) => l.id));
  }, 400_000);

  it('drives an already running instance with --url and --token', async () => {
    // The running instance is the e2e tier's shared stack; the input's name makes its dataset this test's own.
    const stack = sharedStack();
    const input = join(tmp, `${unique('remote-demo')}.jsonl`);
    writeFileSync(input, generateDemo({ records: 300, seed: 4 }));
    const cli = join(ROOT, 'workers/cli/winnow.js');
    const out = join(tmp, 'remote-out');
    const args = ['run', input, '--budget', '20', '--out', out, '--url', stack.url, '--quiet'];
    const { stdout } = await run(process.execPath, [cli, ...args, '--token', stack.token], { cwd: ROOT });
    expect(stdout).toContain('selected  20 (');
    expect(jsonl(join(out, 'selected.jsonl'))).toHaveLength(20);
    // The clustering shortcuts: clusters.json and embeddings.npy come down with the rest.
    const clustered = join(tmp, 'clustered-out');
    const cargs = [
      'run',
      input,
      '--cluster',
      'kmeans',
      '--k',
      '3',
      '--export-embeddings',
      '--strategy',
      'balanced',
      '--budget',
      '12',
      '--out',
      clustered,
    ];
    await run(process.execPath, [cli, ...cargs, '--url', stack.url, '--token', stack.token, '--quiet'], {
      cwd: ROOT,
    });
    const clusters = JSON.parse(readFileSync(join(clustered, 'clusters.json'), 'utf8'));
    expect(clusters).toMatchObject({ algorithm: 'kmeans', k: 3 });
    const report = JSON.parse(readFileSync(join(clustered, 'report.json'), 'utf8'));
    // --strategy balanced: per-cluster quotas that sum to the budget.
    expect(report.selection.strategy).toEqual({ id: 'balanced', quota: 'sqrt' });
    expect(report.counts.selected).toBe(12);
    expect(
      report.selection.perCluster
        .map((c: { quota: number }) => c.quota)
        .reduce((a: number, b: number) => a + b),
    ).toBe(12);
    const npy = readFileSync(join(clustered, 'embeddings.npy'));
    expect(npy.subarray(1, 6).toString()).toBe('NUMPY');
    expect(npy.toString('latin1', 10, 10 + npy.readUInt16LE(8))).toContain(
      `'shape': (${report.counts.valid}, 128)`,
    );
    expect(jsonl(join(clustered, 'selected.jsonl')).every((l) => Number.isInteger(l.cluster))).toBe(true);
    // winnow jobs <dataset>: both jobs of this input's dataset, newest first, done.
    const dataset = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).dataset as string;
    const listed = await run(
      process.execPath,
      [cli, 'jobs', dataset, '--url', stack.url, '--token', stack.token],
      { cwd: ROOT },
    );
    const rows = listed.stdout.trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${report.job}  done\\s+\\S+ \\d+/\\d+\\s+\\S+  ${dataset}$`));
    expect(rows[1]).toMatch(/^j[0-9a-z]+ {2}done /);
    const err = await run(process.execPath, [cli, ...args, '--token', 'wrong'], { cwd: ROOT }).catch(
      (e) => e,
    );
    expect(err.code).toBe(1);
    expect(err.stderr).toBe('winnow: wrong bearer token\n');
  }, 120_000);

  it('explains a bad budget without starting anything', async () => {
    const err = await run(
      process.execPath,
      [join(ROOT, 'workers/cli/winnow.js'), 'run', DATA, '--budget', 'lots'],
      {
        cwd: ROOT,
      },
    ).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toBe(
      'winnow: --budget must be a count like 5000 or a percentage like 30%, got "lots"\n',
    );
  });
});
