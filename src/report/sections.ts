import type { StageProgress } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import { DEFAULT_FILTERS, type Filter } from '../../schemas/recipe.ts';
import type { ReportData } from '../../schemas/report-data.ts';
import { esc, num, pct, slug } from './escape.ts';
import { examplesList, invalidList } from './examples.ts';
import { clusterColour, histogramSvg, type Marker, scatterSvg } from './svg.ts';

type Recipe = {
  scorers?: { id: string }[];
  select?: { filters?: Filter[]; rank?: { terms?: { score: string; weight: number }[]; normalize?: string } };
};

const table = (head: readonly string[], rows: readonly (readonly string[])[], cls = '') =>
  `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

/** The counts, and whether input = selected + rejected + invalid holds. */
export function countsSection(report: Report): string {
  const c = report.counts;
  const sum = c.selected + c.rejected + c.invalid;
  const ok = sum === c.input;
  const cell = (label: string, n: number, cls: string) =>
    `<div class="count ${cls}"><div class="n" data-count="${cls}">${esc(num(n))}</div><div>${esc(label)}</div></div>`;
  const pairs = report.pairs
    ? `<p>${esc(num(report.pairs.pairs))} pairs from ${esc(num(report.pairs.groups.used))} of ${esc(num(report.pairs.groups.total))} groups.</p>`
    : '';
  const reserves = (report.selection.reserve ?? []).map(
    (r) =>
      `<li>${esc(r.name)}: ${esc(num(r.kept))} of ${esc(num(r.wanted))} wanted, of ${esc(num(r.matched))} matching candidates${r.short ? ' <b>(short)</b>' : ''}; ${esc(num(r.selected))} matching records selected</li>`,
  );
  const reserved = reserves.length
    ? `<p>Reserved inside the budget:</p><ul class="reserves">${reserves.join('')}</ul>`
    : '';
  return section(
    'counts',
    'Counts',
    `<div class="counts">${cell('input', c.input, 'input')}<div class="op">=</div>${cell('selected', c.selected, 'selected')}<div class="op">+</div>${cell('rejected', c.rejected, 'rejected')}<div class="op">+</div>${cell('invalid', c.invalid, 'invalid')}</div>
