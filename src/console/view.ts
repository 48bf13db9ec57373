/**
 * The viewer tab's script (served as /console/view.js): it tells the console that opened it that it
 * is ready, receives the document (a report) as a Blob, and shows it from a blob: URL made here, so
 * the document runs under the viewer's policy (page.ts VIEWER_CSP). Opened any other way, it says so.
 */
export const VIEW_JS = `(() => {
'use strict';
const status = document.getElementById('status');
window.addEventListener('message', (e) => {
  if (e.origin !== location.origin || e.source !== window.opener || !e.data || e.data.winnow !== 'view') return;
  if (e.data.blob) {
    location.replace(URL.createObjectURL(e.data.blob));
  } else {
    document.title = 'Winnow: not available';
    status.textContent = e.data.error || 'not available';
  }
});
if (window.opener) window.opener.postMessage({ winnow: 'view-ready' }, location.origin);
else status.textContent = 'Open reports from the Winnow console: this tab has no console to fetch them with.';
})();
`;
