/**
 * `npm run bench -- --only scoring`: offline scoring throughput, in records/s on one core, of every
 * scorer of the default recipe (after fitting the learning ones), on alpaca-random-9k and on a
 * generated 1M-record set; and the peak memory of one score shard. The reference measured in the
 * same run is a tokenize-only pass (`words()` over every record's turns): the floor any scorer pays.
 *
 *   node bench/scoring.ts [--records 1000000] [--shard 5000]
 *   node bench/scoring.ts --file <jsonl> [--shard 5000]   one pass over a file's records only; the
 *                                                          last line printed is {"recordsPerSecond": …}
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SCORERS } from '../schemas/recipe.ts';
import { generateDemo } from '../src/demo/index.ts';
import { contentHash, normalizeRecord } from '../src/formats/index.ts';
import {
  type ResolvedScorer,
  resolveScorers,
  type ScoreInput,
  scoreColumn,
  words,
} from '../src/score/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const ALPACA = resolve(ROOT, '../shared/data/alpaca-random-9k.json');
const BATCH = 256;

function toInputs(rows: string[]): ScoreInput[] {
  const out: ScoreInput[] = [];
  for (const [i, text] of rows.entries()) {
    const n = normalizeRecord(text, 'auto');
    if (n.ok) out.push({ id: String(i), hash: contentHash(n.turns), turns: n.turns, record: n.record });
  }
  return out;
}

function alpaca(): ScoreInput[] {
  return toInputs((JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[]).map((r) => JSON.stringify(r)));
}

/** A JSONL file's records in chunks of `chunk` lines (its first 20,000 records are the fit sample). */
function* fileChunks(file: string, chunk: number): Generator<ScoreInput[]> {
  const buf = readFileSync(file);
  let rows: string[] = [];
  let start = 0;
  for (let end = buf.indexOf(10); start < buf.length; end = buf.indexOf(10, start)) {
    if (end === -1) end = buf.length;
    if (end > start) rows.push(buf.toString('utf8', start, end));
    start = end + 1;
    if (rows.length === chunk) {
      yield toInputs(rows);
      rows = [];
    }
  }
  if (rows.length) yield toInputs(rows);
}

/** Generated records in chunks, never all in memory. */
function* generated(total: number, chunk: number): Generator<ScoreInput[]> {
  for (let done = 0, seed = 1; done < total; done += chunk, seed++) {
    const n = Math.min(chunk, total - done);
    yield toInputs(generateDemo({ records: n, seed }).trimEnd().split('\n'));
  }
}

interface Fitted {
  ref: ResolvedScorer;
  model?: unknown;
}

async function fitAll(
  sample: ScoreInput[],
): Promise<{ fitted: Fitted[]; fitSeconds: Record<string, number> }> {
  const fitSeconds: Record<string, number> = {};
  const fitted: Fitted[] = [];
  for (const ref of resolveScorers(DEFAULT_SCORERS)) {
    if (!ref.scorer.fit) {
      fitted.push({ ref });
      continue;
    }
    const t0 = performance.now();
    const { model } = await ref.scorer.fit({ self: sample, references: {}, seed: 0 }, ref.config);
    const bytes = ref.scorer.encodeModel?.(model);
    fitted.push({ ref, model: bytes && ref.scorer.decodeModel ? ref.scorer.decodeModel(bytes) : model });
    fitSeconds[ref.scorer.id] = (performance.now() - t0) / 1000;
  }
  return { fitted, fitSeconds };
}

interface Timing {
  records: number;
  seconds: Record<string, number>;
  tokenizeSeconds: number;
}

async function time(chunks: Iterable<ScoreInput[]>, fitted: Fitted[]): Promise<Timing> {
  const t: Timing = { records: 0, seconds: {}, tokenizeSeconds: 0 };
  for (const chunk of chunks) {
    // Fresh turn arrays every pass: scorers share a record's tokenization within a pass (the
    // per-record memo in src/score/assistant-text.ts), never across passes.
    const records = chunk.map((r) => ({ ...r, turns: [...r.turns] }));
    t.records += records.length;
    let t0 = performance.now();
    let sink = 0;
    for (const r of records) for (const turn of r.turns) sink += words(turn.content).length;
    t.tokenizeSeconds += (performance.now() - t0) / 1000;
    if (sink < 0) throw new Error('unreachable');
    for (const { ref, model } of fitted) {
      t0 = performance.now();
      for (let i = 0; i < records.length; i += BATCH)
        await scoreColumn(records.slice(i, i + BATCH), ref, { seed: 0, model });
      t.seconds[ref.scorer.id] = (t.seconds[ref.scorer.id] ?? 0) + (performance.now() - t0) / 1000;
    }
  }
  return t;
}