<p class="accounting ${ok ? 'ok' : 'bad'}">${ok ? 'Every input record is accounted for' : `The counts do not add up: ${esc(num(sum))} accounted for`}: ${esc(num(c.input))} = ${esc(num(c.selected))} + ${esc(num(c.rejected))} + ${esc(num(c.invalid))}. ${esc(num(c.valid))} valid; selected ${esc(pct(c.selected, c.valid))} of the valid records (budget ${esc(String(report.budget.requested))}, target ${esc(num(report.budget.target))}${report.budget.reachable ? '' : ', not reachable'}).</p>${pairs}${reserved}`,
  );
}

/** The filters a recipe applies (its own, or the defaults of the scorers it runs). */
export function recipeFilters(recipe: Recipe): Filter[] {
  const own = recipe.select?.filters;
  if (own) return own;
  const ids = new Set((recipe.scorers ?? []).map((s) => s.id));
  return DEFAULT_FILTERS.filter((d) => ids.has(d.scorer)).map((d) => d.filter);
}

/** Per score: a histogram of selected against not selected, with the filter bounds and the budget cut marked. */
export function scoresSection(report: Report, data: ReportData | undefined): string {
  const recipe = (report.recipe ?? {}) as Recipe;
  const filters = recipeFilters(recipe);
  const terms = recipe.select?.rank?.terms ?? [];
  const cut = report.threshold?.rank;
  const single = terms.length === 1 && terms[0].weight > 0 ? terms[0].score : undefined;
  const charts: string[] = [];
  const fromData = data?.histograms ?? {};
  const names =
    Object.keys(fromData).length > 0 ? Object.keys(fromData) : Object.keys(report.selection.histograms);
  for (const name of names.sort()) {
    const d = fromData[name];
    const h =
      d ??
      (() => {
        const r = report.selection.histograms[name];
        return {
          min: r.min,
          max: r.max,
          selected: r.after,
          rejected: r.before.map((b, i) => b - (r.after[i] ?? 0)),
        };
      })();
    const markers: Marker[] = [];
    for (const f of filters.filter((f) => f.score === name)) {
      if (f.min !== undefined) markers.push({ at: f.min, label: `filter min ${num(f.min)}`, kind: 'filter' });
      if (f.max !== undefined) markers.push({ at: f.max, label: `filter max ${num(f.max)}`, kind: 'filter' });
    }
    if (cut !== undefined && single === name) {
      const at = recipe.select?.rank?.normalize === 'minmax' ? h.min + cut * (h.max - h.min) : cut;
      markers.push({ at, label: `budget cut ${num(at)}`, kind: 'cut' });
    }
    const s = report.scores[name];
    const stats = s
      ? `mean ${num(s.mean)}, std ${num(s.std)}, min ${num(s.min)}, max ${num(s.max)} over ${num(s.count)} records`
      : '';
    charts.push(
      `<figure class="score-chart" data-score="${esc(name)}">${histogramSvg({ title: `${name}: selected and not selected`, min: h.min, max: h.max, lower: h.selected, upper: h.rejected, labels: ['selected', 'not selected'], markers })}<figcaption><b>${esc(name)}</b> ${esc(stats)}</figcaption></figure>`,
    );
  }
  if (data?.rank) {
    const r = data.rank;
    charts.push(
      `<figure class="rank-chart">${histogramSvg({ title: 'rank: selected and not selected', min: 0, max: 1, lower: r.selected, upper: r.rejected, labels: ['selected', 'not selected'], markers: cut !== undefined ? [{ at: cut, label: `budget cut ${num(cut)}`, kind: 'cut' }] : [] })}<figcaption><b>rank</b>, the value the budget is cut on (${esc(num(r.filtered))} records a filter rejected have no rank)</figcaption></figure>`,
    );
  }
  const legend =
    '<p class="legend"><span class="sw lo"></span> selected <span class="sw hi"></span> not selected <span class="sw filter"></span> filter bound <span class="sw cut"></span> budget cut</p>';
  return section(
    'scores',
    'Scores',
    charts.length
      ? `${legend}<div class="charts">${charts.join('')}</div>`
      : '<p class="empty">no scores</p>',
  );
}

/** Rejections by reason, with paged examples of each; a duplicate shows the record it duplicates. */
export function rejectionsSection(report: Report, data: ReportData | undefined): string {
  const reasons = Object.entries(report.rejectedByReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0)
    return section('rejections', 'Rejections', '<p class="empty">nothing was rejected</p>');
  const rows = reasons.map(([r, n]) => [
    `<a href="#reason-${esc(slug(r))}">${esc(r)}</a>`,
    `<span class="reason-count" data-reason="${esc(r)}">${esc(num(n))}</span>`,
    esc(pct(n, report.counts.rejected)),
  ]);
  const blocks = reasons.map(([r, n]) => {
    const list = data?.rejected[r] ?? [];
    const shown = data ? `${num(list.length)} of ${num(n)} shown` : 'no examples (report-data.json missing)';
    return `<div class="reason-block" id="reason-${esc(slug(r))}" data-reason="${esc(r)}"><h3>${esc(r)} <span class="reason-count" data-reason="${esc(r)}">${esc(num(n))}</span></h3><p class="shown">${esc(shown)}</p>${data ? examplesList(`ex-${r}`, list, data.originals) : ''}</div>`;
  });
  return section(
    'rejections',
    'Rejections by reason',
    table(['reason', 'records', 'share'], rows) + blocks.join(''),
  );
}

export function selectedSection(report: Report, data: ReportData | undefined): string {
  if (!data || report.pairs) return '';
  return section(
    'selected',
    'Selected examples',
    `<p class="shown">${esc(num(data.selected.length))} of ${esc(num(report.counts.selected))} shown</p>${examplesList('ex-selected', data.selected, data.originals)}`,
  );
}

/** Clusters: sizes, score means, selection per cluster, the 2-D map, examples of each. */
export function clustersSection(report: Report, data: ReportData | undefined): string {
  const c = report.clusters;
  if (!c) return '';
  const scoreNames = [...new Set(c.scoreMeans.flatMap((m) => Object.keys(m)))].sort();
  const per = report.selection.perCluster ?? [];
  const rows = c.sizes.map((size, i) => [
    `<span class="sw" style="background:${clusterColour(i)}"></span> ${i}`,
    esc(num(size)),
    esc(num(per[i]?.selected ?? 0)),
    ...scoreNames.map((s) => esc(c.scoreMeans[i]?.[s] !== undefined ? num(c.scoreMeans[i][s]) : '–')),
  ]);
  const head = ['cluster', 'records', 'selected', ...scoreNames.map((s) => `mean ${esc(s)}`)];
  const map = data?.map
    ? `<figure class="map-chart">${scatterSvg('clusters: a sample of the embeddings on their first two principal components', data.map.points)}<figcaption>${esc(num(data.map.points.length))} records (up to ${esc(num(data.caps.mapPerCluster))} per cluster), projected on the sample's first two principal components (${esc(pct(data.map.explained[0], 1))} and ${esc(pct(data.map.explained[1], 1))} of its variance)</figcaption></figure>`
    : '';
  const examples = (data?.clusters ?? [])
    .map(
      (g) =>
        `<div class="cluster" id="cluster-${g.cluster}"><h3><span class="sw" style="background:${clusterColour(g.cluster)}"></span> cluster ${g.cluster}</h3>${examplesList(`ex-cluster-${g.cluster}`, g.examples, data?.originals ?? {})}</div>`,
    )
    .join('');
  const fit = `${esc(c.algorithm)}, k = ${esc(c.k)}, ${esc(c.iterations)} iterations${c.converged ? ', converged' : ''}; fitted on ${esc(c.fit.path === 'sample' ? `a sample of ${num(c.fit.sample)}` : 'every record')}`;
  return section('clusters', 'Clusters', `<p>${fit}</p>${table(head, rows)}${map}${examples}`);
}

