import type { GcResult } from '../../schemas/storage.ts';
import type { WinnowClient } from '../../src/client/index.ts';
import { formatBytes } from '../../src/limits.ts';
import { type Target, withClient } from './target.ts';

type Freed = GcResult['freed'];

const LABELS: Record<keyof Freed, (n: number) => string> = {
  intermediates: (n) => `intermediates of ${n} ended job${n === 1 ? '' : 's'}`,
  jobs: (n) => `${n} old job${n === 1 ? '' : 's'}, deleted whole`,
  orphans: (n) => `files of ${n} job${n === 1 ? '' : 's'} without a coordinator`,
  versions: (n) => `replaced versions of ${n} dataset${n === 1 ? '' : 's'}`,
};

const objects = (n: number) => `${n} object${n === 1 ? '' : 's'}`;

/** Every page of `POST /v1/gc`, added up. */
export async function gcAll(client: WinnowClient, body: { jobsOlderThan?: string; dryRun?: boolean }) {
  let cursor: string | undefined;
  let sum: GcResult | null = null;
  do {
    const page: GcResult = await client.gc({ ...body, ...(cursor ? { cursor } : {}) });
    sum = sum ? merge(sum, page) : page;
    cursor = page.cursor;
  } while (cursor);
  return { ...sum, cursor: undefined };
}

function merge(a: GcResult, b: GcResult): GcResult {
  const freed = { ...a.freed };
  for (const k of Object.keys(freed) as (keyof Freed)[])
    freed[k] = {
      count: a.freed[k].count + b.freed[k].count,
      objects: a.freed[k].objects + b.freed[k].objects,
      bytes: a.freed[k].bytes + b.freed[k].bytes,
    };
  return {
    dryRun: a.dryRun,
    freed,
    total: { objects: a.total.objects + b.total.objects, bytes: a.total.bytes + b.total.bytes },
    skipped: [...a.skipped, ...b.skipped],
  };
}

/** What gc freed (or, dry, would free), one line per kind, then the total and the jobs it kept. */
export function formatGc(r: GcResult): string {
  const verb = r.dryRun ? 'would free' : 'freed';
  const lines: string[] = [];
  for (const k of Object.keys(LABELS) as (keyof Freed)[]) {
    const c = r.freed[k];
    if (c.objects > 0) lines.push(`  ${LABELS[k](c.count)}: ${objects(c.objects)}, ${formatBytes(c.bytes)}`);
  }
  const head =
    r.total.objects === 0
      ? `nothing to free${r.dryRun ? ' (dry run)' : ''}`
      : `${verb} ${objects(r.total.objects)}, ${formatBytes(r.total.bytes)}${r.dryRun ? ' (dry run: nothing deleted)' : ''}`;
  const kept = r.skipped.map((s) => `  kept ${s.job}: ${s.reason}`);
  return [head, ...lines, ...kept].join('\n');
}

/** `winnow gc [--jobs-older-than 7d] [--dry-run]`. */
export async function gcCommand(t: Target, o: { jobsOlderThan?: string; dryRun: boolean }): Promise<number> {
  const body = { ...(o.jobsOlderThan ? { jobsOlderThan: o.jobsOlderThan } : {}), dryRun: o.dryRun };
  const result = await withClient(t, (c) => gcAll(c, body));
  process.stdout.write(`${formatGc(result)}\n`);
  return 0;
}

/** `winnow delete job <id>` and `winnow delete dataset <name>`. */
export async function deleteCommand(t: Target, what: string, name: string): Promise<number> {
  if (what === 'job') {
    const r = await withClient(t, (c) => c.deleteJob(name));
    process.stdout.write(
      `deleted job ${r.job}: ${objects(r.freed.objects)}, ${formatBytes(r.freed.bytes)}\n`,
    );
    return 0;
  }
  if (what === 'dataset') {
    const r = await withClient(t, (c) => c.deleteDataset(name));
    const cache = r.cacheBytes > 0 ? `, and ${formatBytes(r.cacheBytes)} of score cells` : '';
    process.stdout.write(
      `deleted dataset ${r.dataset}: ${objects(r.freed.objects)}, ${formatBytes(r.freed.bytes)}${cache}\n`,
    );
    return 0;
  }
  throw new Error(`usage: winnow delete job <id> | delete dataset <name>`);
}
