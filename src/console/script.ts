import { LOCATE_JS } from './locate.ts';
import { CORE_JS } from './script-core.ts';
import { EDITOR_JS } from './script-editor.ts';
import { LISTS_JS } from './script-lists.ts';

/**
 * Login and refresh, as browser JavaScript: the token is asked for once and kept in sessionStorage
 * (this tab only). The page is refreshed every 1.5 s while a job runs (the running jobs' statuses),
 * else every 5 s; the jobs list every 5 s, the other lists every 10 s, and all of them after each
 * change made from the page.
 */
const MAIN_JS = `
let timer = null;
let slowDue = 0;
let busy = null;

function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(timer);
  timer = null;
  byId('main').hidden = true;
  byId('refresh').hidden = true;
  byId('logout').hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = message || '';
  byId('token').focus();
}

function showMain() {
  byId('login').hidden = true;
  byId('main').hidden = false;
  byId('refresh').hidden = false;
  byId('logout').hidden = false;
  slowDue = 0;
  refreshNow();
}

const refreshSlow = () => {
  slowDue = 0;
  refreshNow();
};

/** A refresh now, the jobs list read again (after an action on the page). */
function refreshNow() {
  listDue = 0;
  refresh();
}

/** One refresh now (or once more right after the one under way), then the next on its timer. */
let again = false;
function refresh() {
  clearTimeout(timer);
  if (busy) {
    again = true;
    return;
  }
  busy = tick().finally(() => {
    busy = null;
    if (again) {
      again = false;
      refresh();
    }
  });
}

async function tick() {
  if (!token()) return;
  try {
    const slow = Date.now() >= slowDue;
    if (slow) slowDue = Date.now() + 10000;
    await Promise.all([refreshJobs(), ...(slow ? [refreshDatasets(), refreshSchedules(), refreshSamplers(), refreshPairs()] : [])]);
    banner('');
    byId('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (e.status === 401) return;
    banner('refresh failed: ' + e.message);
  }
  if (!token()) return;
  clearTimeout(timer);
  // A tab out of sight asks every 30 s, and at once when it is shown again.
  const every = document.hidden ? 30000 : jobs.some((j) => j.state === 'running') ? 1500 : 5000;
  timer = setTimeout(refresh, every);
}

function start() {
  setupEditor();
  byId('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = byId('token').value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    byId('token').value = '';
    // One request tries the token: a refused one is said once, not by every list.
    try {
      await api('/v1/jobs?limit=1');
    } catch (err) {
      if (err.status !== 401) byId('login-error').textContent = err.message;
      return;
    }
    showMain();
  });
  byId('logout').addEventListener('click', () => showLogin(''));
  byId('notice-close').addEventListener('click', () => notice(''));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && token() && !byId('main').hidden) refresh();
  });
  byId('jobs-older').addEventListener('click', () => jobsPage(1));
  byId('jobs-newer').addEventListener('click', () => jobsPage(-1));
  byId('refresh').addEventListener('click', refreshSlow);
  if (token()) showMain();
  else showLogin('');
}

start();
`;

/** The console's script (served as /console/app.js): one closure, nothing global. */
export const CONSOLE_JS = `(() => {
'use strict';
${LOCATE_JS}
${CORE_JS}
${EDITOR_JS}
${LISTS_JS}
${MAIN_JS}
})();
`;
