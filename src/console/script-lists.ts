/**
 * The console's lists, as browser JavaScript: jobs with their progress (each running job's status
 * polled), stages, outputs and report; datasets; schedules and their runs; sampler runs; pair sets.
 */
export const LISTS_JS = `
/** Jobs shown with their details; a job started from the page is added. */
const expanded = new Set();
const statuses = new Map();
const outputs = new Map();
/** The progress last shown per job: a stage that runs in steps starts its shards again at each step, and the bar never goes back. */
const shownProgress = new Map();
/** Running jobs whose status is polled at once (the browser opens about six connections per host anyway). */
const POLLED = 20;
let jobs = [];

const reportButton = (id) =>
  h('button', { type: 'button', class: 'report', onclick: () => openDocument('/v1/jobs/' + id + '/report.html', 'the report of ' + id) }, 'report');

/** A job of the list brought up to its status when that is newer (it is fetched after the list). */
function fresher(job, s) {
  if (!s || s.updatedAt < job.updatedAt) return job;
  // Stages behind the job, counted as GET /v1/jobs counts them.
  const at = s.stages.findIndex((x) => x.name === s.stage);
  const stagesDone = s.state === 'done' ? s.stages.length : at >= 0 ? at : s.stages.filter((x) => x.state === 'done').length;
  return Object.assign({}, job, { state: s.state, stage: s.stage, error: s.error, updatedAt: s.updatedAt, stagesDone, stagesTotal: s.stages.length });
}

/** How far a job is, in [0, 1]: stages behind it, and the shards done of the stage it is in. */
function progressOf(job, status) {
  if (job.state === 'done') return 1;
  if (!job.stagesTotal) return 0;
  let done = job.stagesDone;
  const stage = status && status.stages.find((s) => s.name === job.stage);
  if (job.state === 'running' && stage && stage.state === 'running' && stage.shardsTotal > 0)
    done += stage.shardsDone / stage.shardsTotal;
  return Math.min(1, done / job.stagesTotal);
}

function progressCell(job, status) {
  const p = Math.max(shownProgress.get(job.id) || 0, progressOf(job, status));
  shownProgress.set(job.id, p);
  const stage = status && status.stages.find((s) => s.name === job.stage);
  let label = Math.round(p * 100) + '%';
  if (job.state === 'running') {
    label += ' · ' + job.stage;
    if (stage && stage.shardsTotal > 0) label += ' ' + stage.shardsDone + '/' + stage.shardsTotal;
  }
  return h('td', {}, h('progress', { max: 1, value: p, 'aria-label': 'progress of ' + job.id }), h('span', { class: 'progress-label' }, label));
}

function jobDetails(job) {
  const s = statuses.get(job.id);
  const parts = [];
  if (s) {
    parts.push(
      h(
        'table',
        { class: 'stages' },
        h('thead', {}, h('tr', {}, ['stage', 'state', 'step', 'shards', 'records in', 'records out', 'retried', 'seconds'].map((t) => h('th', {}, t)))),
        h(
          'tbody',
          {},
          s.stages.map((st) =>
            h(
              'tr',
              { 'data-stage': st.name },
              h('td', {}, st.name),
              // A stage a finished job never ran (no cluster asked for, say) stayed waiting.
              h('td', {}, stateCell(job.state === 'done' && st.state === 'waiting' ? 'skipped' : st.state)),
              h('td', { class: 'num' }, st.step),
              h('td', { class: 'num' }, st.shardsDone + '/' + st.shardsTotal),
              h('td', { class: 'num' }, count(st.recordsIn)),
              h('td', { class: 'num' }, count(st.recordsOut)),
              h('td', { class: 'num' }, count(st.errors)),
              h('td', { class: 'num' }, st.seconds.toFixed(1)),
            ),
          ),
        ),
      ),
    );
    if (s.resumed)
      parts.push(h('p', { class: 'muted' }, 'resumed ' + s.resumed.tasks + ' tasks after ' + s.resumed.restarts + ' restarts of the local stack'));
  }
  const files = outputs.get(job.id);
  if (files)
    parts.push(
      h('div', { class: 'files' }, files.map((f) =>
        h('button', { type: 'button', class: 'output', 'data-file': f.name, title: f.contentType, onclick: () => download('/v1/jobs/' + job.id + '/outputs/' + encodeURIComponent(f.name), f.name.split('/').pop()) }, f.name + ' (' + bytes(f.bytes) + ')'),
      )),
    );
  else if (job.state === 'done') parts.push(h('p', { class: 'muted' }, 'loading outputs…'));
  return h('tr', { class: 'details', 'data-details': job.id }, h('td', { colspan: 6 }, parts));
}

function renderJobs() {
  const rows = [];
  for (const job of jobs) {
    const open = expanded.has(job.id);
    rows.push(
      h(
        'tr',
        { 'data-job': job.id, 'data-state': job.state },
        h('td', {}, h('button', { type: 'button', class: 'link', 'aria-expanded': String(open), onclick: () => toggleJob(job.id) }, job.id)),
        h('td', {}, job.dataset),
        h('td', {}, stateCell(job.state), job.error ? h('div', { class: 'error job-error' }, job.error) : null),
        progressCell(job, statuses.get(job.id)),
        h('td', {}, when(job.createdAt)),
        h(
          'td',
          { class: 'actions' },
          job.state === 'running'
            ? h('button', { type: 'button', onclick: () => cancelJob(job.id) }, 'cancel')
            : reportButton(job.id),
        ),
      ),
    );
    if (open) rows.push(jobDetails(job));
  }
  byId('jobs').tBodies[0].replaceChildren(...(rows.length ? rows : [empty(6, pages.length ? 'no older jobs' : 'no jobs yet')]));
  byId('jobs-newer').hidden = pages.length === 0;
  byId('jobs-older').hidden = !olderFrom;
}

function toggleJob(id) {
  if (expanded.has(id)) expanded.delete(id);
  else expanded.add(id);
  renderJobs();
  refreshNow();
}

async function cancelJob(id) {
  try {
    await api('/v1/jobs/' + id + '/cancel', { method: 'POST' });
  } catch (e) {
    notice('cancel ' + id + ': ' + e.message);
  }
  refreshNow();
}

/** The last GET /v1/jobs, and when to read it again (running jobs' statuses are read on every tick). */
let listed = [];
let listDue = 0;
const JOBS_PER_PAGE = 50;
/** The pages of older jobs shown: each one's \`before\` cursor (none: the newest jobs). */
const pages = [];
let olderFrom = null;

function jobsPage(step) {
  if (step > 0 && olderFrom) pages.push(olderFrom);
  else if (step < 0) pages.pop();
  refreshNow();
}

async function refreshJobs() {
  if (Date.now() >= listDue) {
    // Due again from now: an action on the page while the list is read makes it due at once.
    listDue = Date.now() + 5000;
    try {
      const before = pages.length ? '&before=' + encodeURIComponent(pages[pages.length - 1]) : '';
      const list = await getJson('/v1/jobs?limit=' + JOBS_PER_PAGE + before);
      listed = list.jobs;
      olderFrom = list.next;
    } catch (e) {
      listDue = 0;
      throw e;
    }
  }
  const running = listed.filter((j) => j.state === 'running').slice(0, POLLED);
  await Promise.all(
    listed.map(async (j) => {
      const stale = !statuses.has(j.id) || statuses.get(j.id).state !== j.state || j.state === 'running';
      if (running.includes(j) || (expanded.has(j.id) && stale)) statuses.set(j.id, await getJson('/v1/jobs/' + j.id));
      if (j.state === 'done' && expanded.has(j.id) && !outputs.has(j.id))
        outputs.set(j.id, (await getJson('/v1/jobs/' + j.id + '/outputs')).files);
    }),
  );
  // A polled job that ended: the list is read again on the next tick (its outputs, new jobs).
  if (running.some((j) => statuses.get(j.id).state !== 'running')) listDue = 0;
  jobs = listed.map((j) => fresher(j, statuses.get(j.id)));
  renderJobs();
}

async function refreshDatasets() {
  const { datasets } = await getJson('/v1/datasets');
  byId('dataset-names').replaceChildren(...datasets.map((d) => h('option', { value: d.name })));
  const rows = datasets.map((d) =>
    h(
      'tr',
      { 'data-dataset': d.name },
      h('td', {}, d.name),
      h('td', { class: 'num' }, bytes(d.bytes)),
      h('td', { class: 'num' }, d.objects.length),
      h('td', {}, d.origin),
      h('td', {}, when(d.updatedAt || d.createdAt)),
      h('td', {}, h('button', { type: 'button', onclick: () => { byId('dataset').value = d.name; byId('dataset').dataset.auto = ''; byId('recipe').focus(); } }, 'use')),
    ),
  );
  byId('datasets').tBodies[0].replaceChildren(...(rows.length ? rows : [empty(6, 'no datasets yet: upload one above')]));
}

function runRow(r) {
  const sum = r.summary;
  const summary = sum
    ? sum.selected + ' of ' + sum.input + ' selected' + (sum.entered !== undefined ? ', +' + sum.entered + ' −' + sum.left : '') + ', ' + sum.computed + ' cells computed, ' + sum.cached + ' cached'
    : r.error || '';
  return h(
    'tr',
    { 'data-run': r.run },
    h('td', { class: 'num' }, r.seq),
    h('td', { class: 'mono' }, r.run),
    h('td', {}, stateCell(r.state)),
    h('td', {}, r.trigger),
    h('td', {}, when(r.startedAt)),
    h('td', {}, summary),
    h('td', {}, r.state === 'done' || r.state === 'failed' ? reportButton(r.run) : null),
  );
}

async function refreshSchedules() {
  const { schedules } = await getJson('/v1/schedules');
  const cards = await Promise.all(
    schedules.map(async (s) => {
      const list = await getJson('/v1/datasets/' + encodeURIComponent(s.dataset) + '/runs');
      const runs = list.runs.slice(0, 10);
      return h(
        'div',
        { class: 'card', 'data-schedule': s.dataset },
        h('h3', {}, s.dataset),
        h('div', { class: 'kv' },
          h('span', {}, s.cron ? 'cron ' : 'every ', h('b', {}, s.cron || s.every)),
          h('span', {}, s.enabled ? 'enabled' : 'disabled'),
          h('span', {}, 'next due ', h('b', {}, s.nextDue ? when(s.nextDue) : 'never')),
          h('span', {}, 'recipe ', h('b', {}, s.recipeRef ? 'of ' + s.recipeRef : s.recipe ? 'given' : 'defaults')),
          h('span', {}, 'latest finished run ', h('b', {}, list.latest || 'none yet')),
        ),
        runs.length
          ? h('table', {}, h('thead', {}, h('tr', {}, ['#', 'run', 'state', 'trigger', 'started', 'summary', ''].map((t) => h('th', {}, t)))), h('tbody', {}, runs.map(runRow)))
          : h('p', { class: 'empty' }, 'no runs yet'),
      );
    }),
  );
  byId('schedules').replaceChildren(...(cards.length ? cards : [h('p', { class: 'empty' }, 'no schedules')]));
}

async function refreshSamplers() {
  const { runs } = await getJson('/v1/runs?limit=50');
  const rows = runs.map((r) =>
    h(
      'tr',
      { 'data-sampler': r.id, title: r.error || '' },
      h('td', { class: 'mono' }, r.id),
      h('td', { class: 'mono' }, r.job),
      h('td', {}, stateCell(r.state)),
      h('td', {}, r.policy.id),
      h('td', { class: 'num' }, r.batchSize),
      h('td', { class: 'num' }, count(r.examples)),
      h('td', { class: 'num' }, r.step),
      h('td', { class: 'num' }, count(r.served)),
      h('td', { class: 'num' }, r.feedbackSteps),
    ),
  );
  byId('samplers').tBodies[0].replaceChildren(...(rows.length ? rows : [empty(9, 'no sampler runs')]));
}

async function refreshPairs() {
  const { sets } = await getJson('/v1/pairs');
  const cards = sets.map((s) => {
    const done = s.rounds.filter((r) => r.state === 'done');
    return h(
      'div',
      { class: 'card', 'data-pairset': s.name },
      h('h3', {}, s.name),
      h('div', { class: 'kv' },
        h('span', {}, h('b', {}, s.rounds.length), ' rounds'),
        h('span', {}, h('b', {}, count(done.reduce((a, r) => a + (r.pairs || 0), 0))), ' pairs'),
        h('span', {}, 'updated ', when(s.updatedAt)),
        done.length ? h('button', { type: 'button', onclick: () => download('/v1/pairs/' + encodeURIComponent(s.name) + '/pairs.jsonl', s.name + '.pairs.jsonl') }, 'pairs.jsonl') : null,
      ),
      s.rounds.length
        ? h('table', {},
            h('thead', {}, h('tr', {}, ['round', 'scope', 'state', 'job', 'pairs', 'groups used', ''].map((t) => h('th', {}, t)))),
            h('tbody', {}, s.rounds.map((r) =>
              h('tr', { 'data-round': r.round, title: r.error || '' },
                h('td', { class: 'num' }, r.round),
                h('td', {}, r.scope),
                h('td', {}, stateCell(r.state)),
                h('td', { class: 'mono' }, r.job || ''),
                h('td', { class: 'num' }, count(r.pairs)),
                h('td', { class: 'num' }, r.groups ? r.groups.used + ' of ' + r.groups.total : ''),
                h('td', {}, r.job && (r.state === 'done' || r.state === 'failed') ? reportButton(r.job) : null),
              ),
            )),
          )
        : h('p', { class: 'empty' }, 'no rounds yet'),
    );
  });
  byId('pairsets').replaceChildren(...(cards.length ? cards : [h('p', { class: 'empty' }, 'no pair sets')]));
}
`;
