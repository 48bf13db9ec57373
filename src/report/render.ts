import type { JobStatus } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import type { ReportData } from '../../schemas/report-data.ts';
import { esc, num } from './escape.ts';
import {
  clustersSection,
  countsSection,
  diffSection,
  invalidSection,
  pairsSection,
  rejectionsSection,
  runSection,
  scoresSection,
  section,
  selectedSection,
} from './sections.ts';

/** What a report page is rendered from: a finished job's report and report-data, or an unfinished job's status. */
export interface ReportPageInput {
  report?: Report;
  data?: ReportData;
  /** For a job without a report: the recipe it ran with (from its job.json). */
  recipe?: unknown;
  /** For a job without a report (failed, cancelled, running): its status. */
  status?: Pick<
    JobStatus,
    'id' | 'dataset' | 'state' | 'stage' | 'error' | 'stages' | 'createdAt' | 'updatedAt'
  >;
}

const STYLE = `
:root{--lo:#2f855a;--hi:#b8c2cc;--filter:#c05621;--cut:#2b6cb0;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a202c;background:#fff}
body{max-width:1100px;margin:0 auto;padding:1rem 1.5rem 4rem;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{border-bottom:1px solid #e2e8f0;padding-bottom:.2rem;margin-top:2.2rem}
nav a{margin-right:.8rem}
.counts{display:flex;align-items:center;gap:.6rem;flex-wrap:wrap}.count{border:1px solid #e2e8f0;border-radius:6px;padding:.4rem .9rem;text-align:center}.count .n{font-size:1.5rem;font-weight:600}.op{font-size:1.4rem;color:#718096}
.accounting.ok{color:#22543d}.accounting.bad{color:#9b2c2c;font-weight:600}
figure{margin:1rem 0}.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:0 1rem}.chart{max-width:100%;height:auto}figcaption{font-size:.9rem;color:#4a5568}
.chart .b-lo{fill:var(--lo)}.chart .b-hi{fill:var(--hi)}.chart .axis{stroke:#718096}.chart text{font-size:10px;fill:#4a5568}
.m-filter line{stroke:var(--filter);stroke-width:2;stroke-dasharray:4 3}.m-filter text{fill:var(--filter)}.m-cut line{stroke:var(--cut);stroke-width:2}.m-cut text{fill:var(--cut)}
.map .frame{fill:none;stroke:#e2e8f0}
.legend .sw,.sw{display:inline-block;width:.8rem;height:.8rem;vertical-align:middle;border-radius:2px}.sw.lo{background:var(--lo)}.sw.hi{background:var(--hi)}.sw.filter{background:var(--filter)}.sw.cut{background:var(--cut)}
table{border-collapse:collapse;margin:.5rem 0}th,td{border-bottom:1px solid #edf2f7;padding:.25rem .6rem;text-align:left;vertical-align:top}th{background:#f7fafc}
ol.page{list-style:none;padding:0;margin:0}li.example{border:1px solid #e2e8f0;border-radius:6px;padding:.5rem .7rem;margin:.5rem 0}
.meta{font-size:.85rem;color:#4a5568;display:flex;gap:.8rem;flex-wrap:wrap}.id{font-family:ui-monospace,monospace}.reason{color:#9b2c2c;font-weight:600}.kept{color:#22543d;font-weight:600}
.scores{font-size:.8rem;color:#2d3748;margin:.2rem 0}.score{margin-right:.6rem}.note,.flags{font-size:.85rem;color:#744210}.cut{font-size:.8rem;color:#718096}
.turn{margin:.3rem 0}.role{font-size:.75rem;text-transform:uppercase;color:#718096}pre{white-space:pre-wrap;word-break:break-word;margin:.1rem 0;font-size:.85rem;background:#f7fafc;padding:.3rem .5rem;border-radius:4px;max-height:24rem;overflow:auto}
details.original{margin:.4rem 0 0 1.2rem;border-left:3px solid var(--cut);padding-left:.6rem}details.original summary{cursor:pointer;color:var(--cut)}
.pager{margin:.3rem 0}.pager button{font:inherit;padding:.1rem .6rem}.empty,.shown{color:#718096}
.failed{border:1px solid #feb2b2;background:#fff5f5;padding:.6rem 1rem;border-radius:6px}
`;

/** Paging: every `.paged` list shows one page; its buttons move between them. No request, no dependency. */
const SCRIPT = `
document.querySelectorAll('.paged').forEach(function (box) {
  var pages = box.querySelectorAll(':scope > ol.page');
  var at = 0;
  var nav = box.querySelector(':scope > .pager');
  if (!nav) return;
  var prev = nav.querySelector('[data-go="-1"]');
  var next = nav.querySelector('[data-go="1"]');
  var label = nav.querySelector('.at');
  function show(n) {
    at = Math.max(0, Math.min(pages.length - 1, n));
    pages.forEach(function (p, i) { p.hidden = i !== at; });
    prev.disabled = at === 0;
    next.disabled = at === pages.length - 1;
    label.textContent = 'page ' + (at + 1) + ' of ' + pages.length;
  }
  prev.addEventListener('click', function () { show(at - 1); });
  next.addEventListener('click', function () { show(at + 1); });
});
`;

/** Why a job that did not finish ended, and which task: its status's error, and where each stage stood. */
function failedSection(status: NonNullable<ReportPageInput['status']>): string {
  const task = /^([a-z-]+)(?: ([a-z-]+))? (?:shard|task|partition) (\d+)/.exec(status.error ?? '');
  const where = task
    ? `<p>Failed task: stage <b>${esc(task[1])}</b>, ${esc(task[0])}</p>`
    : `<p>Stage at the end: <b>${esc(status.stage ?? '')}</b></p>`;
  const body =
    status.state === 'running'
      ? '<p>The job is still running: this page shows its progress; the full report comes when it is done.</p>'
      : `<div class="failed"><p>The job ${esc(status.state)}${status.error ? ':' : '.'}</p>${status.error ? `<pre class="error">${esc(status.error)}</pre>` : ''}${where}</div>`;
  return section('failure', status.state === 'running' ? 'Running' : 'Why the job did not finish', body);
}

/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, a small inline script for
 * paging; no external request), every user string escaped. Pure: the Worker route and the CLI use it.
 */
export function renderReport(input: ReportPageInput): string {
  const { report, data, status } = input;
  const job = report?.job ?? status?.id ?? '';
  const dataset = report?.dataset ?? status?.dataset ?? '';
  const sections: string[] = [];
  if (status && !report) sections.push(failedSection(status));
  if (report) {
    sections.push(
      countsSection(report),
      scoresSection(report, data),
      rejectionsSection(report, data),
      selectedSection(report, data),
      clustersSection(report, data),
      pairsSection(report, data),
      diffSection(report, data),
      invalidSection(report, data),
    );
  }
  sections.push(runSection(report, data, status?.stages, input.recipe));
  const body = sections.filter(Boolean).join('\n');
  const links = [...body.matchAll(/<section id="([a-z-]+)"><h2>([^<]*)<\/h2>/g)]
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join('');
  const state = report ? 'done' : (status?.state ?? '');
  const sub = report
    ? `${num(report.counts.input)} records, ${num(report.seconds)} s`
    : `${status?.createdAt ?? ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>Winnow report: ${esc(job)}</title><style>${STYLE}</style></head>
<body data-job="${esc(job)}" data-state="${esc(state)}">
<header><h1>Winnow report: job <span class="id">${esc(job)}</span></h1><p>dataset <b>${esc(dataset)}</b> · ${esc(state)} · ${esc(sub)}</p><nav>${links}</nav></header>
<main>
${body}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
