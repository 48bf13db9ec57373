/**
 * Seconds per step of a job that ran on the local stack, read from its JobCoordinator's SQLite (the
 * done-ledger): a step's time runs from the last task of the step before it to its own last task, so
 * it includes the queue hops, the R2 reads and writes and the coordinator's work, as the report's
 * per-stage seconds do.
 *
 *   node bench/stack-steps.ts <state dir> [--stage select]
 *
 * `<state dir>` is the CLI's `--state`. With several jobs there, it reads the latest. Prints one JSON
 * line: the job id, then [stage, step, tasks, seconds] per step.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const args = process.argv.slice(2);
const dir = args[0];
const at = args.indexOf('--stage');
const only = at >= 0 ? args[at + 1] : undefined;
if (!dir) {
  process.stderr.write('usage: node bench/stack-steps.ts <state dir> [--stage select]\n');
  process.exit(2);
}

const dos = join(dir, 'wrangler', 'v3', 'do', 'winnow-JobCoordinator');
const files = readdirSync(dos)
  .filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
  .map((f) => join(dos, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
if (!files.length) throw new Error(`no job coordinator under ${dos}`);
const db = new DatabaseSync(files[0], { readOnly: true });
const spec = db.prepare("SELECT value FROM meta WHERE key = 'spec'").get() as { value: string } | undefined;
const rows = db
  .prepare(
    'SELECT stage, iter, step, count(*) AS tasks, max(done_at) AS done FROM ledger GROUP BY stage, iter ORDER BY min(done_at)',
  )
  .all() as { stage: string; iter: number; step: string; tasks: number; done: number }[];
const steps: [string, string, number, number][] = [];
for (let i = 1; i < rows.length; i++) {
  const r = rows[i];
  if (only && r.stage !== only) continue;
  steps.push([r.stage, r.step, r.tasks, (r.done - rows[i - 1].done) / 1000]);
}
const total = steps.reduce((a, s) => a + s[3], 0);
process.stdout.write(
  `${JSON.stringify({ job: spec ? JSON.parse(spec.value).id : null, seconds: Math.round(total * 1000) / 1000, steps })}\n`,
);
