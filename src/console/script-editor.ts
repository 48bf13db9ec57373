/**
 * The console's "New job" form, as browser JavaScript: a file to upload, a dataset name, and the
 * recipe editor. Every problem is shown where it is: a JSON syntax error at its line and column
 * before anything is sent, each issue of a 400 at the recipe line of its path (the path and message
 * listed below the editor, the line marked in the gutter, a click selects it), a bad dataset name at
 * the dataset field.
 */
export const EDITOR_JS = String.raw`
const DEFAULT_RECIPE = '{\n  "select": {\n    "budget": "30%"\n  }\n}\n';
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
let marked = new Map();

function formStatus(text, bad) {
  const s = byId('form-status');
  s.textContent = text;
  s.className = bad ? 'error' : 'muted';
}

function renderGutter() {
  const area = byId('recipe');
  const lines = area.value.split('\n').length;
  const rows = [];
  for (let n = 1; n <= lines; n++) {
    const why = marked.get(n);
    rows.push(h('div', why ? { class: 'bad', title: why.join('\n'), 'data-line': n } : {}, String(n)));
  }
  byId('gutter').replaceChildren(...rows);
  byId('gutter').scrollTop = area.scrollTop;
}

/** Select an issue's text in the editor and scroll it into view. */
function showAt(issue) {
  const area = byId('recipe');
  if (!issue.span) {
    const field = byId(issue.field || 'dataset');
    field.focus();
    return;
  }
  area.focus();
  area.setSelectionRange(issue.span.start, issue.span.end);
  const lineHeight = Number.parseFloat(getComputedStyle(area).lineHeight) || 19;
  area.scrollTop = Math.max(0, (issue.line - 3) * lineHeight);
  renderGutter();
}

/**
 * Show issues: each { path, message, line?, span?, field? }. Recipe issues mark their line; an issue
 * of another field of the request marks that field.
 */
function showIssues(issues) {
  marked = new Map();
  for (const f of ['dataset', 'file']) byId(f).removeAttribute('aria-invalid');
  for (const i of issues) {
    if (i.line) marked.set(i.line, (marked.get(i.line) || []).concat((i.path ? i.path + ': ' : '') + i.message));
    else if (i.field) byId(i.field).setAttribute('aria-invalid', 'true');
  }
  byId('recipe').parentElement.classList.toggle('invalid', marked.size > 0);
  byId('issues').replaceChildren(
    ...issues.map((i) =>
      h(
        'li',
        { 'data-path': i.path, 'data-line': i.line },
        h('button', { type: 'button', class: 'link at', onclick: () => showAt(i) }, i.line ? 'line ' + i.line : i.field || 'request'),
        i.path ? h('code', {}, i.path) : null,
        i.path ? ': ' : '',
        i.message,
      ),
    ),
  );
  renderGutter();
}

/** Where an issue of the request body is: a recipe path at its line, else the form field it names. */
function placeIssue(issue, located) {
  const path = issue.path || '';
  const inRecipe = path === 'recipe' || path.startsWith('recipe.') || path.startsWith('recipe[');
  if (!inRecipe) return { path, message: issue.message, field: path === 'dataset' ? 'dataset' : null };
  const at = located && located.spans ? spanOfPath(located.spans, path.slice('recipe'.length).replace(/^\./, '')) : null;
  if (!at) return { path, message: issue.message };
  const text = byId('recipe').value;
  return { path, message: issue.message, span: at.span, line: lineColumn(text, at.span.start).line };
}

/** The recipe as the editor holds it: { recipe } (undefined when blank), or null after showing its syntax error. */
function readRecipe() {
  const text = byId('recipe').value;
  const located = locateJson(text);
  if (located.error) {
    const { line, column } = lineColumn(text, located.error.offset);
    const o = located.error.offset;
    showIssues([
      {
        path: '',
        message: 'not valid JSON at line ' + line + ', column ' + column + ': ' + located.error.message,
        line,
        span: { start: o, end: Math.min(text.length, o + 1) },
      },
    ]);
    return null;
  }
  if (located.empty) return { recipe: undefined, located };
  return { recipe: located.value, located };
}

/** An API error as issues: a validation error's every issue, else its message. */
function issuesOf(e, located) {
  if (e.code === 'validation_failed' && Array.isArray(e.details) && e.details.length > 0)
    return e.details.map((d) => placeIssue(d, located));
  return [{ path: '', message: e.message }];
}

function datasetName() {
  const input = byId('dataset');
  const name = input.value.trim();
  if (!DATASET_NAME.test(name)) {
    showIssues([
      {
        path: 'dataset',
        field: 'dataset',
        message: name
          ? 'dataset names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit'
          : 'name the dataset to upload to or to run on',
      },
    ]);
    return null;
  }
  return name;
}

/** A dataset name from a file's name: its stem, other characters as "-". */
function nameFromFile(file) {
  const stem = file.name.replace(/(\.(jsonl|ndjson|json|parquet|gz|gzip))+$/i, '');
  const name = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return name || 'dataset';
}

async function uploadFile(name) {
  const file = byId('file').files[0];
  if (!file) return true;
  formStatus('uploading ' + file.name + ' (' + bytes(file.size) + ') to "' + name + '"…');
  try {
    await api('/v1/datasets/' + encodeURIComponent(name), {
      method: 'PUT',
      body: file,
      headers: { 'content-type': 'application/octet-stream' },
    });
  } catch (e) {
    formStatus('', false);
    showIssues([{ path: 'file', field: 'file', message: file.name + ': ' + e.message }]);
    return false;
  }
  byId('file').value = '';
  formStatus('uploaded ' + file.name + ' as "' + name + '"');
  refreshSlow();
  return true;
}

async function onUpload() {
  showIssues([]);
  const name = datasetName();
  if (!name) return;
  if (!byId('file').files[0]) {
    showIssues([{ path: 'file', field: 'file', message: 'choose a file to upload' }]);
    return;
  }
  await uploadFile(name);
}

async function onStart(ev) {
  ev.preventDefault();
  showIssues([]);
  const name = datasetName();
  if (!name) return;
  const read = readRecipe();
  if (!read) return;
  if (!(await uploadFile(name))) return;
  formStatus('starting a job on "' + name + '"…');
  const body = read.recipe === undefined ? { dataset: name } : { dataset: name, recipe: read.recipe };
  try {
    const res = await api('/v1/jobs', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const { id } = await res.json();
    formStatus('started job ' + id);
    expanded.add(id);
    pages.length = 0;
    refreshNow();
  } catch (e) {
    formStatus('the job was not started', true);
    const issues = issuesOf(e, read.located);
    showIssues(issues);
    if (issues[0] && issues[0].span) showAt(issues[0]);
  }
}

function setupEditor() {
  const area = byId('recipe');
  if (!area.value) area.value = DEFAULT_RECIPE;
  area.addEventListener('input', () => {
    if (marked.size > 0) showIssues([]);
    else renderGutter();
  });
  area.addEventListener('scroll', () => {
    byId('gutter').scrollTop = area.scrollTop;
  });
  area.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end');
    renderGutter();
  });
  byId('file').addEventListener('change', () => {
    const f = byId('file').files[0];
    const ds = byId('dataset');
    if (f && (!ds.value || ds.dataset.auto === '1')) {
      ds.value = nameFromFile(f);
      ds.dataset.auto = '1';
    }
  });
  byId('dataset').addEventListener('input', () => {
    byId('dataset').dataset.auto = '';
  });
  byId('upload').addEventListener('click', onUpload);
  byId('job-form').addEventListener('submit', onStart);
  renderGutter();
}
`;
