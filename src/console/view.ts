/**
 * The viewer tab's script (served as /console/view.js): it tells the console that opened it that it
 * is ready, receives the document (a report) as a Blob, and shows it from a blob: URL made here, so
 * the document runs under the viewer's policy (page.ts VIEWER_CSP). Opened any other way, it says so.
 *
 * The document is same-origin with the console: before it is shown, the tab lets go of its opener
 * (the console's window) and clears the copy of the console's sessionStorage a new tab gets, so a
 * script in the document can reach neither the console nor its token.
 */
export const VIEW_JS = `(() => {
'use strict';
sessionStorage.clear();
const status = document.getElementById('status');
const console_ = window.opener;
window.addEventListener('message', (e) => {
  if (e.origin !== location.origin || e.source !== console_ || !e.data || e.data.winnow !== 'view') return;
  window.opener = null;
  if (e.data.blob) {
    location.replace(URL.createObjectURL(e.data.blob));
  } else {
    document.title = 'Winnow: not available';
    status.textContent = e.data.error || 'not available';
  }
});
if (console_) console_.postMessage({ winnow: 'view-ready' }, location.origin);
else status.textContent = 'Open reports from the Winnow console: this tab has no console to fetch them with.';
})();
`;
