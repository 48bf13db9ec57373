/**
 * Parquet read throughput against JSONL on the same 1M Alpaca-shaped rows (issue #19), in one
 * process: the plan and the ingest stage's own code (`ingest()`: read the shard's range, parse,
 * normalize, hash, write records.jsonl) over every shard, reading the input from a local file by
 * range as a task reads R2. What is timed is Winnow's reader and ingest, not R2, queues or workerd;
 * both forms pay the same for those. Each form is timed `--runs` times, alternating; medians.
 *
 *   node bench/parquet.ts [--runs 3] [--codec ZSTD|SNAPPY] [--row-group 10000]
 *   node --expose-gc bench/parquet.ts --memory [--row-group 10000,50000]
 *
 * `--memory` instead measures what one ingest task holds: the heap in use when it writes
 * records.jsonl (all its records built, the file's text made), over the heap before, for a shard of
 * one row group of N rows and for the same rows as a JSONL shard (docs/limits.md).
 *
 * The JSONL is bench/out/gen-1m.jsonl (the 1m bench's, bench/gen-alpaca.ts, made when missing). The
 * Parquet is written from it with hyparquet-writer: one column per key, strings as STRING, in row
 * groups of `--row-group` rows; lines that are not JSON cannot be Parquet rows and are left out
 * (counted). Run it under `flock /work/notes/bench.lock`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { zstdCompressSync } from 'node:zlib';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { RecipeSchema } from '../schemas/recipe.ts';
import { planShards, readShard } from '../src/formats/index.ts';
import { ingest } from '../src/pipeline/stages/ingest/ingest.ts';
import type { BlobStore, ObjectInfo } from '../src/pipeline/store.ts';
import type { JobSpec } from '../src/pipeline/types.ts';
import { writeAlpacaLike } from './gen-alpaca.ts';

/** The first `n` rows of the JSONL that are Alpaca records, as JSONL text and as ZSTD Parquet of one row group. */
function memoryInputs(jsonl: string, n: number): { jsonl: Uint8Array; parquet: Uint8Array } {
  const rows: Record<string, string | null>[] = [];
  for (const line of readFileSync(jsonl, 'utf8').split('\n')) {
    if (rows.length >= n) break;
    try {
      const v = JSON.parse(line);
      if (typeof v?.instruction === 'string' && typeof v.output === 'string')
        rows.push({
          instruction: v.instruction,
          input: typeof v.input === 'string' ? v.input : null,
          output: v.output,
        });
    } catch {}
  }
  const names = ['instruction', 'input', 'output'];
  const file = join(OUT, `memory-${n}.parquet`);
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema: [
      { name: 'root', num_children: names.length },
      ...names.map((name) => ({
        name,
        type: 'BYTE_ARRAY' as const,
        converted_type: 'UTF8' as const,
        repetition_type: 'OPTIONAL' as const,
      })),
    ],
    codec: 'ZSTD',
    compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompressSync(input)) },
  });
  writer.write({
    columnData: names.map((name) => ({ name, data: rows.map((r) => r[name]) })),
    rowGroupSize: n,
  });
  writer.finish();
  const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  return { jsonl: new TextEncoder().encode(text), parquet: new Uint8Array(readFileSync(file)) };
}

/** Heap held by one ingest task over `bytes` (one shard): in use at its records.jsonl write, over before. */
async function heldBy(bytes: Uint8Array): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('--memory needs node --expose-gc');
  let peak = 0;
  const store = {
    head: async () => null,
    get: async () => null,
    range: async (_key: string, offset: number, length: number) => bytes.slice(offset, offset + length),
    put: async () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      return undefined;
    },
  };
  const object = { key: 'memory', size: bytes.length, etag: '' };
  const recipe = RecipeSchema.parse({ shardBytes: 64 * 1024 * 1024 });
  const spec: JobSpec = { id: 'memory', dataset: 'memory', objects: [object], recipe, createdAt: '' };
  const source = { size: bytes.length, read: async (o: number, n: number) => bytes.subarray(o, o + n) };
  const [range] = await planShards(source, { part: 0, shardBytes: recipe.shardBytes });
  gc();
  const before = process.memoryUsage().heapUsed;
  await ingest(store, spec, { shard: 0, range, indexOffset: 0, lineOffset: 0, multipart: false });
  return peak - before;
}

