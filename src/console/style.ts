/** The console's stylesheet (served as /console/app.css). */
export const CONSOLE_CSS = `
:root {
  --fg: #1d232a; --muted: #68717d; --line: #d9dee4; --bg: #f6f7f9; --card: #fff;
  --accent: #2456a6; --ok: #1e7b3c; --bad: #b3261e; --warn: #8a5a00; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg);
}
body { margin: 0; }
header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: var(--card); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 18px; margin: 0; }
.spacer { flex: 1; }
main, #login { max-width: 1180px; margin: 0 auto; padding: 8px 20px 40px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
h2 { font-size: 15px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.banner { color: var(--bad); font-weight: 600; }
button { font: inherit; padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { border-color: var(--accent); }
button.link { border: none; background: none; padding: 0; color: var(--accent); text-decoration: underline; font-family: var(--mono); font-size: 12.5px; }
button[type=submit] { background: var(--accent); color: #fff; border-color: var(--accent); }
input { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; }
input[aria-invalid=true] { border-color: var(--bad); outline: 1px solid var(--bad); }
.fields { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; margin: 6px 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12.5px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.details > td { background: #fafbfc; padding: 8px 16px 14px; }
.empty { color: var(--muted); font-style: italic; }
.state { font-weight: 600; }
.job-error { font-size: 12.5px; max-width: 28em; }
.state-done { color: var(--ok); }
.state-failed, .state-cancelled, .state-exhausted { color: var(--bad); }
.state-skipped { color: var(--muted); font-weight: 400; }
.state-running, .state-loading, .state-starting, .state-uploading { color: var(--warn); }
progress { width: 140px; vertical-align: middle; }
.progress-label { margin-left: 6px; color: var(--muted); font-size: 12.5px; }
.actions { display: flex; gap: 6px; flex-wrap: wrap; }
.files { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
.editor { display: flex; border: 1px solid var(--line); border-radius: 4px; overflow: hidden; background: #fff; }
.editor.invalid { border-color: var(--bad); }
.gutter { font: 13px/1.5 var(--mono); color: var(--muted); background: #f0f2f5; padding: 6px 0; min-width: 3.2em; text-align: right; overflow: hidden; user-select: none; }
.gutter div { padding: 0 8px 0 6px; height: 1.5em; }
.gutter div.bad { background: #f9d7d4; color: var(--bad); font-weight: 700; }
.gutter div.bad::before { content: "\\25B6 "; font-size: 9px; }
textarea#recipe { flex: 1; font: 13px/1.5 var(--mono); border: none; padding: 6px 8px; resize: vertical; min-height: 12em; white-space: pre; overflow: auto; outline: none; }
.issues { list-style: none; padding: 0; margin: 6px 0; }
.issues li { color: var(--bad); padding: 2px 0; }
.issues li code { color: var(--fg); background: #f9d7d4; padding: 0 3px; border-radius: 3px; }
.issues .at { margin-right: 6px; }
.card { border-top: 1px solid var(--line); padding: 8px 0; }
.card:first-child { border-top: none; }
.kv { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); }
.kv b { color: var(--fg); font-weight: 600; }
`;
