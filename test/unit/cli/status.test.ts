import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../schemas/api.ts';
import { fetchedReport, formatOpen, formatStatus, statusCode } from '../../../workers/cli/status.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-status-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const job: JobStatus = {
  id: 'j42',
  dataset: 'alpaca-0123456789',
  state: 'running',
  stage: 'score',
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:20.000Z',
  stages: [
    {
      name: 'ingest',
      state: 'done',
      shardsDone: 4,
      shardsTotal: 4,
      step: 1,
      recordsIn: 4000,
      recordsOut: 3900,
      errors: 0,
      seconds: 2,
    },
    {
      name: 'score',
      state: 'running',
      shardsDone: 1,
      shardsTotal: 4,
      step: 1,
      recordsIn: 975,
      recordsOut: 975,
      errors: 1,
      seconds: 3,
    },
  ],
};

describe('winnow status', () => {
  it('prints the state, the current stage and a line per stage', () => {
    expect(formatStatus(job).split('\n')).toEqual([
      'job       j42  running',
      'dataset   alpaca-0123456789',
      'stage     score',
      'created   2026-01-01T00:00:00.000Z    updated 2026-01-01T00:00:20.000Z',
      '',
      'ingest  [############################] 4/4 shards  4000 in → 3900 out  2.0s  2000 rec/s',
      'score   [#######.....................] 1/4 shards  975 in → 975 out  1 retried  3.0s  325 rec/s',
    ]);
    const failed = { ...job, state: 'failed' as const, error: 'task score/2 failed 3 times' };
    expect(formatStatus(failed)).toContain('\nerror     task score/2 failed 3 times\n');
  });

  it('exits 0 for a job done or running, 1 for one failed or cancelled', () => {
    expect(statusCode(job)).toBe(0);
    expect(statusCode({ ...job, state: 'done' })).toBe(0);
    expect(statusCode({ ...job, state: 'failed' })).toBe(1);
    expect(statusCode({ ...job, state: 'cancelled' })).toBe(1);
  });
});

describe('winnow open', () => {
  it('names the report and the console, and that they need the token', () => {
    const text = formatOpen('j42', { url: 'https://winnow.example.com/', file: null }, '.winnow');
    expect(text).toContain('report    https://winnow.example.com/v1/jobs/j42/report.html\n');
    expect(text).toContain('console   https://winnow.example.com/\n');
    expect(text).toContain('bearer token');
  });

  it('without a running local stack, says how to serve one, and names the fetched copy', () => {
    const text = formatOpen('j42', { url: null, file: '/tmp/out/report.html' }, 'st');
    expect(text).toMatch(/^no local stack runs on st: `winnow serve --state st`/);
    expect(text).toMatch(/\nfile {6}\/tmp\/out\/report\.html$/);
  });

  it("finds report.html in --out only beside that job's report.json", () => {
    const out = join(tmp, 'out');
    expect(fetchedReport(out, 'j42')).toBeNull();
    mkdirSync(out);
    writeFileSync(join(out, 'report.html'), '<!doctype html>');
    expect(fetchedReport(out, 'j42')).toBeNull(); // no report.json: whose is it?
    writeFileSync(join(out, 'report.json'), JSON.stringify({ job: 'j7' }));
    expect(fetchedReport(out, 'j42')).toBeNull();
    writeFileSync(join(out, 'report.json'), JSON.stringify({ job: 'j42' }));
    expect(fetchedReport(out, 'j42')).toBe(join(out, 'report.html'));
  });
});
