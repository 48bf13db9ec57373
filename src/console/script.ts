import { LOCATE_JS } from './locate.ts';
import { CORE_JS } from './script-core.ts';
import { EDITOR_JS } from './script-editor.ts';
import { LISTS_JS } from './script-lists.ts';

/**
 * Login and refresh, as browser JavaScript: the token is asked for once and kept in sessionStorage
 * (this tab only); jobs are polled every 1.5 s while one runs (5 s otherwise), the other lists every
 * 10 s and after each change made from the page.
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

/** One refresh now (or right after the one under way), then the next on its timer. */
function refreshNow() {
  clearTimeout(timer);
  if (busy) {
    busy.then(() => refreshNow());
    return;
  }
  busy = tick().finally(() => {
    busy = null;
  });
}

async function tick() {
  if (!token()) return;
  try {
    const slow = Date.now() >= slowDue;
    await Promise.all([refreshJobs(), ...(slow ? [refreshDatasets(), refreshSchedules(), refreshSamplers(), refreshPairs()] : [])]);
    if (slow) slowDue = Date.now() + 10000;
    banner('');
    byId('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (e.status === 401) return;
    banner('refresh failed: ' + e.message);
  }
  if (!token()) return;
  clearTimeout(timer);
  timer = setTimeout(refreshNow, jobs.some((j) => j.state === 'running') ? 1500 : 5000);
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
