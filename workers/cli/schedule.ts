import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Recipe } from '../../schemas/recipe.ts';
import { type Run, ScheduleBodySchema } from '../../schemas/schedule.ts';
import type { ScheduleBodyInput } from '../../src/client/index.ts';
import { fireCron } from './local-stack.ts';
import { parseProviderFlags, providerVars } from './providers.ts';
import { datasetName, loadRecipe, type RunOptions, uploadFileReferences } from './run.ts';
import { formatDiff, formatRuns, formatSchedule, runLine } from './schedule-format.ts';
import { serveToken } from './serve-token.ts';
import { supervisedStack } from './supervised-stack.ts';
import { leftoverNote, logger, say, type Target, withClient } from './target.ts';
import { type UploadFileCliOptions, uploadFileCli } from './upload-file.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isRunning = (r: Run) => r.state === 'starting' || r.state === 'running';

function mustExist(file: string): string {
  if (!existsSync(file)) throw new Error(`no input file ${resolve(file)}`);
  return file;
}

/** A file as a request body, streamed as it is read. */

const objects = (n: number) => `${n} object${n === 1 ? '' : 's'}`;

/** `winnow upload <dataset> <file>`: store the file as the dataset (replacing what it held). */
export async function upload(
  t: Target & UploadFileCliOptions,
  dataset: string,
  file: string,
): Promise<number> {
  mustExist(file);
  const info = await withClient(t, (c) => uploadFileCli(c, file, dataset, t));
  process.stdout.write(`dataset ${info.name}: ${objects(info.objects.length)}, ${info.bytes} bytes\n`);
  return 0;
}

/** `winnow append <dataset> <file> [--part <name>]`: add the file to the dataset as one more object. */
export async function append(
  t: Target & UploadFileCliOptions,
  dataset: string,
  file: string,
  part?: string,
): Promise<number> {
  mustExist(file);
  const name = part ?? (await datasetName(file));
  const info = await withClient(t, (c) => uploadFileCli(c, file, dataset, { ...t, part: name }));
  process.stdout.write(
    `dataset ${info.name}: part ${name} appended, now ${objects(info.objects.length)}, ${info.bytes} bytes\n`,
  );
  return 0;
}

export interface ScheduleSetOptions
  extends Pick<
    RunOptions,
    'recipe' | 'budget' | 'strategy' | 'shardBytes' | 'cluster' | 'k' | 'exportEmbeddings' | 'exportFormats'
  > {
  cron?: string;
  every?: string;
  recipeRef?: string;
  disabled?: boolean;
  retries?: string;
}

/** The body `schedule set` sends, checked before anything starts. */
export function scheduleBody(o: ScheduleSetOptions): ScheduleBodyInput {
  if ((o.cron === undefined) === (o.every === undefined))
    throw new Error('winnow schedule set needs one of --cron "<5 fields>" or --every <15m|6h|1d>');
  const shaped = [o.recipe, o.budget, o.strategy, o.shardBytes, o.cluster, o.k, o.exportFormats].some(
    (v) => v !== undefined,
  );
  if (o.recipeRef !== undefined && (shaped || o.exportEmbeddings))
    throw new Error(
      '--recipe-ref reuses an earlier job recipe as it ran; it takes no --recipe, --budget or other recipe options',
    );
  const retries = o.retries === undefined ? undefined : Number(o.retries);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0))
    throw new Error(`--retries takes a whole number ≥ 0, got "${o.retries}"`);
  const body: ScheduleBodyInput = {
    ...(o.cron !== undefined ? { cron: o.cron } : { every: o.every }),
    ...(shaped || o.exportEmbeddings ? { recipe: loadRecipe(o) } : {}),
    ...(o.recipeRef !== undefined ? { recipeRef: o.recipeRef } : {}),
    enabled: !o.disabled,
    ...(retries !== undefined ? { retries } : {}),
  };
  const r = ScheduleBodySchema.safeParse(body);
  if (!r.success) {
    const flag = (p: PropertyKey[]) =>
      p.length === 1 ? `--${String(p[0]).replace('recipeRef', 'recipe-ref')}` : p.join('.');
    const issues = r.error.issues.map((i) => `${flag(i.path)}: ${i.message}`);
    throw new Error(issues.length === 1 ? issues[0] : `the schedule is invalid:\n  ${issues.join('\n  ')}`);
  }
  return body;
}

export async function scheduleSet(t: Target, dataset: string, o: ScheduleSetOptions): Promise<number> {
  const body = scheduleBody(o);
  const schedule = await withClient(t, async (c) => {
    if (body.recipe)
      await uploadFileReferences(
        c,
        body.recipe as Recipe,
        o.recipe ? dirname(resolve(o.recipe)) : process.cwd(),
        logger(t),
      );
    return c.setSchedule(dataset, body);
  });
  process.stdout.write(`${formatSchedule(schedule)}\n`);
  if (!t.url) logger(t)('the local stack fires schedules only while it runs: see winnow serve');
  return 0;
}

export async function scheduleGet(t: Target, dataset: string): Promise<number> {
  const schedule = await withClient(t, (c) => c.schedule(dataset));
  if (!schedule) throw new Error(`dataset "${dataset}" has no schedule`);
  process.stdout.write(`${formatSchedule(schedule)}\n`);
  return 0;
}

export async function scheduleRm(t: Target, dataset: string): Promise<number> {
  await withClient(t, (c) => c.deleteSchedule(dataset));
  process.stdout.write(`deleted the schedule of ${dataset}\n`);
  return 0;
}

