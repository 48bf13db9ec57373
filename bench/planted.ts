/**
 * Recall and precision of the default recipe's filters on real data with planted cases:
 * alpaca-random-9k with hand-written identity claims, junk and cut-off answers (which must be
 * rejected) and topical mentions of AI and target-identity answers (which must be kept) inserted
 * at seeded positions. Runs the whole pipeline in one process (runLocal): the default recipe, with
 * the identity scorer told the assistant's own name (PLANTED_TARGET), so answers consistent with it pass.
 *
 *   node bench/planted.ts [--seed N]     prints the figures and writes bench/out/planted.json
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OutputLine } from '../schemas/output.ts';
import { DEFAULT_SCORERS, RecipeSchema } from '../schemas/recipe.ts';
import { mulberry32 } from '../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../src/pipeline/index.ts';
import { fromJsonl } from '../src/pipeline/jsonl.ts';
import { MemoryCellCache } from '../src/score/index.ts';
import { PLANTED_TARGET, plantedCases } from '../test/fixtures/planted.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const ALPACA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');

type Label = ReturnType<typeof plantedCases>[number]['label'] | 'alpaca';
const BAD: ReadonlySet<Label> = new Set(['identity', 'junk', 'cutoff']);
const FILTER_REASONS = (reason: string | undefined) =>
  reason === 'identity' || !!reason?.startsWith('filter:');

export interface PlantedResult {
  records: number;
  planted: Record<string, { total: number; rejectedByFilter: number; reasons: Record<string, number> }>;
  /** Planted bad cases rejected by a filter / all planted bad cases. */
  recall: number;
  /** Of everything a filter rejected: the share that is planted bad (Alpaca rejections count as false). */
  precisionLowerBound: number;
  /** Planted good cases (topical, target identity, clean) a filter rejected. */
  goodRejected: number;
  /** Original Alpaca records a filter rejected, and a few of them for inspection. */
  alpacaRejected: number;
  alpacaRejectedRate: number;
  alpacaExamples: { reason: string; flags?: string[]; note?: string; output: string }[];
  /** Planted cases ingest already refused as invalid (not counted above). */
  invalidPlanted: { label: string; error: string }[];
  seconds: number;
}

export async function evaluatePlanted(seed = 1): Promise<PlantedResult> {
  const rows = (JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[]).map((r) => ({
    text: JSON.stringify(r),
    label: 'alpaca' as Label,
  }));
  const rand = mulberry32(seed);
  for (const c of plantedCases()) {
    const at = Math.floor(rand() * (rows.length + 1));
    rows.splice(at, 0, { text: JSON.stringify({ messages: c.turns }), label: c.label });
  }
  const text = `${rows.map((r) => r.text).join('\n')}\n`;
  const store = new MemoryStore();
  await store.put('in.jsonl', text);
  const spec = {
    id: 'planted',
    dataset: 'planted',
    objects: [(await store.head('in.jsonl'))!],
    // The default recipe, with the assistant's own identity configured (as a user with one would).
    recipe: RecipeSchema.parse({
      seed,
      scorers: DEFAULT_SCORERS.map((s) =>
        s.id === 'identity' ? { id: 'identity', config: PLANTED_TARGET } : s,
      ),
    }),
    createdAt: '',
  };
  const t0 = performance.now();
  await runLocal(store, spec, { cells: () => new MemoryCellCache() });
  const seconds = (performance.now() - t0) / 1000;
  const read = async (file: string) => fromJsonl<OutputLine>(await memoryOutput(store, spec.id, file));
  const lines = [...(await read('selected.jsonl')), ...(await read('rejected.jsonl'))];
  const invalid = (await read('invalid.jsonl')) as unknown as {
    source: { index: number };
    error: { message: string };
  }[];
  if (lines.length + invalid.length !== rows.length)
    throw new Error(`${lines.length + invalid.length} output lines for ${rows.length} records`);
  const invalidPlanted = invalid.map((l) => ({ label: rows[l.source.index].label, error: l.error.message }));
  const planted: PlantedResult['planted'] = {};
  let tp = 0;
  let badTotal = 0;
  let goodRejected = 0;
  let alpacaRejected = 0;
  const alpacaExamples: PlantedResult['alpacaExamples'] = [];
  for (const line of lines) {
    const label = rows[line.source.index].label;
    const filtered = FILTER_REASONS(line.reason);
    if (label === 'alpaca') {
      if (filtered) {
        alpacaRejected++;
        if (alpacaExamples.length < 40) {
          const output = String((line.record as { output?: string }).output ?? '').slice(0, 160);
          alpacaExamples.push({
            reason: line.reason!,
            flags: line.flags,
            note: line.note?.slice(0, 160),
            output,
          });
        }
      }
      continue;
    }
    const p = (planted[label] ??= { total: 0, rejectedByFilter: 0, reasons: {} });
    p.total++;
    if (filtered) {
      p.rejectedByFilter++;
      p.reasons[line.reason!] = (p.reasons[line.reason!] ?? 0) + 1;
    }
    if (BAD.has(label)) {
      badTotal++;
      if (filtered) tp++;
    } else if (filtered) goodRejected++;
  }
  const alpaca = rows.filter((r) => r.label === 'alpaca').length;
  return {
    records: rows.length,
    planted,
    recall: tp / badTotal,
    precisionLowerBound: tp / (tp + goodRejected + alpacaRejected),
    goodRejected,
    alpacaRejected,
    alpacaRejectedRate: alpacaRejected / alpaca,
    alpacaExamples,
    invalidPlanted,
    seconds,
  };
}

if (import.meta.main) {
  const seed = Number(process.argv[process.argv.indexOf('--seed') + 1] || 1);
  const r = await evaluatePlanted(Number.isFinite(seed) ? seed : 1);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(resolve(ROOT, 'bench/out'), { recursive: true });
  writeFileSync(resolve(ROOT, 'bench/out/planted.json'), JSON.stringify(r, null, 2));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stdout.write(
    [
      `records ${r.records} (alpaca-random-9k + ${r.records - 9229} planted), ${r.seconds.toFixed(1)} s`,
      ...Object.entries(r.planted).map(
        ([k, v]) =>
          `  ${k.padEnd(16)} ${v.rejectedByFilter}/${v.total} rejected by a filter ${JSON.stringify(v.reasons)}`,
      ),
      `recall (planted bad rejected)        ${pct(r.recall)}`,
      `planted good rejected                ${r.goodRejected}`,
      `alpaca records rejected by a filter  ${r.alpacaRejected} (${pct(r.alpacaRejectedRate)})`,
      `precision, lower bound               ${pct(r.precisionLowerBound)} (every Alpaca rejection counted as false)`,
      `planted cases refused as invalid     ${JSON.stringify(r.invalidPlanted)}`,
      '',
    ].join('\n'),
  );
}
