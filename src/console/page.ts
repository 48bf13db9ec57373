/**
 * The console's two HTML documents and the policies they are served with. Both are static shells:
 * no data is in them, so they are served without a token; every datum comes from the /v1 API, asked
 * for with the token the page keeps for the tab, and enters the page as text, never as markup.
 */

/** Where the console's files are served (workers/http/console.ts). */
export const CONSOLE_PATHS = {
  page: '/',
  script: '/console/app.js',
  style: '/console/app.css',
  viewer: '/console/view',
  viewerScript: '/console/view.js',
} as const;

/**
 * The console: its own script and style only, requests to its own origin only, no frames, no
 * plugins, no forms posted anywhere. `img-src data:` is for the empty favicon (no /favicon.ico request).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The viewer a report opens in. A report is one self-contained page (inline script and style, images
 * as data: URLs); a blob: document takes the policy of the document that made its URL, so the viewer,
 * which makes it, allows what such a page needs and nothing else: still no request anywhere.
 */
export const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  'img-src data: blob:',
  'font-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const P = CONSOLE_PATHS;

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Winnow console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${P.style}">
<script src="${P.script}" defer></script>
</head>
<body>
<header>
  <h1>Winnow</h1>
  <span id="banner" class="banner" role="alert" hidden></span>
  <span id="notice" class="banner" role="alert" hidden><span id="notice-text"></span>
    <button type="button" id="notice-close" class="link" aria-label="dismiss">dismiss</button></span>
  <span class="spacer"></span>
  <span id="updated" class="muted"></span>
  <button type="button" id="refresh" hidden>Refresh</button>
  <button type="button" id="logout" hidden>Forget token</button>
</header>

<section id="login" hidden>
  <h2>API token</h2>
  <p>The API wants its bearer token (<code>API_TOKEN</code>; <code>winnow serve</code> prints it). It is
  kept for this tab only and sent with every request.</p>
  <form id="login-form">
    <input type="password" id="token" autocomplete="off" aria-label="API token" required>
    <button type="submit">Enter</button>
  </form>
  <p id="login-error" class="error" role="alert"></p>
</section>

<main id="main" hidden>
  <section id="new-job">
    <h2>New job</h2>
    <form id="job-form" novalidate>
      <div class="fields">
        <label>File <input type="file" id="file"></label>
        <label>Dataset <input id="dataset" list="dataset-names" autocomplete="off" spellcheck="false"
          placeholder="a new or existing dataset"></label>
        <datalist id="dataset-names"></datalist>
      </div>
      <label for="recipe">Recipe (JSON; empty for the defaults)</label>
      <div class="editor">
        <div id="gutter" class="gutter" aria-hidden="true"></div>
        <textarea id="recipe" spellcheck="false" wrap="off" rows="12"></textarea>
      </div>
      <ul id="issues" class="issues" aria-live="polite"></ul>
      <div class="fields">
        <button type="button" id="upload">Upload</button>
        <button type="submit" id="start">Start job</button>
        <span id="form-status" class="muted" role="status"></span>
      </div>
    </form>
  </section>

  <section>
    <h2>Jobs</h2>
    <table id="jobs">
      <thead><tr><th>job</th><th>dataset</th><th>state</th><th>progress</th><th>started</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <div class="fields">
      <button type="button" id="jobs-newer" hidden>newer jobs</button>
      <button type="button" id="jobs-older" hidden>older jobs</button>
    </div>
  </section>

  <section>
    <h2>Datasets</h2>
    <table id="datasets">
      <thead><tr><th>name</th><th>size</th><th>objects</th><th>origin</th><th>updated</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
  </section>

  <section>
    <h2>Schedules</h2>
    <div id="schedules"></div>
  </section>

  <section>
    <h2>Sampler runs</h2>
    <table id="samplers">
      <thead><tr><th>run</th><th>job</th><th>state</th><th>policy</th><th>batch</th><th>examples</th><th>step</th><th>served</th><th>feedback</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>

  <section>
    <h2>Pair sets</h2>
    <div id="pairsets"></div>
  </section>
</main>
</body>
</html>
`;

export const VIEWER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Winnow: opening…</title>
<link rel="icon" href="data:,">
<script src="${P.viewerScript}" defer></script>
</head>
<body>
<p id="status">Opening…</p>
</body>
</html>
`;
