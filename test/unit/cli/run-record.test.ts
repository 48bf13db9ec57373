import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../schemas/api.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import {
  clearRunRecord,
  type RunRecord,
  readRunRecord,
  reattach,
  runRecordFile,
  writeRunRecord,
} from '../../../workers/cli/run-record.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-run-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const recipe = RecipeSchema.parse({ select: { budget: '30%' } });
const record: RunRecord = {
  job: 'jmx9abc0123456789',
  dataset: 'data-0123456789',
  target: 'local',
  started: '2026-12-06T10:00:00.000Z',
};
const status = (state: JobStatus['state'], error: string | null = null) => ({ state, error }) as JobStatus;

describe('the job a run started, recorded under --state', () => {
  it('is found again by the same target, dataset and recipe, and by nothing else', () => {
    const file = runRecordFile(tmp, 'local', 'data-0123456789', recipe);
    expect(dirname(file)).toBe(join(tmp, 'runs'));
    expect(
      runRecordFile(tmp, 'local', 'data-0123456789', RecipeSchema.parse({ select: { budget: '30%' } })),
    ).toBe(file);
    const others = [
      runRecordFile(tmp, 'https://winnow.example.workers.dev', 'data-0123456789', recipe),
      runRecordFile(tmp, 'local', 'data-9876543210', recipe),
      runRecordFile(tmp, 'local', 'data-0123456789', RecipeSchema.parse({ select: { budget: '20%' } })),
      runRecordFile(tmp, 'local', 'data-0123456789', RecipeSchema.parse({ shardBytes: 65536 })),
    ];
    expect(new Set([file, ...others]).size).toBe(5);
  });

  it('is written whole, read back, and cleared; a missing or broken file is no record', () => {
    const file = runRecordFile(tmp, 'local', 'rw', recipe);
    expect(readRunRecord(file)).toBeNull();
    writeRunRecord(file, record);
    expect(readRunRecord(file)).toEqual(record);
    clearRunRecord(file);
    expect(existsSync(file)).toBe(false);
    clearRunRecord(file);
    writeFileSync(file, '{"job": ');
    expect(readRunRecord(file)).toBeNull();
    writeFileSync(file, '{"other": 1}');
    expect(readRunRecord(file)).toBeNull();
  });
});

describe('reattach: what a run does with the job an earlier run started', () => {
  it('waits for a running job and downloads a finished one', () => {
    expect(reattach(record, status('running'))).toEqual({
      job: record.job,
      note: 'job jmx9abc0123456789 (started 2026-12-06T10:00:00.000Z by an earlier run of this command) is still running: reattaching to it',
    });
    expect(reattach(record, status('done'))).toEqual({
      job: record.job,
      note: 'job jmx9abc0123456789 (started 2026-12-06T10:00:00.000Z by an earlier run of this command) is done, its outputs not downloaded: downloading them',
    });
  });

  it('starts a new job, saying why, when the job failed, was cancelled or is unknown', () => {
    expect(
      reattach(record, status('failed', 'score shard 3 (failed 4 times): boom')).note,
    ).toMatchInlineSnapshot(
      `"job jmx9abc0123456789 (started 2026-12-06T10:00:00.000Z by an earlier run of this command) failed: score shard 3 (failed 4 times): boom; starting a new job"`,
    );
    expect(reattach(record, status('cancelled', 'cancelled by request'))).toMatchObject({ job: null });
    expect(reattach(record, null).note).toMatchInlineSnapshot(
      `"job jmx9abc0123456789 (started 2026-12-06T10:00:00.000Z by an earlier run of this command) is not known to the local stack; starting a new job"`,
    );
    expect(reattach({ ...record, target: 'https://w.example' }, null).note).toContain(
      'is not known to https://w.example; starting a new job',
    );
  });
});