export function invalidSection(report: Report, data: ReportData | undefined): string {
  if (report.counts.invalid === 0)
    return section('invalid', 'Invalid lines', '<p class="empty">no invalid lines</p>');
  const list = data?.invalid ?? [];
  return section(
    'invalid',
    'Invalid lines',
    `<p class="shown">${esc(num(list.length))} of ${esc(num(report.counts.invalid))} shown; invalid.jsonl has every one</p>${invalidList(list)}`,
  );
}

/** A pairs job: the margin distribution, pairs per task, skipped groups by reason. */
export function pairsSection(report: Report, data: ReportData | undefined): string {
  const p = report.pairs;
  if (!p) return '';
  const parts: string[] = [
    `<p>${esc(num(p.pairs))} pairs of ${esc(num(p.candidates))} candidates, strategy ${esc(String(p.strategy.id ?? ''))}, ranked by ${esc(p.score)}, grouped by ${esc(p.groupBy)}; ${esc(num(p.tasks.used))} of ${esc(num(p.tasks.total))} tasks gave pairs.</p>`,
  ];
  const m = data?.pairs?.margins;
  if (m)
    parts.push(
      `<figure class="margin-chart">${histogramSvg({ title: 'margin: chosen score − rejected score', min: m.min, max: m.max, lower: m.counts, upper: [], labels: ['pairs', ''] })}<figcaption><b>margin</b> over every pair${p.margin ? `: mean ${esc(num(p.margin.mean))}` : ''}</figcaption></figure>`,
    );
  else if (p.margin)
    parts.push(
      `<p>margin: mean ${esc(num(p.margin.mean))}, min ${esc(num(p.margin.min))}, max ${esc(num(p.margin.max))}</p>`,
    );
  if (data?.pairs?.perTask.length)
    parts.push(
      `<h3>Pairs per task</h3>${table(
        ['pairs', 'tasks'],
        data.pairs.perTask.map((r) => [esc(num(r.pairs)), esc(num(r.tasks))]),
      )}`,
    );
  const skipped = Object.entries(p.groups.skipped);
  parts.push(
    `<h3>Skipped groups</h3>${
      skipped.length
        ? table(
            ['reason', 'groups', 'examples'],
            skipped.map(([r, n]) => [esc(r), esc(num(n)), (p.groups.examples[r] ?? []).map(esc).join(', ')]),
          )
        : '<p class="empty">none</p>'
    }`,
  );
  return section('pairs', 'Pairs', parts.join(''));
}

