import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFile } from '../../support/data.ts';
import { duckRows } from '../../support/duckdb.ts';
import { writeParquet } from '../../support/parquet.ts';
import { jsonl, winnowRunShared } from './helpers.ts';

/**
 * Issue #19's newcomer path through the real CLI and the e2e tier's stack: a Parquet dataset in,
 * `--export trl,parquet`, and out files a trainer loads as they are (one type per column), with the
 * dataset card and provenance beside them.
 */

const tmp = mkdtempSync(join(tmpdir(), 'winnow-parquet-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sql = duckRows;

describe('winnow run data.parquet --export trl,parquet', () => {
  it('writes train.jsonl and data/train-*.parquet that load as one table, the card and provenance', async () => {
    const rows = (JSON.parse(readFileSync(dataFile('dolly-3k.json'), 'utf8')) as Record<string, unknown>[])
      .slice(0, 1200)
      .map(({ instruction, input, output }) => ({ instruction, input, output }));
    const input = join(tmp, 'dolly.parquet');
    writeFileSync(input, writeParquet(rows, { rowGroupSize: 300 }));
    const out = join(tmp, 'out');
    await winnowRunShared(input, out, ['--budget', '25%', '--export', 'trl,parquet']);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.counts).toMatchObject({ input: 1200, selected: 300 });
    const train = jsonl(join(out, 'train.jsonl'));
    expect(train).toHaveLength(report.export.exported);
    const types = async (from: string) =>
      Object.fromEntries(
        (await sql(`DESCRIBE SELECT * FROM ${from}`)).map((r) => [r.column_name, r.column_type]),
      );
    const MESSAGES = 'STRUCT("role" VARCHAR, "content" VARCHAR)[]';
    expect(await types(`read_json_auto('${join(out, 'train.jsonl')}', sample_size=-1)`)).toEqual({
      messages: MESSAGES,
      weight: 'DOUBLE',
    });
    const parts = readdirSync(join(out, 'data'));
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts)
      expect(p).toMatch(new RegExp(`^train-\\d{5}-of-${String(parts.length).padStart(5, '0')}\\.parquet$`));
    expect(await types(`read_parquet('${join(out, 'data')}/*.parquet')`)).toEqual({
      messages: MESSAGES,
      weight: 'DOUBLE',
    });
    expect(
      await sql(`SELECT count(*)::INT AS n FROM read_parquet('${join(out, 'data')}/*.parquet')`),
    ).toEqual([{ n: train.length }]);
    // The card names the Parquet trainer rows as the default config; provenance hashes the input file.
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain('    path: "data/train-*.parquet"');
    expect(card).toContain(`    num_examples: ${train.length}`);
    const prov = JSON.parse(readFileSync(join(out, 'provenance.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    expect(prov.inputs[0].sha256).toBe(createHash('sha256').update(readFileSync(input)).digest('hex'));
  }, 240_000);
});
