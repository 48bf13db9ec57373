import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/output.ts';
import { loadRecipe, parseExportFormats, summary } from '../../../workers/cli/run.ts';
import { scheduleBody } from '../../../workers/cli/schedule.ts';

const dir = mkdtempSync(join(tmpdir(), 'winnow-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('winnow run --export', () => {
  it('takes a comma-separated list of formats, each once', () => {
    expect(parseExportFormats('trl')).toEqual(['trl']);
    expect(parseExportFormats('trl, alpaca,llamafactory')).toEqual(['trl', 'alpaca', 'llamafactory']);
    expect(parseExportFormats('trl,parquet')).toEqual(['trl', 'parquet']);
    expect(() => parseExportFormats('trl,openai')).toThrow(
      '--export takes a comma-separated list of trl, alpaca, sharegpt, llamafactory, axolotl, parquet; "openai" is not one of them',
    );
    expect(() => parseExportFormats('')).toThrow('"" is not one of them');
    expect(() => parseExportFormats('trl,alpaca,trl')).toThrow('--export lists "trl" twice');
  });

  it("replaces the recipe's formats and keeps its weight setting", () => {
    const file = join(dir, 'recipe.json');
    writeFileSync(file, JSON.stringify({ export: { formats: ['sharegpt'], weight: false } }));
    const rest = { card: true, license: 'unknown' };
    expect(loadRecipe({ recipe: file }).export).toEqual({
      formats: ['sharegpt'],
      weight: false,
      parquet: false,
      ...rest,
    });
    expect(loadRecipe({ recipe: file, exportFormats: ['trl', 'axolotl'] }).export).toEqual({
      formats: ['trl', 'axolotl'],
      weight: false,
      parquet: false,
      ...rest,
    });
    expect(loadRecipe({ exportFormats: ['alpaca'] }).export).toEqual({
      formats: ['alpaca'],
      weight: true,
      parquet: false,
      ...rest,
    });
    // `parquet` in the list turns on export.parquet.
    expect(loadRecipe({ exportFormats: ['trl', 'parquet'] }).export).toMatchObject({
      formats: ['trl'],
      parquet: true,
    });
  });

  it('schedule set sends a recipe when only --export shapes it', () => {
    expect(scheduleBody({ every: '1d', exportFormats: ['trl'] }).recipe).toMatchObject({
      export: { formats: ['trl'] },
    });
  });

  it('the summary names the rows written and what was left out', () => {
    const report = {
      counts: { input: 40, valid: 40, invalid: 0, selected: 35, rejected: 5 },
      rejectedByReason: { budget: 5 },
      budget: { reachable: true },
      scoring: { computed: 40, cached: 0 },
      seconds: 1.25,
      outputs: ['selected.jsonl', 'train.jsonl', 'dataset_info.json', 'report.json'],
      export: {
        formats: ['llamafactory'],
        weight: true,
        files: [{ name: 'train.jsonl', rows: 32 }, { name: 'dataset_info.json' }],
        exported: 32,
        notExported: 3,
        notExportedByReason: { not_alternating: 2, ends_with_user: 1 },
        examples: {},
      },
    } as unknown as Report;
    expect(summary(report, '/tmp/out').split('\n')).toContain(
      'exported  32 rows to train.jsonl; 3 not exported (not_alternating 2, ends_with_user 1), see report.json',
    );
  });
});