/** A scheduled run compared with the previous one: who entered and who left, and why. */
export function diffSection(report: Report, data: ReportData | undefined): string {
  const d = report.diff;
  if (!d) return '';
  const counts = Object.entries(d.counts)
    .map(([k, v]) => `${esc(k)} ${esc(typeof v === 'number' ? num(v) : JSON.stringify(v))}`)
    .join(', ');
  const list = (title: string, entries: NonNullable<ReportData['diff']>['entered']) =>
    `<h3>${esc(title)}</h3>${
      entries.length
        ? table(
            ['record', 'cause', 'rank before', 'rank after', 'reason before', 'reason after'],
            entries.map((e) => [
              `<span class="id">${esc(e.id)}</span>`,
              esc(typeof e.cause === 'string' ? e.cause : JSON.stringify(e.cause)),
              esc(e.rank.before === null ? '–' : num(e.rank.before)),
              esc(e.rank.after === null ? '–' : num(e.rank.after)),
              esc(e.reason.before ?? '–'),
              esc(e.reason.after ?? '–'),
            ]),
          )
        : '<p class="empty">none</p>'
    }`;
  return section(
    'diff',
    'Changes since the previous run',
    `<p>Compared with job <span class="id">${esc(d.previous)}</span>: ${counts}.</p>${data?.diff ? list('Entered', data.diff.entered) + list('Left', data.diff.left) : ''}`,
  );
}

/** The recipe, the scorers' versions (their cache columns), and the time per stage. */
export function runSection(
  report: Report | undefined,
  data: ReportData | undefined,
  stages: readonly StageProgress[] | undefined,
  recipe?: unknown,
): string {
  const parts: string[] = [];
  const times: string[][] = report
    ? Object.entries(report.stages).map(([name, s]) => [
        esc(name),
        esc(num(s.seconds)),
        esc(num(s.records)),
        esc(num(s.shards)),
      ])
    : (stages ?? []).map((s) => [
        esc(s.name),
        esc(num(s.seconds)),
        esc(num(s.recordsIn)),
        `${esc(s.shardsDone)} / ${esc(s.shardsTotal)} (${esc(s.state)})`,
      ]);
  parts.push(`<h3>Time per stage</h3>${table(['stage', 'seconds', 'records', 'tasks'], times)}`);
  if (report) {
    parts.push(`<p>Total ${esc(num(report.seconds))} s${data ? `, Winnow ${esc(data.winnow)}` : ''}.</p>`);
    const versions = new Map((data?.scorers ?? []).map((s) => [s.id, s]));
    const scorers = Object.entries(report.scoring.byScorer).map(([id, s]) => [
      `<code>${esc(id)}</code>`,
      esc(versions.get(id)?.version ?? '–'),
      esc(versions.get(id)?.outputs.join(', ') ?? ''),
      esc(num(s.computed)),
      esc(num(s.cached)),
      esc(num(s.seconds)),
    ]);
    parts.push(
      `<h3>Scorers</h3>${scorers.length ? table(['scorer', 'version', 'outputs', 'cells computed', 'cached', 'seconds'], scorers) : '<p class="empty">none</p>'}`,
    );
    parts.push(`<h3>Recipe</h3><pre class="recipe">${esc(JSON.stringify(report.recipe, null, 2))}</pre>`);
  }
  if (!report && recipe !== undefined)
    parts.push(`<h3>Recipe</h3><pre class="recipe">${esc(JSON.stringify(recipe, null, 2))}</pre>`);
  return section('run', 'Recipe, scorers and time', parts.join(''));
}