export async function scheduleTick(
  t: Target,
  dataset: string,
  { force = false, wait = false }: { force?: boolean; wait?: boolean },
): Promise<number> {
  const log = logger(t);
  return withClient(t, async (c) => {
    const tick = await c.tick(dataset, { force });
    const due = tick.nextDue ? ` (next due ${tick.nextDue})` : '';
    if (tick.action === 'failed')
      throw new Error(`the tick could not start a run: ${tick.error ?? 'no reason given'}`);
    if (!tick.run || (tick.action !== 'started' && tick.action !== 'busy')) {
      process.stdout.write(`${tick.action.replace('_', ' ')}: no run started${due}\n`);
      return 0;
    }
    log(`${tick.action === 'started' ? 'started' : 'still going:'} run ${tick.run}${due}`);
    if (!wait) {
      if (!t.url) log('the local stack stops now and the run needs it running: use --wait, or winnow serve');
      process.stdout.write(`${tick.run}\n`);
      return 0;
    }
    for (;;) {
      const run = (await c.runs(dataset)).runs.find((r) => r.run === tick.run);
      if (!run) throw new Error(`run ${tick.run} is not in the runs of ${dataset}`);
      if (!isRunning(run)) {
        process.stdout.write(`${runLine(run)}\n`);
        return run.state === 'done' ? 0 : 1;
      }
      await sleep(500);
    }
  });
}

/** `winnow jobs [<dataset>]`: the newest jobs (of a dataset), one line each. */
export async function jobs(t: Target, dataset?: string): Promise<number> {
  const list = await withClient(t, (c) => c.jobs({ ...(dataset ? { dataset } : {}), limit: 50 }));
  const rows = list.jobs.map(
    (j) =>
      `${j.id}  ${j.state.padEnd(9)} ${`${j.stage} ${j.stagesDone}/${j.stagesTotal}`.padEnd(16)} ${j.createdAt}  ${j.dataset}${j.error ? `  ${j.error}` : ''}`,
  );
  process.stdout.write(
    `${rows.length ? rows.join('\n') : 'no jobs'}\n${list.next ? `(newest 50 shown)\n` : ''}`,
  );
  return 0;
}

export async function runs(t: Target, dataset: string): Promise<number> {
  const list = await withClient(t, (c) => c.runs(dataset));
  process.stdout.write(`${formatRuns(list)}\n`);
  return 0;
}

export async function diff(t: Target, dataset: string, run: string, out?: string): Promise<number> {
  const d = await withClient(t, (c) => c.diff(dataset, run));
  if (out) writeFileSync(out, `${JSON.stringify(d, null, 2)}\n`);
  process.stdout.write(`${formatDiff(d)}\n${out ? `\ndiff.json written to ${resolve(out)}\n` : ''}`);
  return 0;
}

/**
 * `winnow serve`: the local stack, kept running and answering (restarted on the same port and token
 * when its runtime dies or hangs: supervised-stack.ts), with the Cron Trigger fired at every UTC minute
 * as Cloudflare fires `* * * * *` (wrangler dev never does), and once at start. Its token is `token`,
 * else the one kept in `<state>/token` (serve-token.ts). Stops on Ctrl-C or SIGTERM; exits 1 when the
 * stack cannot be restarted.
 */
export async function serve({
  state,
  port,
  quiet,
  provider,
  token,
}: {
  state: string;
  port?: number;
  quiet?: boolean;
  provider?: string[];
  token?: string;
}) {
  const log = logger({ quiet });
  // The handlers are installed before the stack starts: a Ctrl-C while it starts stops what was
  // spawned before serve exits (as every other command does: target.ts).
  const starting = new AbortController();
  let signalled: NodeJS.Signals | null = null;
  const code = () => (signalled === 'SIGINT' ? 130 : 143);
  const stopped = new Promise<void>((ok) => {
    const on = (signal: NodeJS.Signals) => {
      signalled = signal;
      starting.abort();
      ok();
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
  log(`starting the local stack (state in ${state}) …`);
  let local: Awaited<ReturnType<typeof supervisedStack>>;
  try {
    local = await supervisedStack(state, {
      port,
      token: serveToken(state, token),
      vars: providerVars(parseProviderFlags(provider)),
      say,
      signal: starting.signal,
    });
  } catch (e) {
    if (signalled) process.exit(code());
    throw e;
  }
  if (signalled) {
    // Interrupted as the start ended.
    await local.stop();
    process.exit(code());
  }
  if (local.leftover) log(leftoverNote(local.leftover, state));
  process.stdout.write(`url    ${local.url}\ntoken  ${local.token}\n`);
  log(`web console: ${local.url}/ (it asks for the token once)`);
  log(`firing the Cron Trigger every minute; Ctrl-C stops (wrangler log: ${local.log})`);
  let timer: NodeJS.Timeout | undefined;
  // Once at start (schedules that fell due while the stack was down), then at every minute.
  let done = false;
  const tick = async (at: number) => {
    const when = new Date(at).toISOString();
    try {
      await fireCron(local.url, { time: at });
      log(`${when}  cron tick`);
    } catch (e) {
      if (!done) log(`${when}  cron tick failed: ${(e as Error).message}`);
    }
    const next = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    if (!done) timer = setTimeout(() => void tick(next), next - Date.now());
  };
  void tick(Date.now());
  try {
    const gaveUp = await Promise.race([stopped.then(() => null), local.failed]);
    if (gaveUp) throw gaveUp;
    return 0;
  } finally {
    done = true;
    clearTimeout(timer);
    await local.stop();
  }
}
