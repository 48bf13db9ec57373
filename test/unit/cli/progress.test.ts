import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { JobStatus, StageProgress } from '../../../schemas/api.ts';
import {
  formatDuration,
  formatRate,
  ProgressView,
  renderStages,
  stageRate,
} from '../../../workers/cli/progress.ts';

const stage = (over: Partial<StageProgress>): StageProgress => ({
  name: 'score',
  state: 'running',
  shardsDone: 0,
  shardsTotal: 20,
  step: 1,
  recordsIn: 0,
  recordsOut: 0,
  errors: 0,
  seconds: 0,
  ...over,
});

const status = (stages: StageProgress[]): JobStatus => ({
  id: 'j1',
  dataset: 'd',
  state: 'running',
  stage: 'score',
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  stages,
});

describe('progress rates and ETA', () => {
  it('formats rates and durations', () => {
    expect(formatRate(0.25)).toBe('0.3');
    expect(formatRate(9.94)).toBe('9.9');
    expect(formatRate(640.4)).toBe('640');
    expect(formatRate(12_345)).toBe('12.3k');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(44.2)).toBe('45s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3600 + 7 * 60 + 30)).toBe('1h07m');
  });

  it('gives records per second, and the time left at the pace so far', () => {
    // 5 of 20 shards in 12.5 s: 15 left at 2.5 s each.
    const st = stage({ shardsDone: 5, recordsIn: 8000, recordsOut: 7000, seconds: 12.5 });
    expect(stageRate(st)).toEqual({ rate: '640 rec/s', eta: '38s' });
    expect(renderStages(status([st]))).toEqual([
      'score   [#######.....................] 5/20 shards  8000 in → 7000 out  12.5s  640 rec/s  ETA 38s',
    ]);
  });

  it('gives no ETA until enough is done, and none once the stage is done', () => {
    // One shard, or under 5% of them, or under a second: a rate but no ETA.
    expect(stageRate(stage({ shardsDone: 1, recordsIn: 100, seconds: 4 }))).toEqual({ rate: '25 rec/s' });
    expect(stageRate(stage({ shardsDone: 4, shardsTotal: 100, recordsIn: 400, seconds: 8 }))).toEqual({
      rate: '50 rec/s',
    });
    expect(stageRate(stage({ shardsDone: 3, recordsIn: 300, seconds: 0.5 }))).toEqual({ rate: '600 rec/s' });
    // Nothing done: neither.
    expect(stageRate(stage({ seconds: 3 }))).toEqual({});
    expect(renderStages(status([stage({ shardsTotal: 0 })]))[0]).toBe(
      'score   [............................] waiting  0.0s',
    );
    // Done: its average rate, no ETA.
    expect(stageRate(stage({ state: 'done', shardsDone: 20, recordsIn: 30_000, seconds: 2 }))).toEqual({
      rate: '15.0k rec/s',
    });
  });

  it('counts tasks of stages that run in steps, with an ETA in the first step only', () => {
    const fit = stage({ name: 'fit', shardsDone: 3, shardsTotal: 4, seconds: 6 });
    expect(stageRate(fit)).toEqual({ rate: '0.5 tasks/s', eta: '2s' });
    expect(stageRate({ ...fit, step: 2 })).toEqual({ rate: '0.5 tasks/s' });
    expect(stageRate(stage({ name: 'plan', shardsDone: 2, shardsTotal: 2, seconds: 1 }))).toEqual({
      rate: '2.0 shards/s',
    });
  });

  it('prints a finished stage with its rate on a pipe', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const view = new ProgressView(out as unknown as NodeJS.WriteStream);
    view.update(status([stage({ shardsDone: 10, recordsIn: 500, seconds: 5 })]));
    expect(text).toBe('');
    view.update(
      status([
        stage({
          state: 'done',
          shardsDone: 20,
          shardsTotal: 20,
          recordsIn: 1000,
          recordsOut: 900,
          seconds: 8,
        }),
      ]),
    );
    expect(text).toBe(
      'score   [############################] 20/20 shards  1000 in → 900 out  8.0s  125 rec/s\n',
    );
  });
});
