import type { z } from 'zod';
import {
  type DatasetInfo,
  DatasetNameSchema,
  type ErrorBody,
  JobIdSchema,
  type JobList,
  type JobState,
  type JobStatus,
  type OutputList,
  RunIdSchema,
  SetNameSchema,
} from '../../schemas/api.ts';
import type { PairSetInfo, RoundInfo } from '../../schemas/pairs.ts';
import type { RecipeInput } from '../../schemas/recipe.ts';
import type {
  Batch,
  FeedbackBodySchema,
  NextBodySchema,
  SamplerCreateSchema,
  SamplerStatus,
} from '../../schemas/sampler.ts';
import {
  type Diff,
  PartNameSchema,
  type RunList,
  type Schedule,
  type ScheduleBodySchema,
  type TickResult,
} from '../../schemas/schedule.ts';
import type { DatasetDeleted, GcBodySchema, GcResult, JobDeleted } from '../../schemas/storage.ts';
import type { UploadCompleted, UploadList, UploadPartResult, UploadSession } from '../../schemas/upload.ts';

/** What `setSchedule` sends: `enabled` and `retries` may be left to their defaults. */
export type ScheduleBodyInput = z.input<typeof ScheduleBodySchema>;
/** What `createRun` sends: `seed` and `policy` (and a policy's parameters) may be left to their defaults. */
export type SamplerCreateInput = z.input<typeof SamplerCreateSchema>;
export type NextBodyInput = z.input<typeof NextBodySchema>;
export type FeedbackBodyInput = z.input<typeof FeedbackBodySchema>;
/** What `gc` sends: every field may be left out. */
export type GcBodyInput = z.input<typeof GcBodySchema>;
/** What `feedback` answers: `accepted` is false for a duplicate of feedback already given. */
export interface FeedbackResult {
  step: number;
  accepted: boolean;
  duplicate: boolean;
}

/** A file to upload in parts: its size, its SHA-256 (to resume), and a way to read any byte range of it. */
export interface UploadSource {
  size: number;
  /** Hex SHA-256 of the whole file: an interrupted upload of the same file resumes from its stored parts. */
  sha256?: string;
  /** The bytes [offset, offset + length) of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** How far `uploadFile` is: parts and bytes stored, of the whole. */
export interface UploadProgress {
  session: string;
  parts: number;
  partsDone: number;
  size: number;
  bytesDone: number;
  /** Parts an earlier, interrupted upload of the same file had stored: not sent again. */
  reused: number;
}

export interface UploadFileOptions {
  /** Append the file as this part of an existing dataset, instead of replacing the dataset. */
  part?: string;
  /** Bytes per part (5 MiB to the server's UPLOAD_PART_BYTES, its default); a resumed session keeps its own. */
  partBytes?: number;
  /** Parts sent at once (default 4). */
  parallel?: number;
  /** Attempts per part on a network error or a 5xx (default 4). */
  attempts?: number;
  onProgress?: (p: UploadProgress) => void;
}

/** What `uploadFile` did: the dataset, its session, and how many parts it sent and found stored. */
export interface UploadFileResult {
  dataset: DatasetInfo;
  session: UploadSession;
  sent: number;
  reused: number;
}

/** An error the API returned: its code, message and details, as in `{ error: {...} }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }
}

export interface ClientOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
}

/**
 * A name or id as one URL path segment. `.` and `..` cannot be sent as one, encoded or not (URL
 * parsers resolve them, `%2e%2e` too): they are refused here with the rule the API states for the
 * rest (`schema`'s message, as `request path is invalid: <param>: …`).
 */
function segment(value: string, schema: z.ZodType, param: string): string {
  if (value === '.' || value === '..') {
    const issue = schema.safeParse(value).error?.issues[0];
    throw new Error(`request path is invalid: ${param}: ${issue?.message ?? 'not a name'}`);
  }
  return encodeURIComponent(value);
}
const dataset = (name: string) => segment(name, DatasetNameSchema, 'name');
const job = (id: string) => segment(id, JobIdSchema, 'id');

/** A small typed client for the Winnow API; the CLI drives local and deployed instances with it. */
export class WinnowClient {
  readonly url: string;
  private readonly token: string;
  private readonly doFetch: typeof fetch;