async function memory(jsonl: string, sizes: number[]): Promise<void> {
  const lines = [
    '| rows in the row group | uncompressed (JSONL) | heap held, Parquet | heap held, JSONL |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const n of sizes) {
    const inputs = memoryInputs(jsonl, n);
    const parquet = await heldBy(inputs.parquet);
    const text = await heldBy(inputs.jsonl);
    const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;
    lines.push(`| ${n} | ${mb(inputs.jsonl.length)} | ${mb(parquet)} | ${mb(text)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const SHARD_BYTES = 4 * 1024 * 1024;

/** A store over local files: ranges read with pread, writes counted and dropped. */
class FileStore implements BlobStore {
  written = 0;
  private fds = new Map<string, number>();
  private fd(key: string): number {
    let fd = this.fds.get(key);
    if (fd === undefined) this.fds.set(key, (fd = openSync(key, 'r')));
    return fd;
  }
  async head(key: string): Promise<ObjectInfo | null> {
    return existsSync(key) ? { key, size: statSync(key).size, etag: '' } : null;
  }
  async get(key: string): Promise<Uint8Array | null> {
    return existsSync(key) ? new Uint8Array(readFileSync(key)) : null;
  }
  async range(key: string, offset: number, length: number): Promise<Uint8Array> {
    const buf = new Uint8Array(length);
    const n = readSync(this.fd(key), buf, 0, length, offset);
    return buf.subarray(0, n);
  }
  async put(_key: string, data: Uint8Array | string): Promise<undefined> {
    this.written += typeof data === 'string' ? data.length : data.byteLength;
    return undefined;
  }
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
  }
}

/** Write `jsonl` as Parquet, `rowGroup` rows per row group; returns rows written and lines skipped. */
function toParquet(jsonl: string, file: string, codec: 'ZSTD' | 'SNAPPY', rowGroup: number) {
  const text = readFileSync(jsonl, 'utf8');
  const rows: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) rows.push(v);
      else skipped++;
    } catch {
      skipped++;
    }
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const schema = [
    { name: 'root', num_children: names.length },
    ...names.map((name) => ({
      name,
      type: 'BYTE_ARRAY' as const,
      converted_type: 'UTF8' as const,
      repetition_type: 'OPTIONAL' as const,
    })),
  ];
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema,
    codec,
    compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompressSync(input)) },
  });
  for (let at = 0; at < rows.length; at += rowGroup) {
    const batch = rows.slice(at, at + rowGroup);
    const columnData = names.map((name) => ({
      name,
      data: batch.map((r) => {
        const v = r[name];
        return v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
      }),
    }));
    writer.write({ columnData, rowGroupSize: rowGroup });
  }
  writer.finish();
  return { rows: rows.length, skipped };
}

interface Pass {
  seconds: number;
  records: number;
  valid: number;
  shards: number;
}

/** The plan, then the ingest stage's code over every shard, as the pipeline runs them. */
async function ingestPass(file: string): Promise<Pass> {
  const store = new FileStore();
  const object = (await store.head(file))!;
  const spec: JobSpec = {
    id: 'bench',
    dataset: 'bench',
    objects: [object],
    recipe: RecipeSchema.parse({ shardBytes: SHARD_BYTES }),
    createdAt: '',
  };
  const t0 = performance.now();
  const source = { size: object.size, read: (o: number, n: number) => store.range(file, o, n) };
  const ranges = await planShards(source, { part: 0, shardBytes: SHARD_BYTES, name: file });
  let records = 0;
  let valid = 0;
  for (const [shard, range] of ranges.entries()) {
    const t = await ingest(store, spec, { shard, range, indexOffset: 0, lineOffset: 0, multipart: false });
    records += t.records;
    valid += t.valid;
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  return { seconds, records, valid, shards: ranges.length };
}

/** Reading alone: every record as a JS object (JSONL lines through JSON.parse; Parquet rows as they come). */
async function readPass(file: string): Promise<Pass> {
  const store = new FileStore();
  const object = (await store.head(file))!;
  const source = { size: object.size, read: (o: number, n: number) => store.range(file, o, n) };
  const t0 = performance.now();
  const ranges = await planShards(source, { part: 0, shardBytes: SHARD_BYTES, name: file });
  let records = 0;
  let valid = 0;
  for (const range of ranges) {
    for await (const item of readShard(source, range, { name: file })) {
      records++;
      if ('value' in item) valid++;
      else if ('text' in item) {
        try {
          JSON.parse(item.text);
          valid++;
        } catch {}
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  return { seconds, records, valid, shards: ranges.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      codec: { type: 'string', default: 'ZSTD' },
      'row-group': { type: 'string' },
      memory: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const codec = values.codec as 'ZSTD' | 'SNAPPY';
  mkdirSync(OUT, { recursive: true });
  const jsonl = join(OUT, 'gen-1m.jsonl');
  if (!existsSync(jsonl)) {
    process.stderr.write('writing bench/out/gen-1m.jsonl …\n');
    writeAlpacaLike(jsonl, 1_000_000, 1);
  }
  if (values.memory) {
    await memory(jsonl, (values['row-group'] ?? '10000,50000').split(',').map(Number));
    return;
  }
  const rowGroup = Number(values['row-group'] ?? 10000);
  const parquet = join(OUT, `gen-1m-${codec.toLowerCase()}-rg${rowGroup}.parquet`);
  if (!existsSync(parquet)) {
    process.stderr.write(`writing ${parquet} …\n`);
    const { rows, skipped } = toParquet(jsonl, parquet, codec, rowGroup);
    process.stderr.write(`  ${rows} rows (${skipped} lines that are not JSON objects left out)\n`);
  }
  const forms = [
    { name: 'JSONL', file: jsonl },
    { name: `Parquet ${codec}, ${rowGroup} rows/group`, file: parquet },
  ];
  const results = new Map<string, { ingest: Pass[]; read: Pass[] }>();
  for (const f of forms) results.set(f.name, { ingest: [], read: [] });
  for (let r = 0; r < runs; r++) {
    for (const f of forms) {
      const res = results.get(f.name)!;
      res.read.push(await readPass(f.file));
      res.ingest.push(await ingestPass(f.file));
      process.stderr.write(
        `run ${r + 1} ${f.name}: read ${res.read.at(-1)!.seconds.toFixed(2)} s, ingest ${res.ingest.at(-1)!.seconds.toFixed(2)} s\n`,
      );
    }
  }
  const lines = [
    `| form | file MB | shards | records | pass | median s | rows/s | MB/s (file) |`,
    `| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |`,
  ];
  const rate: Record<string, Record<string, number>> = {};
  for (const f of forms) {
    const mb = statSync(f.file).size / 1e6;
    const res = results.get(f.name)!;
    for (const pass of ['read', 'ingest'] as const) {
      const s = median(res[pass].map((p) => p.seconds));
      const p = res[pass][0];
      rate[f.name] = { ...rate[f.name], [pass]: p.records / s };
      lines.push(
        `| ${f.name} | ${mb.toFixed(1)} | ${p.shards} | ${p.records} | ${pass} | ${s.toFixed(2)} | ${Math.round(p.records / s)} | ${(mb / s).toFixed(1)} |`,
      );
    }
  }
  const [a, b] = forms.map((f) => rate[f.name]);
  lines.push(
    '',
    `Parquet / JSONL rows/s: read ${(b.read / a.read).toFixed(2)}, ingest ${(b.ingest / a.ingest).toFixed(2)} (medians of ${runs} runs, one process, Node ${process.versions.node})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
