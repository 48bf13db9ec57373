import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JobStatus } from '../../schemas/api.ts';
import { renderStages } from './progress.ts';
import { answers } from './supervised-stack.ts';
import { type Target, withClient } from './target.ts';

/** `winnow status <job>`'s text: the job's state, its current stage, and a line per stage (with rate and ETA). */
export function formatStatus(s: JobStatus): string {
  return [
    `job       ${s.id}  ${s.state}`,
    `dataset   ${s.dataset}`,
    `stage     ${s.stage}`,
    `created   ${s.createdAt}    updated ${s.updatedAt}`,
    ...(s.error ? [`error     ${s.error}`] : []),
    ...(s.resumed
      ? [
          `resumed   ${s.resumed.tasks} task(s) sent again after ${s.resumed.restarts} restart(s) of the local stack`,
        ]
      : []),
    '',
    ...renderStages(s),
  ].join('\n');
}

/** A job that ran or runs well exits 0; one that failed or was cancelled, 1. */
export const statusCode = (s: JobStatus): number => (s.state === 'done' || s.state === 'running' ? 0 : 1);

/** `winnow status <job>`: the job's status, printed once (GET /v1/jobs/:id). */
export async function status(t: Target, id: string): Promise<number> {
  const s = await withClient(t, (c) => c.job(id));
  process.stdout.write(`${formatStatus(s)}\n`);
  return statusCode(s);
}

/** Where a job's report is: its URL, the console's, and a copy fetched into `out`. */
export interface ReportPlaces {
  /** The API the report is served from; null when no local stack runs on the state. */
  url: string | null;
  /** report.html of this job in `out`, when run or fetch downloaded it there. */
  file: string | null;
}

/** report.html in `out` when report.json there is job `id`'s (run and fetch download both). */
export function fetchedReport(out: string, id: string): string | null {
  const html = resolve(out, 'report.html');
  if (!existsSync(html)) return null;
  try {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { job?: unknown };
    return report.job === id ? html : null;
  } catch {
    return null;
  }
}

/** The text of `winnow open`: the report's URL and the console's, or how to serve them, and the fetched copy. */
export function formatOpen(id: string, places: ReportPlaces, state: string): string {
  const lines: string[] = [];
  if (places.url) {
    const base = places.url.replace(/\/+$/, '');
    lines.push(
      `report    ${base}/v1/jobs/${id}/report.html`,
      `console   ${base}/`,
      '(the report route needs the bearer token, `Authorization: Bearer <token>`: the console, given the',
      ' token, opens it with a click on the job\'s "report")',
    );
  } else {
    lines.push(
      `no local stack runs on ${state}: \`winnow serve --state ${state}\` serves the report at`,
      `<its url>/v1/jobs/${id}/report.html and the console at <its url>/`,
    );
  }
  if (places.file) lines.push(`file      ${places.file}`);
  return lines.join('\n');
}

/** The URL of a local stack running on `state` (`winnow serve`, or another command), when it answers. */
async function runningLocalStack(state: string): Promise<string | null> {
  try {
    const { port } = JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')) as { port?: unknown };
    if (!Number.isInteger(port)) return null;
    const url = `http://127.0.0.1:${port}`;
    return (await answers(url)) ? url : null;
  } catch {
    return null;
  }
}

/**
 * `winnow open <job>`: where to see the job's report. With --url, the job is looked up first (a job the
 * instance does not know is an error). Locally no stack is started for it (it would stop when the
 * command ends): the URL is that of a stack already running on the state, such as `winnow serve`'s.
 * Exits 1 when there is nowhere to see it: no stack running and no copy in `out`.
 */
export async function open(t: Target & { out: string }, id: string): Promise<number> {
  if (t.url) await withClient(t, (c) => c.job(id));
  const url = t.url ?? (await runningLocalStack(t.state));
  const places = { url, file: fetchedReport(t.out, id) };
  process.stdout.write(`${formatOpen(id, places, t.state)}\n`);
  return places.url || places.file ? 0 : 1;
}
