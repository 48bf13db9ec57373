import type { DryRun } from '../../schemas/dryrun.ts';
import { CHARS_PER_TOKEN } from './model-uses.ts';

/** Columns padded to their widest cell; numbers (and the header above them) right-aligned. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const numeric = rows[0].map((_, c) => rows.slice(1).every((r) => /^[\d.,≤ -]*$/.test(r[c])));
  return rows.map((r) =>
    (
      indent + r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')
    ).trimEnd(),
  );
}

const int = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rank = (x: number | null) => (x === null ? '-' : x.toFixed(6));

/** Why the job would fail: each provider whose projected requests exceed its requestBudget. */
export function overBudgetLines(d: DryRun): string[] {
  return d.providers
    .filter((p) => p.overBudget)
    .map(
      (p) =>
        `provider "${p.name}": ${int(p.requests)} requests projected, over its requestBudget of ${int(p.requestBudget)}; raise providers.${p.name}.requestBudget in the recipe, or score fewer records with the model`,
    );
}

/** The dry run as `winnow run --dry-run` prints it. */
export function dryRunText(d: DryRun): string {
  const c = d.counts;
  const p = d.projected;
  const out = [
    `dry run of ${d.input}: nothing uploaded, no model called (${d.seconds.toFixed(1)}s)`,
    '',
    `input     ${int(c.input)} records (every one read)`,
    `valid     ${int(c.valid)}    invalid ${int(c.invalid)}${
      Object.keys(d.invalidByCode).length
        ? `  (${Object.entries(d.invalidByCode)
            .map(([k, n]) => `${k} ${int(n)}`)
            .join(', ')})`
        : ''
    }`,
    ...d.invalidExamples.map((e) => `          ${e.at}: ${e.message}`),
    `sample    ${int(d.sample.records)} valid records (hash-uniform, seed ${d.sample.seed}), budget ${d.sample.budget}`,
    `scorers   ${d.scorers.join(', ') || '(none)'}`,
    ...d.leftOut.map((l, i) => `${i === 0 ? 'left out' : '        '}  ${l.path}: ${l.why}`),
    '',
    `projected for all ${int(c.valid)} valid records, from the sample:`,
  ];
  const reasons = Object.entries(p.rejectedByReason);
  if (reasons.length > 0) {
    out.push(
      ...table([
        ['rejected', 'records', 'share'],
        ...reasons.map(([r, n]) => [r, int(n), pct(c.valid ? n / c.valid : 0)]),
      ]),
    );
  }
  out.push(
    `  dedup rate  ${pct(p.dedupRate)} of valid records are duplicates`,
    `  candidates  ${int(p.candidates)}`,
    `  selected    ${int(p.selected)}  (budget ${p.budget.requested}: ${int(p.budget.target)}${p.budget.reachable ? '' : ', not reachable: every candidate selected'})`,
    `  cut         rank ${rank(p.cut.lowestSelected)} lowest selected, ${rank(p.cut.highestCut)} highest cut by the budget${p.strategy === 'topk' ? '' : ` (${p.strategy}: the cut falls per cluster)`}`,
  );
  if (d.models.length > 0) {
    out.push('', `model requests for the whole dataset (tokens at ${CHARS_PER_TOKEN} characters each):`);
    out.push(
      ...table([
        ['use', 'scorer', 'provider', 'records', 'requests', 'prompt tokens', 'completion tokens'],
        ...d.models.map((m) => [
          m.path,
          m.id,
          m.provider,
          int(m.records),
          int(m.requests),
          int(m.promptTokens),
          m.completionTokens ? `≤ ${int(m.completionTokens)}` : '0',
        ]),
      ]),
      ...d.models.map((m) => `  ${m.path}: ${m.note}`),
    );
  }
  if (d.providers.length > 0) {
    out.push('', 'providers:');
    out.push(
      ...table([
        ['provider', 'requests', 'requestBudget', 'tokens', 'cost', ''],
        ...d.providers.map((v) => [
          v.name,
          int(v.requests),
          int(v.requestBudget),
          int(v.tokens),
          v.cost === undefined ? '-' : `${v.cost.toFixed(2)}`,
          v.overBudget ? 'OVER BUDGET' : 'ok',
        ]),
      ]),
    );
  }
  return out.join('\n');
}
