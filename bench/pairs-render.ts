/** The markdown tables bench/pairs.ts prints and writes to bench/out/<out>.md. */
import type { ChildResult } from './pairs-runs.ts';

function table(head: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}
const fixed = (n: number | undefined, d: number) => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(d));
export const int = (n: number | undefined) => (n === undefined ? '' : Math.round(n).toLocaleString('en-US'));

const STAGE_ORDER = ['plan', 'ingest', 'fit', 'score', 'embed', 'cluster', 'select', 'export', 'pairs'];

/** A run with the parent's step count, rates and ratios to the reference. */
export interface Row extends ChildResult {
  totalSteps: number;
  stepsPerSecond: number;
  rolloutsPerSecond: number;
  timeRatio: number;
  memoryRatio: number;
}

export function render(rows: Row[]): string {
  const main = table(
    [
      'run',
      'steps',
      'seconds',
      'steps/s',
      'rollouts/s',
      '× reference time',
      'peak RSS MB',
      '× reference RSS',
      'pairs',
    ],
    rows.map((r) => [
      r.run,
      int(r.totalSteps),
      fixed(r.seconds, 2),
      int(r.stepsPerSecond),
      int(r.rolloutsPerSecond),
      fixed(r.timeRatio, 1),
      fixed(r.peakRssMb, 0),
      fixed(r.memoryRatio, 1),
      int(r.pairs),
    ]),
  );
  const winnow = rows.filter((r) => r.mode !== 'reference');
  // Steps are `stage:step`, by stage, then in the order they ran (the sort is stable).
  const stepNames = [...new Set(winnow.flatMap((r) => Object.keys(r.stepTimes ?? {})))].sort(
    (a, b) => STAGE_ORDER.indexOf(a.split(':')[0]) - STAGE_ORDER.indexOf(b.split(':')[0]),
  );
  const local = winnow.filter((r) => r.mode === 'runLocal');
  const steps = table(
    ['run', ...stepNames.map((s) => `${s} s`), 'slowest task s', 'shards', 'partitions', 'store MB at end'],
    local.map((r) => {
      const slowest = Object.entries(r.stepTimes ?? {}).sort((a, b) => b[1].max - a[1].max)[0];
      return [
        r.run,
        ...stepNames.map((s) => {
          const st = r.stepTimes?.[s];
          return st ? `${st.seconds.toFixed(2)} (${st.tasks}×, HWM ${st.hwmMb.toFixed(0)} MB)` : '';
        }),
        slowest ? `${slowest[1].max.toFixed(2)} (${slowest[0]})` : '',
        String(r.memory.shards ?? ''),
        String(r.report?.partitions ?? ''),
        fixed(r.memory.storeMb as number, 0),
      ];
    }),
  );
  const stageNames = [...new Set(winnow.flatMap((r) => Object.keys(r.stages ?? {})))];
  const stages = table(
    ['run', ...stageNames.map((s) => `${s} s`), 'report s', 'stack start s', 'upload s', 'download s'],
    winnow.map((r) => [
      r.run,
      ...stageNames.map((s) => fixed(r.stages?.[s], 2)),
      fixed(r.pipelineSeconds, 2),
      fixed(r.timings.stackStart, 1),
      fixed(r.timings.upload, 1),
      fixed(r.timings.download, 2),
    ]),
  );
  const stack = winnow.filter((r) => r.mode === 'workers');
  const phases = ['start', 'upload', 'job', 'download'];
  const mem = table(
    ['run', ...phases.map((p) => `${p} peak MB`), 'processes at the job peak (MB)', 'driver MB'],
    stack.map((r) => {
      const by = (r.memory.byPhase ?? {}) as Record<string, number>;
      const at = (r.memory.jobAtPeak ?? {}) as Record<string, number>;
      return [
        r.run,
        ...phases.map((p) => fixed(by[p], 0)),
        Object.entries(at)
          .filter(([, mb]) => mb >= 1)
          .map(([p, mb]) => `${p.split(' ')[1]} ${mb.toFixed(0)}`)
          .join(', '),
        fixed(r.memory.driverPeakMb as number, 0),
      ];
    }),
  );
  const pairs = table(
    [
      'run',
      'strategy',
      'candidates',
      'pairs',
      'groups',
      'used',
      'skipped',
      'tasks used',
      'quota',
      'margin mean',
    ],
    rows.map((r) => {
      if (!r.report)
        return [
          r.run,
          'best-worst',
          int(r.pairs),
          int(r.pairs),
          int(r.groups),
          int(r.pairs),
          Object.entries(r.skipped ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          '',
          '',
          '',
        ];
      const p = r.report;
      return [
        r.run,
        String((p.strategy as { id: string }).id) +
          (p.budget.requested
            ? ` (budget ${p.budget.requested}${p.budget.balanced ? ', balanced' : ''})`
            : ''),
        int(p.candidates),
        int(p.pairs),
        int(p.groups.total),
        int(p.groups.used),
        Object.entries(p.groups.skipped)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        `${p.tasks.used}/${p.tasks.total}`,
        p.budget.quota === null ? '' : String(p.budget.quota),
        fixed(p.margin?.mean, 3),
      ];
    }),
  );
  const parts = [
    main,
    'seconds: reference = read the file + referencePairs; runLocal = read the file + memoryJob + runLocal; ' +
      'workers = POST /v1/jobs until the job is done (stack start and upload not included; see below). ' +
      'peak RSS: reference and runLocal = the process (maxRSS; runLocal’s MemoryStore holds the input and every ' +
      'intermediate object); workers = summed VmRSS of wrangler’s process tree (node + workerd), sampled every 100 ms, ' +
      'max over start, upload, job and download (the driving process excluded).',
    'Pairs:',
    pairs,
  ];
  if (local.length)
    parts.push(
      'runLocal, seconds per stage:iter (tasks run one after another; HWM = the process’s VmHWM when the step ended):',
      steps,
    );
  if (winnow.length) parts.push('Per stage, from report.stages (workers: includes queue waits):', stages);
  if (stack.length) parts.push('Workers stack memory, peak summed RSS by phase:', mem);
  return parts.join('\n\n');
}