/** Each scorer's fastest pass (and the tokenize reference's). */
function best(runs: Timing[]): Timing {
  const out: Timing = {
    records: runs[0].records,
    seconds: {},
    tokenizeSeconds: Math.min(...runs.map((r) => r.tokenizeSeconds)),
  };
  for (const id of Object.keys(runs[0].seconds))
    out.seconds[id] = Math.min(...runs.map((r) => r.seconds[id]));
  return out;
}

/** In a child: score one shard of `n` alpaca-like records with every scorer; print the max RSS. */
async function oneShard(n: number, scoreIt: boolean): Promise<void> {
  const records = [...generated(n, n)][0];
  if (scoreIt) {
    const { fitted } = await fitAll(records);
    await time([records], fitted);
  }
  process.stdout.write(`${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function shardMemory(n: number): { peakMb: number; baselineMb: number } {
  const child = (score: boolean) => {
    const r = spawnSync(
      process.execPath,
      [import.meta.filename, '--child', String(n), score ? '--score' : ''],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`shard child failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim()).maxRssMb as number;
  };
  return { peakMb: child(true), baselineMb: child(false) };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '1000000' },
      shard: { type: 'string', default: '5000' },
      child: { type: 'string' },
      score: { type: 'boolean', default: false },
      file: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (values.child) return oneShard(Number(values.child), values.score);
  if (values.file) return scoreFile(values.file, Number(values.shard));
  mkdirSync(OUT, { recursive: true });
  const results: Record<string, unknown> = {};
  const lines: string[] = [`# Offline scoring on one core (${cpus()[0]?.model ?? 'cpu'})`, ''];
  // [name, chunks, fit sample, passes]: a small set is timed over several passes (the first one
  // includes JIT warm-up) and each scorer's best pass is reported; 1M records are one warm pass.
  const sets: [string, () => Iterable<ScoreInput[]>, () => ScoreInput[], number][] = [];
  if (existsSync(ALPACA)) {
    const records = alpaca();
    sets.push(['alpaca-random-9k', () => [records], () => records, 5]);
  }
  const total = Number(values.records);
  const chunk = Number(values.shard);
  sets.push([
    `generated-${fmt(total)}`,
    () => generated(total, chunk),
    () => [...generated(20_000, 20_000)][0],
    1,
  ]);
  for (const [name, chunks, sample, passes] of sets) {
    process.stderr.write(`scoring ${name} …\n`);
    const { fitted, fitSeconds } = await fitAll(sample());
    const runs: Timing[] = [];
    for (let p = 0; p < passes; p++) runs.push(await time(chunks(), fitted));
    const t = best(runs);
    const all = Object.values(t.seconds).reduce((a, b) => a + b, 0);
    results[name] = { ...t, fitSeconds, recordsPerSecond: t.records / all };
    lines.push(
      `## ${name}: ${fmt(t.records)} records${passes > 1 ? ` (best of ${passes} passes)` : ' (one pass)'}`,
      '',
      '| scorer | seconds | records/s |',
      '|---|---|---|',
    );
    for (const [id, s] of Object.entries(t.seconds))
      lines.push(`| ${id} | ${s.toFixed(2)} | ${fmt(t.records / s)} |`);
    lines.push(`| **all offline scorers** | ${all.toFixed(2)} | **${fmt(t.records / all)}** |`);
    lines.push(
      `| reference: tokenize only | ${t.tokenizeSeconds.toFixed(2)} | ${fmt(t.records / t.tokenizeSeconds)} |`,
    );
    lines.push('', `Scoring costs ${(all / t.tokenizeSeconds).toFixed(1)}× the tokenize-only pass.`);
    lines.push(
      `Fit seconds: ${Object.entries(fitSeconds)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')}.`,
      '',
    );
  }
  const mem = shardMemory(chunk);
  results.shardMemory = mem;
  lines.push(
    `## One score shard of ${fmt(chunk)} records`,
    '',
    `Peak RSS ${mem.peakMb.toFixed(0)} MB, of which ${(mem.peakMb - mem.baselineMb).toFixed(0)} MB over a process that only loads the same code and records (${mem.baselineMb.toFixed(0)} MB).`,
  );
  const text = lines.join('\n');
  writeFileSync(join(OUT, 'scoring.md'), `${text}\n`);
  writeFileSync(join(OUT, 'scoring.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`${text}\n`);
}

/** One warm pass of the default scorers over a file (fitted on its first 20,000 records). */
async function scoreFile(file: string, chunk: number): Promise<void> {
  const sample = fileChunks(file, 20_000).next().value ?? [];
  const { fitted } = await fitAll(sample);
  await time([sample.slice(0, 2000)], fitted); // JIT warm-up
  const t = await time(fileChunks(file, chunk), fitted);
  const all = Object.values(t.seconds).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${JSON.stringify({ records: t.records, seconds: t.seconds, recordsPerSecond: t.records / all })}\n`,
  );
}

await main();
