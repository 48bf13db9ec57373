/**
 * The console script's plumbing, as browser JavaScript: elements built from text (never markup),
 * formatting, the token, API calls with it, downloads and reports fetched with it.
 */
export const CORE_JS = `
const TOKEN_KEY = 'winnow.token';
const byId = (id) => document.getElementById(id);

/** An element: props set as attributes (on* as listeners), children appended as nodes or as text. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity))
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function bytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return (u === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[u];
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

const count = (n) => (typeof n === 'number' ? n.toLocaleString() : '');
const stateCell = (s) => h('span', { class: 'state state-' + s }, s);
const empty = (cols, text) => h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text));

/** An API error: the status, and the body's code, message and (for validation) issues. */
class ApiError extends Error {
  constructor(status, body, what) {
    const e = (body && body.error) || {};
    super(e.message ? e.message : what + ': HTTP ' + status);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.details = e.details;
  }
}

const token = () => sessionStorage.getItem(TOKEN_KEY);

/** A request to the API with the tab's token; a refused token sends the page back to the login. */
async function api(path, init) {
  const headers = new Headers((init && init.headers) || {});
  headers.set('authorization', 'Bearer ' + token());
  const res = await fetch(path, Object.assign({}, init, { headers }));
  if (res.ok) return res;
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says it
  }
  const err = new ApiError(res.status, body, (init && init.method ? init.method : 'GET') + ' ' + path);
  if (res.status === 401) showLogin(err.message);
  throw err;
}

const getJson = async (path) => (await api(path)).json();

/** The page-wide problem line of a failed refresh, cleared by the next refresh that works; empty text hides it. */
function banner(text) {
  const b = byId('banner');
  b.textContent = text || '';
  b.hidden = !text;
}

/** What went wrong with an action (a download, a report, a cancel): it stays until dismissed or replaced. */
function notice(text) {
  byId('notice-text').textContent = text || '';
  byId('notice').hidden = !text;
}

/** Fetch a file with the token and hand it to the browser as a download. */
async function download(path, name) {
  try {
    const blob = await (await api(path)).blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    notice(name + ': ' + e.message);
  }
}

/** Viewer tabs waiting for their document: the tab's window → the fetch's outcome. */
const views = new Map();

/**
 * Open an HTML document of the API (a job's report) in a new tab. The tab is the console's viewer
 * (opened at once, within the click); it asks for the document when its script runs, gets it as a
 * Blob and shows it from a blob: URL. A failure is said in the tab and on the console.
 */
function openDocument(path, label) {
  const tab = window.open('/console/view', '_blank');
  if (!tab) {
    notice('the browser blocked the new tab: allow pop-ups for this page to open ' + label);
    return;
  }
  const outcome = api(path)
    .then((res) => res.arrayBuffer())
    .then(
      (buf) => ({ blob: new Blob([buf], { type: 'text/html;charset=utf-8' }), title: label }),
      (e) => {
        notice(label + ': ' + e.message);
        return { error: label + ': ' + e.message };
      },
    );
  views.set(tab, outcome);
}

window.addEventListener('message', async (e) => {
  if (e.origin !== location.origin || !e.data || e.data.winnow !== 'view-ready') return;
  const outcome = views.get(e.source);
  if (!outcome) return;
  views.delete(e.source);
  e.source.postMessage(Object.assign({ winnow: 'view' }, await outcome), location.origin);
});
`;
