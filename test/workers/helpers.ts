import { env, exports } from 'cloudflare:workers';
import type { JobStatus } from '../../schemas/api.ts';
import { type JobSpec, jobSpecKey, MemoryStore, runLocal } from '../../src/pipeline/index.ts';

export const TOKEN = 'test-token';

export function api(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  return exports.default.fetch(new Request(`http://winnow.test${path}`, { ...init, headers }));
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** POST a JSON body. */
export function post(path: string, body: unknown): Promise<Response> {
  return api(path, { method: 'POST', body: JSON.stringify(body) });
}

export async function upload(name: string, body: string | Uint8Array): Promise<Response> {
  return api(`/v1/datasets/${name}`, { method: 'PUT', body });
}

export async function startJob(dataset: string, recipe?: unknown): Promise<string> {
  const res = await api('/v1/jobs', { method: 'POST', body: JSON.stringify({ dataset, recipe }) });
  if (res.status !== 201) throw new Error(`job not created: ${res.status} ${await res.text()}`);
  return (await json<{ id: string }>(res)).id;
}

export async function jobStatus(id: string): Promise<JobStatus> {
  return json<JobStatus>(await api(`/v1/jobs/${id}`));
}

export async function waitForJob(id: string, timeoutMs = 110_000): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await json<JobStatus>(await api(`/v1/jobs/${id}`));
    if (s.state !== 'running') return s;
    if (Date.now() > deadline) throw new Error(`job ${id} still running: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function output(id: string, file: string): Promise<string> {
  const res = await api(`/v1/jobs/${id}/outputs/${file}`);
  if (res.status !== 200) throw new Error(`${file}: ${res.status} ${await res.text()}`);
  return res.text();
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
export function lines<T = any>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** The job's spec and its input objects, into a MemoryStore: runLocal runs the same job in this isolate. */
export async function sameJobInProcess(id: string) {
  const spec = (await (await env.DATA_BUCKET.get(jobSpecKey(id)))!.json()) as JobSpec;
  const store = new MemoryStore();
  for (const o of spec.objects)
    await store.put(o.key, new Uint8Array(await (await env.DATA_BUCKET.get(o.key))!.arrayBuffer()));
  // The same bytes under the memory store's own versions (a job reads only the version it pinned).
  spec.objects = await Promise.all(spec.objects.map(async (o) => (await store.head(o.key))!));
  return { spec, store, report: await runLocal(store, spec) };
}

/**
 * The sampler tests' job: `rows` uploaded as `dataset`, the length and lexical scorers, `cluster`,
 * half selected; waits until it is done and returns it with its selected lines.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON
export async function clusteredJob<T = any>(
  dataset: string,
  rows: unknown[],
  cluster: Record<string, unknown>,
): Promise<{ job: string; selected: T[] }> {
  await upload(dataset, rows.map((r) => JSON.stringify(r)).join('\n'));
  const job = await startJob(dataset, {
    shardBytes: 128 * 1024,
    scorers: [{ id: 'length' }, { id: 'lexical' }],
    cluster,
    select: { budget: '50%' },
  });
  const state = (await waitForJob(job)).state;
  if (state !== 'done') throw new Error(`job ${job} ended ${state}`);
  return { job, selected: lines<T>(await output(job, 'selected.jsonl')) };
}
