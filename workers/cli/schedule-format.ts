import type { Diff, DiffEntry, Run, Schedule } from '../../schemas/schedule.ts';

/** How the schedule commands print schedules, runs and diffs. */

export function formatSchedule(s: Schedule): string {
  const recipe = s.recipeRef
    ? `the recipe of job ${s.recipeRef}`
    : s.recipe
      ? `given: budget ${s.recipe.select.budget}, strategy ${s.recipe.select.strategy.id}, scorers ${s.recipe.scorers.map((r) => r.id).join(' ')}`
      : 'the default recipe';
  return [
    `dataset   ${s.dataset}`,
    `when      ${s.cron !== undefined ? `cron "${s.cron}" (UTC)` : `every ${s.every}`}`,
    `recipe    ${recipe}`,
    `enabled   ${s.enabled ? 'yes' : 'no'}    retries ${s.retries}`,
    `next due  ${s.nextDue ?? 'never'}`,
    `updated   ${s.updatedAt}`,
  ].join('\n');
}

const dash = (v: number | string | null | undefined) => (v === null || v === undefined ? '–' : String(v));

/** One line for a run: its state and, once finished, what it selected and computed. */
export function runLine(r: Run): string {
  const head = `run ${r.seq} ${r.run} ${r.state}`;
  if (r.state === 'failed' || r.state === 'cancelled') return `${head}: ${r.error ?? 'no reason given'}`;
  const s = r.summary;
  if (!s) return head;
  const diff = s.entered === undefined ? '' : `, ${s.entered} entered, ${s.left} left`;
  return `${head}: ${s.selected} of ${s.input} selected, ${s.computed} cells computed, ${s.cached} from cache${diff}, ${s.seconds.toFixed(1)}s`;
}

/** Left-aligned columns, numbers right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const numeric = rows[0].map((_, i) => rows.slice(1).every((r) => /^[\d/–]+$/.test(r[i])));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatRuns(list: { dataset: string; latest: string | null; runs: Run[] }): string {
  if (list.runs.length === 0) return `no runs of ${list.dataset} yet\nlatest  none`;
  const head = [
    'seq',
    'run',
    'state',
    'trigger',
    'tick',
    'selected',
    'computed/cached',
    'entered/left',
    'error',
  ];
  const rows = list.runs.map((r) => {
    const s = r.summary;
    const error = r.error ? (r.error.length > 60 ? `${r.error.slice(0, 59)}…` : r.error) : '';
    return [
      String(r.seq),
      r.run,
      r.state,
      r.trigger,
      r.tick.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      dash(s?.selected),
      s ? `${s.computed}/${s.cached}` : '–',
      s?.entered === undefined ? '–' : `${s.entered}/${s.left}`,
      error,
    ];
  });
  const latest = list.runs.find((r) => r.run === list.latest);
  return `${table([head, ...rows])}\nlatest  ${list.latest ? `${list.latest}${latest ? ` (run ${latest.seq})` : ''}` : 'none'}`;
}

const num = (v: number | null) => (v === null ? '–' : v.toFixed(4));
const causes = (by: Record<string, number>) =>
  Object.entries(by)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '–';

function entryLine(e: DiffEntry): string {
  const side = (index: number | null, reason: string | null) =>
    index === null ? 'absent' : (reason ?? 'selected');
  const reason = `${side(e.index.before, e.reason.before)} → ${side(e.index.after, e.reason.after)}`;
  return `  ${e.change === 'entered' ? '+' : '-'} ${e.id}  ${e.cause.padEnd(9)}  rank ${num(e.rank.before)} → ${num(e.rank.after)}  ${reason}`;
}

export function formatDiff(d: Diff, first = 5): string {
  const c = d.counts;
  const list = (name: string, entries: DiffEntry[], total: number) =>
    entries.length === 0
      ? []
      : [
          '',
          `${name} (first ${Math.min(first, entries.length)} of ${total}):`,
          ...entries.slice(0, first).map(entryLine),
        ];
  return [
    `run ${d.run} against ${d.previous}`,
    `selected   ${c.before} → ${c.after}  (entered ${c.entered}, left ${c.left}, stayed ${c.stayed})`,
    `records    ${c.newRecords} new, ${c.removedRecords} removed, ${c.rescored} rescored`,
    `entered    ${causes(c.byCause.entered)}`,
    `left       ${causes(c.byCause.left)}`,
    `threshold  ${num(d.threshold.before)} → ${num(d.threshold.after)}`,
    ...list('entered', d.entered, c.entered),
    ...list('left', d.left, c.left),
  ].join('\n');
}
