/**
 * The dataset swap of issue #24 at the probe's scale, on the local stack (wrangler dev + workerd):
 * 50,000 records in shards of 64 KiB, the same dataset name uploaded again with its lines shuffled
 * once ingest has read 4 shards. The job must end with the outputs of a clean run of the version it
 * started on: every record once, none missing, none twice.
 *
 *   node bench/integrity.ts [--records 50000] [--at 4]
 *
 * Writes bench/out/integrity.md and integrity.json. See bench/README.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RecipeInput } from '../schemas/recipe.ts';
import { WinnowClient } from '../src/client/index.ts';
import { outputText, pollJob } from '../test/support/crash.ts';
import { shuffled } from '../test/support/shuffle.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
const { values } = parseArgs({
  options: { records: { type: 'string', default: '50000' }, at: { type: 'string', default: '4' } },
});
const N = Number(values.records);
const AT = Number(values.at);
const RECIPE: RecipeInput = { shardBytes: 65536, select: { budget: '30%' } };
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl'];
const note = (s: string) => process.stderr.write(`${s}\n`);

// N distinct records: the Alpaca sample, each copy's instruction numbered.
const alpaca = JSON.parse(readFileSync(DATA, 'utf8')) as Record<string, string>[];
const rows = Array.from({ length: N }, (_, i) => {
  const r = alpaca[i % alpaca.length];
  return i < alpaca.length
    ? r
    : { ...r, instruction: `${r.instruction} (copy ${Math.floor(i / alpaca.length)})` };
});
const jsonl = (rs: unknown[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function outcome(client: WinnowClient, id: string) {
  const text = Object.fromEntries(
    await Promise.all(FILES.map(async (f) => [f, await outputText(client, id, f)])),
  );
  const report = JSON.parse(await outputText(client, id, 'report.json'));
  // Which original records came out, by their instruction (a shuffled upload keeps them, at other indices).
  const seen = new Map<string, number>();
  for (const f of FILES.slice(0, 2))
    for (const l of text[f].split('\n').filter((x: string) => x)) {
      const rec = JSON.parse(l).record;
      const key = `${rec.instruction}\u0000${rec.input ?? ''}\u0000${rec.output}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  // Against how often each record is in the input (the sample has a few exact duplicates of its own).
  const expected = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.instruction}\u0000${r.input ?? ''}\u0000${r.output}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  let missing = 0;
  let twice = 0;
  for (const [k, n] of expected) missing += Math.max(0, n - (seen.get(k) ?? 0));
  for (const [k, n] of seen) twice += Math.max(0, n - (expected.get(k) ?? 0));
  const hash = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 16);
  return {
    input: report.counts.input as number,
    duplicate: (report.rejectedByReason.duplicate ?? 0) as number,
    missing,
    twice,
    files: Object.fromEntries(FILES.map((f) => [f, hash(text[f])])),
  };
}

mkdirSync(OUT, { recursive: true });
const state = join(OUT, 'integrity-state');
rmSync(state, { recursive: true, force: true });
const stack = await startLocalStack(state);
try {
  const client = new WinnowClient(stack);
  note(`${N} records, shards of ${RECIPE.shardBytes} bytes; the swap once ingest has read ${AT} shards …`);
  await client.uploadDataset('swap', new TextEncoder().encode(jsonl(rows)));
  const t0 = performance.now();
  const { id } = await client.createJob('swap', RECIPE);
  const at = await pollJob(
    client,
    id,
    (s) => (s.stages.find((x) => x.name === 'ingest')?.shardsDone ?? 0) >= AT,
    { everyMs: 20 },
  );
  const ingest = at.stages.find((x) => x.name === 'ingest')!;
  await client.uploadDataset('swap', new TextEncoder().encode(jsonl(shuffled(rows, 11))));
  const swappedAt = (await client.job(id)).stages.find((x) => x.name === 'ingest')!;
  let shown = 0;
  const done = await pollJob(client, id, () => false, {
    everyMs: 250,
    timeoutMs: 3_600_000,
    onStatus: (s) => {
      if (performance.now() - shown < 30_000) return;
      shown = performance.now();
      const st = s.stages.find((x) => x.name === s.stage);
      note(
        `  ${s.stage} ${st?.shardsDone}/${st?.shardsTotal} (step ${st?.step}) at ${((shown - t0) / 1000).toFixed(0)} s`,
      );
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  note(
    `  job ${done.state} in ${seconds.toFixed(1)} s (swapped at ingest ${swappedAt.shardsDone}/${swappedAt.shardsTotal})`,
  );
  const got = await outcome(client, id);

  note('clean run of the version it started on …');
  await client.uploadDataset('swap-clean', new TextEncoder().encode(jsonl(rows)));
  const clean = await client.createJob('swap-clean', RECIPE);
  await pollJob(client, clean.id, () => false, { everyMs: 250, timeoutMs: 3_600_000 });
  const want = await outcome(client, clean.id);
  const equal = JSON.stringify(got.files) === JSON.stringify(want.files);

  const before = {
    input: 50712,
    duplicate: 11845,
    missing: 11153,
    twice: 11865,
    equal: 'no (job done, no error)',
  };
  const md = [
    `| case: ${N.toLocaleString('en')} records, dataset uploaded again shuffled at ingest ${swappedAt.shardsDone}/${swappedAt.shardsTotal} | before (issue #24's probe, 4/343) | after |`,
    '|---|---|---|',
    `| job state | done, no error | ${done.state}${done.error ? `: ${done.error}` : ''} |`,
    `| input records | ${before.input.toLocaleString('en')} | ${got.input.toLocaleString('en')} |`,
    `| rejected as duplicate | ${before.duplicate.toLocaleString('en')} | ${got.duplicate.toLocaleString('en')} (clean run: ${want.duplicate.toLocaleString('en')}) |`,
    `| original records missing | ${before.missing.toLocaleString('en')} | ${got.missing} |`,
    `| records present twice | ${before.twice.toLocaleString('en')} | ${got.twice} |`,
    `| outputs equal a clean run of the version it started on | ${before.equal} | ${equal ? 'yes, byte for byte' : 'NO'} |`,
    '',
    `Ingest had read ${ingest.shardsDone}/${ingest.shardsTotal} shards when the swap was sent; the job took ${seconds.toFixed(1)} s.`,
  ].join('\n');
  process.stdout.write(`${md}\n`);
  writeFileSync(join(OUT, 'integrity.md'), `${md}\n`);
  writeFileSync(
    join(OUT, 'integrity.json'),
    `${JSON.stringify({ date: new Date().toISOString(), records: N, recipe: RECIPE, swappedAt, got, want, equal }, null, 2)}\n`,
  );
  const ok = equal && done.state === 'done' && got.missing === 0 && got.twice === 0 && got.input === N;
  if (!ok) process.stdout.write('\nFAIL: the job did not read the version it started on\n');
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack.stop();
  rmSync(state, { recursive: true, force: true });
}
