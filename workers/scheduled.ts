import type { TickResult } from '../schemas/schedule.ts';
import { SCHEDULE_MARKERS } from '../src/pipeline/keys.ts';
import { keeper } from './dataset-keeper.ts';

/** Datasets ticked at once: the Worker keeps at most six connections open. */
const PARALLEL = 6;

/** The datasets that have a schedule (markers under `schedules/`, written by their DatasetKeeper). */
export async function scheduledDatasets(bucket: R2Bucket): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: SCHEDULE_MARKERS, cursor });
    for (const o of page.objects) names.push(o.key.slice(SCHEDULE_MARKERS.length));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return names;
}

/**
 * One tick of every schedule at `now`. Each dataset's DatasetKeeper decides for itself whether a run
 * is due and never starts two at once, so overlapping or repeated ticks are harmless.
 */
export async function tickAll(env: Env, now: number): Promise<TickResult[]> {
  const names = await scheduledDatasets(env.DATA_BUCKET);
  const out: TickResult[] = [];
  for (let i = 0; i < names.length; i += PARALLEL) {
    const batch = names.slice(i, i + PARALLEL).map(async (name): Promise<TickResult> => {
      try {
        return await keeper(env, name).tick(name, now);
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        return { dataset: name, action: 'failed', run: null, error, nextDue: null };
      }
    });
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** The Cron Trigger (wrangler.toml `[triggers]`): tick every schedule at the trigger's scheduled time. */
export async function scheduled(
  controller: ScheduledController,
  env: Env,
  _ctx?: ExecutionContext,
): Promise<void> {
  const results = await tickAll(env, controller.scheduledTime);
  for (const r of results) {
    if (r.action === 'started' || r.action === 'failed')
      console.log(
        `schedule ${r.dataset}: ${r.action}${r.run ? ` ${r.run}` : ''}${r.error ? `: ${r.error}` : ''}`,
      );
  }
}
