import { zstdCompressSync } from 'node:zlib';
import { gzipSync } from 'fflate';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import dolly from '../../../shared/data/dolly-3k.json';
import { toJsonlText, writeParquet } from '../support/parquet.ts';
import { api, lines, output, startJob, upload, waitForJob } from './helpers.ts';

// Issue #19: Parquet in, through the real Worker, R2 range reads, queues and Durable Objects on
// workerd, where the decompressors must be plain JavaScript (workerd compiles no WebAssembly from bytes).
// The files are written here with hyparquet-writer; ZSTD through workerd's node:zlib (test side only).

type Row = Record<string, unknown>;
const zstd = { ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompressSync(input)) };
const gzip = { GZIP: (input: Uint8Array) => gzipSync(input) };
const RECIPE = { shardBytes: 64 * 1024, select: { budget: '10%' } };

async function run(name: string, body: string | Uint8Array, recipe: unknown = RECIPE) {
  const res = await upload(name, body);
  expect(res.status, await res.clone().text()).toBe(201);
  const id = await startJob(name, recipe);
  const status = await waitForJob(id);
  expect(status.error).toBeNull();
  return {
    id,
    report: JSON.parse(await output(id, 'report.json')),
    selected: lines(await output(id, 'selected.jsonl')),
    invalid: lines(await output(id, 'invalid.jsonl')),
  };
}

/** A selected record across forms: its id (made from its index in its object and its content), index and hash. */
const picked = (ls: { id: string; source: { index: number }; hash: string }[]) =>
  ls.map((l) => [l.id, l.source.index, l.hash]);

describe('Parquet datasets on workerd', () => {
  it('a ZSTD file in row groups selects what its JSONL form selects', async () => {
    const rows = (dolly as Row[]).slice(0, 1500);
    const parquet = writeParquet(rows, { rowGroupSize: 200, codec: 'ZSTD', compressors: zstd });
    // The body is Parquet, not gzip: the upload stores it as it is.
    const a = await run('pq-dolly-zstd', parquet);
    const b = await run('pq-dolly-jsonl', toJsonlText(rows));
    expect(a.report.counts).toEqual(b.report.counts);
    expect(a.report.counts).toMatchObject({ input: 1500, valid: 1500, selected: 150 });
    expect(a.report.stages.ingest.shards).toBeGreaterThan(1);
    expect(picked(a.selected)).toEqual(picked(b.selected));
    expect(a.selected.map((l: { record: unknown }) => l.record)).toEqual(
      b.selected.map((l: { record: unknown }) => l.record),
    );
  });

  it('GZIP and a messages list-of-struct column', async () => {
    const rows = (alpaca as Row[]).slice(0, 800).map((r) => ({
      messages: [
        { role: 'user', content: `${r.instruction}\n${r.input}`.trim() },
        { role: 'assistant', content: r.output },
      ],
    }));
    const parquet = writeParquet(rows, {
      rowGroupSize: 128,
      codec: 'GZIP',
      compressors: gzip,
      messageColumns: ['messages'],
    });
    const a = await run('pq-msgs-gzip', parquet);
    const b = await run('pq-msgs-jsonl', toJsonlText(rows));
    expect(a.report.counts).toMatchObject({ input: 800, valid: 800, selected: 80 });
    expect(picked(a.selected)).toEqual(picked(b.selected));
  });

  it('a JSONL dataset with a Parquet part appended', async () => {
    const rows = (alpaca as Row[]).slice(0, 900);
    expect((await upload('pq-mixed', toJsonlText(rows.slice(0, 400)))).status).toBe(201);
    const part = await api('/v1/datasets/pq-mixed/parts/p1', {
      method: 'PUT',
      body: writeParquet(rows.slice(400), { rowGroupSize: 100, codec: 'ZSTD', compressors: zstd }),
    });
    expect(part.status, await part.clone().text()).toBe(201);
    const id = await startJob('pq-mixed', RECIPE);
    const status = await waitForJob(id);
    expect(status.error).toBeNull();
    const report = JSON.parse(await output(id, 'report.json'));
    expect(report.counts).toMatchObject({ input: 900, valid: 900, selected: 90 });
    const selected = lines(await output(id, 'selected.jsonl'));
    expect(new Set(selected.map((l: { source: { part: number } }) => l.source.part))).toEqual(
      new Set([0, 1]),
    );
  });

  it('a row group that does not decode: its rows are invalid, naming file, row group and column', async () => {
    const rows = (alpaca as Row[]).slice(0, 300);
    const bytes = writeParquet(rows, { rowGroupSize: 100 });
    // Tear the first page of row group 1's first column (instruction).
    const torn = bytes.slice();
    const meta = parquetMetadata(bytes).row_groups[1].columns[0].meta_data!;
    const at = Number(meta.dictionary_page_offset || meta.data_page_offset);
    torn.fill(0xff, at, at + 24);
    const res = await run('pq-torn', torn, { select: { budget: '100%' } });
    expect(res.report.counts).toMatchObject({ input: 300, valid: 200, invalid: 100 });
    expect(res.invalid.map((l: { source: { index: number } }) => l.source.index)).toEqual(
      Array.from({ length: 100 }, (_, i) => 100 + i),
    );
    expect(res.invalid[0].error.code).toBe('undecodable_row_group');
    expect(res.invalid[0].error.message).toMatch(
      /^Parquet file datasets\/pq-torn\/\.winnow\/v\/[0-9a-z]+\/upload, row group 1, column instruction: does not decode: /,
    );
  });

  it('a file cut short fails its job, naming the file', async () => {
    const bytes = writeParquet((alpaca as Row[]).slice(0, 200), { rowGroupSize: 100 });
    expect((await upload('pq-cut', bytes.subarray(0, bytes.length - 50))).status).toBe(201);
    const status = await waitForJob(await startJob('pq-cut', RECIPE));
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(
      /^plan shard 0: Parquet file datasets\/pq-cut\/\.winnow\/v\/[0-9a-z]+\/upload: starts with the Parquet magic PAR1 but does not end with it/,
    );
  });
});
