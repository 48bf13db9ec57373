import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The markdown tables `npm run bench` prints. */

export interface Row {
  dataset: string;
  records: number;
  mode: 'reference' | 'winnow';
  /** Wall-clock seconds of every run. */
  runs: number[];
  /** Median wall-clock seconds. */
  seconds: number;
  recordsPerSecond: number;
  /** Max over runs. */
  peakRssMb: number;
  /** The report's own `seconds` (median), i.e. without process and stack start-up. */
  pipelineSeconds: number;
  /** Median seconds per stage, from the report. */
  stages: Record<string, number>;
  /** The score stage's records/s over the same scorers' in one process (1m only). */
  scoreShare?: number;
  counts: { input: number; valid: number; invalid: number; selected: number; rejected: number };
  /** winnow / reference, on the winnow row. */
  timeRatio?: number;
  memoryRatio?: number;
  /** winnow: RSS MB per process (`<pid> <name>`) at the peak of the run with the highest peak. */
  atPeak?: Record<string, number>;
}

const STAGES = ['plan', 'ingest', 'fit', 'score', 'select', 'export'];

function table(head: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

const fixed = (n: number | undefined, d: number) => (n === undefined ? '' : n.toFixed(d));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderTables(rows: Row[]): string {
  const main = table(
    ['dataset', 'records', 'mode', 'seconds', 'records/s', 'peak RSS MB', 'pipeline s', 'time ×', 'memory ×'],
    rows.map((r) => [
      r.dataset,
      int(r.records),
      r.mode,
      fixed(r.seconds, 2),
      int(r.recordsPerSecond),
      fixed(r.peakRssMb, 0),
      fixed(r.pipelineSeconds, 2),
      fixed(r.timeRatio, 1),
      fixed(r.memoryRatio, 1),
    ]),
  );
  const winnow = rows.filter((r) => r.mode === 'winnow');
  if (!winnow.length) return main;
  const stages = table(
    ['dataset', 'mode', ...STAGES.map((s) => `${s} s`)],
    rows.map((r) => [r.dataset, r.mode, ...STAGES.map((s) => fixed(r.stages[s], 2))]),
  );
  return `${main}\n\nPer-stage seconds (from report.json; stage time includes queue waits for winnow):\n\n${stages}`;
}

/**
 * A bench's last step: `<dir>/<name>.json` (the results) and `<name>.md` (the printed text), then
 * the exit code, 1 when a check failed.
 */
export function writeResults(
  dir: string,
  name: string,
  out: { seconds: number; failures: string[] },
  text: string,
): number {
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), `${text}\n`);
  process.stderr.write(
    `results in ${join(dir, `${name}.json`)} and ${name}.md (${out.seconds.toFixed(0)} s)\n`,
  );
  if (out.failures.length === 0) return 0;
  process.stdout.write(`\nFAIL: ${out.failures.length} check(s) failed\n`);
  return 1;
}
