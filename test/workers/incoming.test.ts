import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
// Real records (the shared Alpaca sample), bundled into the test by the JSON import.
import alpaca from '../../../shared/data/alpaca-random-9k.json';
import type { DatasetInfo } from '../../schemas/api.ts';
import type { RunList, Schedule } from '../../schemas/schedule.ts';
import worker from '../../workers/index.ts';
import { api, json, output } from './helpers.ts';

const ALPACA = alpaca as unknown[];
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const RECIPE = {
  shardBytes: 32 * 1024,
  scorers: [{ id: 'length' }, { id: 'heuristics' }],
  select: { budget: '30%' },
};

let seq = 0;
/** A notification of the shape R2 sends (developers.cloudflare.com/r2/buckets/event-notifications). */
async function notification(key: string, action = 'PutObject') {
  const head = await env.DATA_BUCKET.head(key);
  return {
    account: '3f4b7e3dcab231cbfdaa90a6a28bd548',
    action,
    bucket: 'winnow-data',
    object: head ? { key, size: head.size, eTag: head.etag } : { key },
    eventTime: new Date().toISOString(),
  };
}

/** Deliver notification bodies to the consumer as one batch; the ids it acked and retried. */
async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch<unknown>(
    'winnow-incoming',
    bodies.map((body) => ({ id: `m${++seq}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { acked: result.explicitAcks.length, retried: result.retryMessages.length };
}

const dataset = async (name: string) => {
  const res = await api(`/v1/datasets/${name}`);
  return res.status === 200 ? json<DatasetInfo>(res) : null;
};

async function gzip(text: string): Promise<Uint8Array> {
  const s = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe('files dropped into the bucket (R2 event notifications on incoming/)', () => {
  it('registers a new dataset, appends parts in name order, and registers a duplicate once', async () => {
    await env.DATA_BUCKET.put('incoming/inc-a/0002.jsonl', jsonl(ALPACA.slice(10, 20)));
    await env.DATA_BUCKET.put('incoming/inc-a/0001.jsonl', jsonl(ALPACA.slice(0, 10)));
    const one = await notification('incoming/inc-a/0001.jsonl');
    // The first, twice in one batch (at-least-once delivery), then again in a batch of its own.
    expect(await deliver([one, one])).toEqual({ acked: 2, retried: 0 });
    expect(await deliver([one])).toEqual({ acked: 1, retried: 0 });
    const created = await dataset('inc-a');
    expect(created).toMatchObject({ name: 'inc-a', origin: 'register' });
    expect(created!.objects).toEqual([
      expect.objectContaining({ key: 'incoming/inc-a/0001.jsonl', part: '0001.jsonl' }),
    ]);
    const two = await notification('incoming/inc-a/0002.jsonl');
    await deliver([two, two]);
    const parts = (await dataset('inc-a'))!.objects.map((o) => o.part);
    expect(parts).toEqual(['0001.jsonl', '0002.jsonl']);
    // The objects stay where they were dropped: they are the user's.
    expect(await env.DATA_BUCKET.head('incoming/inc-a/0001.jsonl')).not.toBeNull();
  });

  it('reads a gzip object through a decompressed copy, once, and replaces an overwritten part in place', async () => {
    await env.DATA_BUCKET.put('incoming/inc-gz/a.jsonl', jsonl(ALPACA.slice(0, 5)));
    await deliver([await notification('incoming/inc-gz/a.jsonl')]);
    const text = jsonl(ALPACA.slice(5, 25));
    await env.DATA_BUCKET.put('incoming/inc-gz/b.jsonl.gz', await gzip(text));
    const gz = await notification('incoming/inc-gz/b.jsonl.gz');
    await deliver([gz, gz]);
    await deliver([gz]);
    const info = (await dataset('inc-gz'))!;
    expect(info.objects).toHaveLength(2);
    const copy = info.objects[1];
    expect(copy).toMatchObject({ part: 'b.jsonl.gz', source: { key: 'incoming/inc-gz/b.jsonl.gz' } });
    expect(await (await env.DATA_BUCKET.get(copy.key))!.text()).toBe(text);
    // One copy only, however often it was notified.
    const copies = await env.DATA_BUCKET.list({ prefix: 'datasets/inc-gz/.winnow/v/' });
    expect(copies.objects).toHaveLength(1);
    // The first object put again with other records: its part is replaced where it was.
    await env.DATA_BUCKET.put('incoming/inc-gz/a.jsonl', jsonl(ALPACA.slice(30, 33)));
    await deliver([await notification('incoming/inc-gz/a.jsonl')]);
    const after = (await dataset('inc-gz'))!;
    expect(after.objects.map((o) => o.part)).toEqual(['a.jsonl', 'b.jsonl.gz']);
    expect(after.objects[0].size).toBe(jsonl(ALPACA.slice(30, 33)).length);
  });

  it('skips what is not incoming/<dataset>/<part>, deletes, and objects gone since, acking each', async () => {
    await env.DATA_BUCKET.put('incoming/loose.jsonl', '{}\n');
    await env.DATA_BUCKET.put('incoming/inc-deep/a/b.jsonl', '{}\n');
    await env.DATA_BUCKET.put('incoming/.hidden/a.jsonl', '{}\n');
    const bodies = [
      await notification('incoming/loose.jsonl'),
      await notification('incoming/inc-deep/a/b.jsonl'),
      await notification('incoming/.hidden/a.jsonl'),
      await notification('incoming/inc-del/a.jsonl', 'DeleteObject'),
      await notification('incoming/inc-gone/a.jsonl'),
      { hello: 'not a notification' },
    ];
    expect(await deliver(bodies)).toEqual({ acked: 6, retried: 0 });
    for (const name of ['loose.jsonl', 'inc-deep', '.hidden', 'inc-del', 'inc-gone'])
      expect((await api(`/v1/datasets/${name}`)).status).not.toBe(200);
  });

  it("a scheduled dataset's next run reads the parts dropped since its last", async () => {
    await env.DATA_BUCKET.put('incoming/inc-sched/0001.jsonl', jsonl(ALPACA.slice(0, 60)));
    await deliver([await notification('incoming/inc-sched/0001.jsonl')]);
    const schedule = await json<Schedule>(
      await api('/v1/datasets/inc-sched/schedule', {
        method: 'PUT',
        body: JSON.stringify({ every: '1h', recipe: RECIPE }),
      }),
    );
    const tick = async (at: number) => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: at, cron: '* * * * *' }), env, ctx);
      await waitOnExecutionContext(ctx);
    };
    const settled = async () => {
      for (;;) {
        const list = await json<RunList>(await api('/v1/datasets/inc-sched/runs'));
        if (list.runs.length && list.runs.every((r) => r.state !== 'starting' && r.state !== 'running'))
          return list.runs;
        await new Promise((ok) => setTimeout(ok, 100));
      }
    };
    const due = Date.parse(schedule.nextDue!);
    await tick(due);
    const [first] = await settled();
    expect(first).toMatchObject({ state: 'done', objects: 1, summary: { input: 60 } });
    await env.DATA_BUCKET.put('incoming/inc-sched/0002.jsonl', jsonl(ALPACA.slice(60, 100)));
    await deliver([await notification('incoming/inc-sched/0002.jsonl')]);
    await tick(due + 3_600_000);
    const [second] = await settled();
    expect(second).toMatchObject({ state: 'done', objects: 2, previous: first.run });
    expect(JSON.parse(await output(second.run, 'report.json')).counts.input).toBe(100);
  });
});