  constructor({ url, token, fetch: f }: ClientOptions) {
    this.url = url.replace(/\/+$/, '');
    this.token = token;
    this.doFetch = f ?? fetch;
  }

  async request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.token}`);
    const res = await this.doFetch(`${this.url}${path}`, { ...init, method, headers });
    if (!res.ok) {
      const text = await res.text();
      let body: ErrorBody['error'] = {
        code: 'http_error',
        message: `${res.status} ${res.statusText}: ${text.slice(0, 300)}`,
      };
      try {
        body = (JSON.parse(text) as ErrorBody).error ?? body;
      } catch {}
      throw new ApiError(res.status, body);
    }
    return res;
  }

  private async json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<T> {
    const raw = body instanceof Uint8Array;
    const init: RequestInit = body === undefined ? {} : { body: raw ? body : JSON.stringify(body), headers };
    return (await (await this.request(method, path, init)).json()) as T;
  }

  health(): Promise<{ ok: true }> {
    return this.json('GET', '/v1/health');
  }

  /** Upload a dataset from a stream (sent as it is read). */
  uploadDataset(
    name: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    bytes?: number,
  ): Promise<DatasetInfo> {
    return this.putRaw(`/v1/datasets/${dataset(name)}`, body, bytes);
  }

  /** Append an object to an existing dataset (streamed); putting the same part again replaces it. */
  appendPart(
    name: string,
    part: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    bytes?: number,
  ): Promise<DatasetInfo> {
    return this.putRaw(
      `/v1/datasets/${dataset(name)}/parts/${segment(part, PartNameSchema, 'part')}`,
      body,
      bytes,
    );
  }

  private async putRaw(
    path: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    bytes?: number,
  ): Promise<DatasetInfo> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (bytes !== undefined) headers['content-length'] = String(bytes);
    const init = { body, headers, duplex: 'half' } as RequestInit;
    return (await (await this.request('PUT', path, init)).json()) as DatasetInfo;
  }

  /**
   * Upload a file in parts through an upload session (docs/api.md#upload-sessions): `parallel` parts
   * at a time, each retried on a network error or a 5xx, then completed. With `source.sha256`, an
   * open session for the same file is resumed: only its missing parts are sent. An empty file, which
   * has no parts, is sent with one PUT.
   */
  async uploadFile(
    name: string,
    source: UploadSource,
    opts: UploadFileOptions = {},
  ): Promise<UploadFileResult> {
    const { part, partBytes, parallel = 4, attempts = 4, onProgress } = opts;
    const base = `/v1/datasets/${dataset(name)}`;
    if (source.size === 0) {
      const empty = new Uint8Array(0);
      const info = part
        ? await this.appendPart(name, part, empty, 0)
        : await this.uploadDataset(name, empty, 0);
      const session = {
        id: '',
        dataset: name,
        size: 0,
        partBytes: 0,
        parts: 0,
        state: 'completed',
      } as UploadSession;
      return { dataset: info, session, sent: 0, reused: 0 };
    }
    const session = await this.json<UploadSession>('POST', `${base}/uploads`, {
      size: source.size,
      ...(source.sha256 ? { sha256: source.sha256 } : {}),
      ...(part ? { part } : {}),
      ...(partBytes ? { partBytes } : {}),
    });
    const todo = [...session.missing];
    const reused = session.parts - todo.length;
    let partsDone = reused;
    let bytesDone = session.receivedBytes;
    const report = () =>
      onProgress?.({
        session: session.id,
        parts: session.parts,
        partsDone,
        size: session.size,
        bytesDone,
        reused,
      });
    report();
    const sendOne = async (n: number) => {
      const offset = (n - 1) * session.partBytes;
      const length = Math.min(session.partBytes, session.size - offset);
      const body = await source.read(offset, length);
      if (body.byteLength !== length)
        throw new Error(
          `reading part ${n} of the file gave ${body.byteLength} bytes, not ${length}: did it change?`,
        );
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.json<UploadPartResult>('PUT', `${base}/uploads/${session.id}/parts/${n}`, body, {
            'content-type': 'application/octet-stream',
          });
        } catch (e) {
          const retry = !(e instanceof ApiError) || e.status >= 500;
          if (!retry || attempt >= attempts) throw e;
          await new Promise((ok) => setTimeout(ok, 250 * 2 ** attempt));
        }
      }
    };
    const worker = async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        const r = await sendOne(n);
        partsDone++;
        bytesDone += r.bytes;
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, todo.length)) }, worker));
    const done = await this.json<UploadCompleted>('POST', `${base}/uploads/${session.id}/complete`);
    return { dataset: done.dataset, session: done.session, sent: session.parts - reused, reused };
  }

  /** The dataset's upload sessions, newest first (`state`, `sha256` filter them). */
  async uploads(name: string, query: { state?: string; sha256?: string } = {}): Promise<UploadSession[]> {
    const q = new URLSearchParams(
      Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][],
    );
    const qs = q.toString();
    return (await this.json<UploadList>('GET', `/v1/datasets/${dataset(name)}/uploads${qs ? `?${qs}` : ''}`))
      .sessions;
  }

  /** Abort an upload session: its stored parts are dropped. */
  abortUpload(name: string, id: string): Promise<UploadSession> {
    return this.json('DELETE', `/v1/datasets/${dataset(name)}/uploads/${encodeURIComponent(id)}`);
  }

  registerDataset(name: string, keys: string[]): Promise<DatasetInfo> {
    return this.json('POST', `/v1/datasets/${dataset(name)}/register`, { keys });
  }

  async dataset(name: string): Promise<DatasetInfo | null> {
    try {
      return await this.json<DatasetInfo>('GET', `/v1/datasets/${dataset(name)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  createJob(dataset: string, recipe?: RecipeInput): Promise<{ id: string }> {
    return this.json('POST', '/v1/jobs', { dataset, ...(recipe ? { recipe } : {}) });
  }

  /** Jobs, newest first (`next` pages on: pass it as `before`). */
  jobs(
    query: { dataset?: string; state?: JobState; limit?: number; before?: string } = {},
  ): Promise<JobList> {
    const q = new URLSearchParams(
      Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ).toString();
    return this.json('GET', `/v1/jobs${q ? `?${q}` : ''}`);
  }

  job(id: string): Promise<JobStatus> {
    return this.json('GET', `/v1/jobs/${job(id)}`);
  }

  cancelJob(id: string): Promise<JobStatus> {
    return this.json('POST', `/v1/jobs/${job(id)}/cancel`);
  }

  /** Delete an ended job (outputs and all, and its coordinator's state); a running one is a 409. */
  deleteJob(id: string): Promise<JobDeleted> {
    return this.json('DELETE', `/v1/jobs/${job(id)}`);
  }

  /** Delete a dataset and everything Winnow keeps for it (not its jobs); 409 while running jobs read it. */
  deleteDataset(name: string): Promise<DatasetDeleted> {
    return this.json('DELETE', `/v1/datasets/${dataset(name)}`);
  }

  /** One page of storage clean-up; call again with the `cursor` it returns until there is none. */
  gc(body: GcBodyInput = {}): Promise<GcResult> {
    return this.json('POST', '/v1/gc', body);
  }

  /** The job's output files, as its manifest lists them (clusters.json and embeddings.npy only when written). */
  async outputs(id: string): Promise<OutputList['files']> {
    return (await this.json<OutputList>('GET', `/v1/jobs/${job(id)}/outputs`)).files;
  }

  /** Set (create or replace) the dataset's re-scoring schedule. */
  setSchedule(name: string, body: ScheduleBodyInput): Promise<Schedule> {
    return this.json('PUT', `/v1/datasets/${dataset(name)}/schedule`, body);
  }

  /** The dataset's schedule, or null when it has none. */
  async schedule(name: string): Promise<Schedule | null> {
    try {
      return await this.json<Schedule>('GET', `/v1/datasets/${dataset(name)}/schedule`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  deleteSchedule(name: string): Promise<{ deleted: true }> {
    return this.json('DELETE', `/v1/datasets/${dataset(name)}/schedule`);
  }

  /** Run the schedule's tick now, as the Cron Trigger does; `force` starts a run even when none is due. */
  tick(name: string, { force = false }: { force?: boolean } = {}): Promise<TickResult> {
    return this.json('POST', `/v1/datasets/${dataset(name)}/schedule/tick`, { force });
  }

  /** The dataset's scheduled runs, newest first, and its `latest` pointer. */
  runs(name: string): Promise<RunList> {
    return this.json('GET', `/v1/datasets/${dataset(name)}/runs`);
  }

  /** A run's diff.json: what entered and left the selection against the previous run. */
  diff(name: string, run: string): Promise<Diff> {
    return this.json('GET', `/v1/datasets/${dataset(name)}/runs/${segment(run, JobIdSchema, 'run')}/diff`);
  }

  /** Start a sampler run over a finished job's selected records and their mixture components. */
  createRun(body: SamplerCreateInput): Promise<SamplerStatus> {
    return this.json('POST', '/v1/runs', body);
  }

  /** A sampler run's step, per-component weights, loss statistics and counts served. */
  run(id: string): Promise<SamplerStatus> {
    return this.json('GET', `/v1/runs/${segment(id, RunIdSchema, 'id')}`);
  }

  /** The run's next batch, or with `step` one already served (answered again, identically). */
  nextBatch(id: string, body: NextBodyInput = {}): Promise<Batch> {
    return this.json('POST', `/v1/runs/${segment(id, RunIdSchema, 'id')}/next`, body);
  }

  /** Per-example losses of a served batch; sending the same feedback again is a no-op. */
  feedback(id: string, body: FeedbackBodyInput): Promise<FeedbackResult> {
    return this.json('POST', `/v1/runs/${segment(id, RunIdSchema, 'id')}/feedback`, body);
  }

  /** Create or change a pair set (a recipe with `pairs`); its rounds are kept. */
  putPairSet(name: string, recipe: RecipeInput): Promise<PairSetInfo> {
    return this.json('PUT', `/v1/pairs/${segment(name, SetNameSchema, 'set')}`, { recipe });
  }

  pairSet(name: string): Promise<PairSetInfo> {
    return this.json('GET', `/v1/pairs/${segment(name, SetNameSchema, 'set')}`);
  }

  /** Append a round of rollouts or responses (streamed); its job starts at once. */
  async addRound(
    name: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    { bytes, scope = 'round' }: { bytes?: number; scope?: 'round' | 'all' } = {},
  ): Promise<RoundInfo> {
    const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
    if (bytes !== undefined) headers['content-length'] = String(bytes);
    const init = { body, headers, duplex: 'half' } as RequestInit;
    const path = `/v1/pairs/${segment(name, SetNameSchema, 'set')}/rounds?scope=${scope}`;
    return (await (await this.request('POST', path, init)).json()) as RoundInfo;
  }

  round(name: string, round: number): Promise<RoundInfo> {
    return this.json('GET', `/v1/pairs/${segment(name, SetNameSchema, 'set')}/rounds/${round}`);
  }

  /** A finished round's pairs.jsonl, or (no round) every finished round's. */
  async roundPairs(name: string, round?: number): Promise<ReadableStream<Uint8Array>> {
    const at = round === undefined ? '' : `/rounds/${round}`;
    const res = await this.request(
      'GET',
      `/v1/pairs/${segment(name, SetNameSchema, 'set')}${at}/pairs.jsonl`,
    );
    return res.body ?? new ReadableStream({ start: (c) => c.close() });
  }

  /** Stream one output file (selected.jsonl, rejected.jsonl, invalid.jsonl, report.json, …). */
  async output(id: string, file: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.request('GET', `/v1/jobs/${job(id)}/outputs/${encodeURIComponent(file)}`);
    return res.body ?? new ReadableStream({ start: (c) => c.close() });
  }
}
