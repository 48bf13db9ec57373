import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JobStatus } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import { EXPORT_FORMATS, type ExportFormat, type Recipe, RecipeSchema } from '../../schemas/recipe.ts';
import { ApiError, type WinnowClient } from '../../src/client/index.ts';
import { ProgressView } from './progress.ts';
import { parseProviderFlags, providerVars, recipeEndpoints } from './providers.ts';
import { clearRunRecord, readRunRecord, reattach, runRecordFile, writeRunRecord } from './run-record.ts';
import { logger, type Target, withClient } from './target.ts';
import { sha256File, uploadFileCli } from './upload-file.ts';

export interface RunOptions {
  input: string;
  budget?: string;
  recipe?: string;
  /** Overrides the recipe's shardBytes. */
  shardBytes?: number;
  out: string;
  state: string;
  url?: string;
  token?: string;
  quiet?: boolean;
  /** `--cluster kmeans|gmm` and `--k N`: override the recipe's cluster settings. */
  cluster?: string;
  k?: number;
  exportEmbeddings?: boolean;
  strategy?: string;
  /** `--export trl,alpaca`: the trainer files to write (replaces the recipe's export.formats). */
  exportFormats?: ExportOption[];
  /** `--provider <name>=<url>[,key=<ENV>]`: model endpoints declared for the local stack. */
  provider?: string[];
  /** `--part-size`, `--parallel`: how the input is uploaded (upload-file.ts). */
  partBytes?: number;
  parallel?: number;
}

/** Parse `--budget`: a count (`5000`) or a percentage (`30%`). */
export function parseBudget(text: string): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+(\.\d+)?%$/.test(text)) return text;
  throw new Error(`--budget must be a count like 5000 or a percentage like 30%, got "${text}"`);
}

/** Parse `--export`: a comma-separated list of export formats, each once. */
/** What `--export` takes: the trainer formats, and `parquet` (every part file also as Parquet). */
export type ExportOption = ExportFormat | 'parquet';
const EXPORT_OPTIONS: readonly ExportOption[] = [...EXPORT_FORMATS, 'parquet'];

export function parseExportFormats(text: string): ExportOption[] {
  const names = text.split(',').map((s) => s.trim());
  const valid = EXPORT_OPTIONS.join(', ');
  for (const [i, name] of names.entries()) {
    if (!EXPORT_OPTIONS.includes(name as ExportOption))
      throw new Error(`--export takes a comma-separated list of ${valid}; "${name}" is not one of them`);
    if (names.indexOf(name) < i) throw new Error(`--export lists "${name}" twice`);
  }
  return names as ExportOption[];
}

export function loadRecipe(
  opts: Pick<
    RunOptions,
    'recipe' | 'budget' | 'strategy' | 'shardBytes' | 'cluster' | 'k' | 'exportEmbeddings' | 'exportFormats'
  >,
): Recipe {
  let raw: Record<string, unknown> = {};
  if (opts.recipe) {
    try {
      raw = JSON.parse(readFileSync(opts.recipe, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read recipe ${opts.recipe}: ${(e as Error).message}`);
    }
  }
  if (opts.budget !== undefined) {
    const select = (raw.select ?? {}) as Record<string, unknown>;
    raw = { ...raw, select: { ...select, budget: parseBudget(opts.budget) } };
  }
  if (opts.strategy !== undefined) {
    const select = (raw.select ?? {}) as Record<string, unknown>;
    const current = (select.strategy ?? {}) as Record<string, unknown>;
    const strategy = current.id === opts.strategy ? current : { id: opts.strategy };
    raw = { ...raw, select: { ...select, strategy } };
  }
  if (opts.shardBytes !== undefined) raw = { ...raw, shardBytes: opts.shardBytes };
  if (opts.cluster !== undefined || opts.k !== undefined) {
    const cluster = { ...((raw.cluster ?? {}) as Record<string, unknown>) };
    if (opts.cluster !== undefined) cluster.algorithm = opts.cluster;
    if (opts.k !== undefined) cluster.k = opts.k;
    raw = { ...raw, cluster };
  }
  if (opts.exportEmbeddings) raw = { ...raw, exportEmbeddings: true };
  if (opts.exportFormats !== undefined) {
    const current = (raw.export ?? {}) as Record<string, unknown>;
    const formats = opts.exportFormats.filter((f) => f !== 'parquet');
    const parquet = opts.exportFormats.includes('parquet') || current.parquet === true;
    raw = { ...raw, export: { ...current, formats, parquet } };
  }
  const r = RecipeSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(recipe)'}: ${i.message}`);
    throw new Error(`recipe is invalid:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** `<file name>-<10 hex of its contents' SHA-256>` (streamed: inputs may be large): a dataset or part name. */
export async function datasetName(file: string): Promise<string> {
  const hash = await sha256File(file);
  const base = basename(file)
    .replace(/(\.(jsonl?|gz))+$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 80);
  return `${base || 'data'}-${hash.slice(0, 10)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Upload a file as a dataset unless a dataset of the same name (file and content hash) exists, in
 * parts: an interrupted upload of the same file resumes from the parts already stored.
 */
async function ensureUploaded(
  client: WinnowClient,
  file: string,
  log: (s: string) => void,
  opts: Pick<RunOptions, 'partBytes' | 'parallel' | 'quiet'> = {},
): Promise<string> {
  const name = await datasetName(file);
  const existing = await client.dataset(name);
  if (existing && existing.bytes > 0) {
    log(`dataset ${name} already uploaded (${existing.bytes} bytes)`);
    return name;
  }
  const size = statSync(file).size;
  log(`uploading ${file} (${(size / 1e6).toFixed(1)} MB) as dataset ${name} …`);
  // Only these: the run's own options also hold `out`, its output directory.
  const { partBytes, parallel, quiet } = opts;
  await uploadFileCli(client, file, name, { partBytes, parallel, quiet });
  return name;
}

/**
 * Every scorer config value (the in-context scorer's too) naming a local file (`"target":
 * "file:anchors.json"`, relative to the recipe file `base` is in): its config, key and absolute
 * path; a file that does not exist is an error naming the scorer and key.
 */
export function* fileReferences(
  recipe: Recipe,
  base: string,
): Generator<{ config: Record<string, unknown>; key: string; file: string }> {
  const ic = recipe.select.incontext?.scorer;
  for (const scorer of ic ? [...recipe.scorers, ic] : recipe.scorers) {
    for (const [key, value] of Object.entries(scorer.config)) {
      if (typeof value !== 'string' || !value.startsWith('file:')) continue;
      const file = resolve(base, value.slice('file:'.length));
      if (!existsSync(file)) throw new Error(`scorer "${scorer.id}" config.${key}: no file ${file}`);
      yield { config: scorer.config, key, file };
    }
  }
}

/**
 * Scorer configs (the in-context scorer's too) may name local files as references (`"target": "file:anchors.json"`, relative to the
 * recipe file): each is uploaded as a dataset and the value becomes `dataset:<name>`, which the fit
 * stage reads.
 */
export async function uploadFileReferences(
  client: WinnowClient,
  recipe: Recipe,
  base: string,
  log: (s: string) => void,
) {
  for (const { config, key, file } of fileReferences(recipe, base))
    config[key] = `dataset:${await ensureUploaded(client, file, log)}`;
}

/**
 * Upload, run a job, show progress, download outputs. Returns the report. The job is recorded under
 * `--state` until its outputs are downloaded, so that the same command run again after an
 * interruption reattaches to it instead of starting another (run-record.ts).
 */
export async function runPipeline(opts: RunOptions): Promise<Report> {
  const log = logger(opts);
  const input = resolve(opts.input);
  if (!existsSync(input)) throw new Error(`no input file ${input}`);
  const recipe = loadRecipe(opts);
  /** The job this run waits for, until its outputs are downloaded. */
  let pending: string | undefined;
  const run = async (client: WinnowClient) => {
    const name = await ensureUploaded(client, input, log, opts);
    await uploadFileReferences(
      client,
      recipe,
      opts.recipe ? dirname(resolve(opts.recipe)) : process.cwd(),
      log,
    );
    const target = opts.url ?? 'local';
    const record = runRecordFile(opts.state, target, name, recipe);
    let id = await earlierJob(client, record, log);
    if (!id) {
      id = (await client.createJob(name, recipe)).id;
      writeRunRecord(record, { job: id, dataset: name, target, started: new Date().toISOString() });
      log(`job ${id}`);
    }
    pending = id;
    let report: Report;
    try {
      report = await waitAndDownload(client, id, opts);
    } catch (e) {
      // A job that failed or was cancelled is not waited for again; one left unfinished is.
      if (e instanceof JobEndedError) {
        clearRunRecord(record);
        pending = undefined;
      }
      throw e;
    }
    clearRunRecord(record);
    pending = undefined;
    return report;
  };
  // Locally, the recipe's own endpoints (and --provider flags) are what the user declares to allow.
  const endpoints = opts.url ? {} : { ...recipeEndpoints(recipe), ...parseProviderFlags(opts.provider) };
  return withClient(opts, run, {
    vars: providerVars(endpoints),
    leftBehind: () => (pending ? resumeNote(pending, opts, endpoints) : undefined),
  });
}

/**
 * What `run` says when it stops before the job's outputs are downloaded (Ctrl-C, SIGTERM): the job
 * is not cancelled, and the same command, or `fetch`, picks it up again. Locally, `fetch` is given the
 * model endpoints `run` declared, without which the resumed job could not call them.
 */
export function resumeNote(
  id: string,
  opts: Pick<RunOptions, 'url' | 'state' | 'out'>,
  endpoints: ReturnType<typeof recipeEndpoints> = {},
): string {
  const where = opts.url
    ? `goes on running on ${opts.url}`
    : `is left unfinished, and goes on when a command next starts the local stack on ${opts.state}`;
  const target = opts.url ? [`--url ${opts.url}`, '--token …'] : [`--state ${opts.state}`];
  const providers = Object.entries(endpoints).map(
    ([name, e]) => `--provider ${name}=${e.baseUrl}${e.apiKeySecret ? `,key=${e.apiKeySecret}` : ''}`,
  );
  const fetch = ['winnow fetch', id, ...target, `--out ${opts.out}`, ...providers].join(' ');
  return `job ${id} ${where}. To wait for it and download its outputs, run the same command again, or: ${fetch}`;
}

/** The job an earlier, interrupted run of this command started, when it is to be reattached to. */
async function earlierJob(
  client: WinnowClient,
  file: string,
  log: (s: string) => void,
): Promise<string | null> {
  const record = readRunRecord(file);
  if (!record) return null;
  let status: JobStatus | null = null;
  try {
    status = await client.job(record.job);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  const { job, note } = reattach(record, status);
  log(note);
  if (!job) clearRunRecord(file);
  return job;
}

/** The job ended without outputs (failed or cancelled). */
class JobEndedError extends Error {}

/** Wait for job `id` (drawing its progress), then download every file its manifest lists into `out`. */
export async function waitAndDownload(
  client: WinnowClient,
  id: string,
  opts: Pick<RunOptions, 'out' | 'quiet'>,
): Promise<Report> {
  const view = opts.quiet ? null : new ProgressView();
  let status: JobStatus;
  for (;;) {
    status = await client.job(id);
    view?.update(status);
    if (status.state !== 'running') break;
    await sleep(200);
  }
  if (status.state !== 'done') {
    const page = await failedReport(client, id, opts.out);
    const why = `job ${id} ${status.state}: ${status.error ?? 'no reason given'}`;
    throw new JobEndedError(page ? `${why} (see ${page})` : why);
  }
  mkdirSync(opts.out, { recursive: true });
  // Every file the job's manifest lists, report.json last.
  for (const { name: file } of await client.outputs(id)) {
    const stream = await client.output(id, file);
    // Parquet parts are named by folder, as the Hub lays them out (`data/train-00000-of-00004.parquet`).
    mkdirSync(dirname(join(opts.out, file)), { recursive: true });
    await pipeline(
      Readable.fromWeb(stream as import('node:stream/web').ReadableStream),
      createWriteStream(join(opts.out, file)),
    );
  }
  return JSON.parse(readFileSync(join(opts.out, 'report.json'), 'utf8')) as Report;
}

/**
 * A job that ended without outputs still has a report page (why, which task, where each stage stood):
 * written into `out` as report.html. Null when the server has no such page (an older Winnow).
 */
async function failedReport(client: WinnowClient, id: string, out: string): Promise<string | null> {
  try {
    const html = await (await client.request('GET', `/v1/jobs/${id}/report.html`)).text();
    mkdirSync(out, { recursive: true });
    const file = join(out, 'report.html');
    writeFileSync(file, html);
    return file;
  } catch (e) {
    if (e instanceof ApiError) return null;
    throw e;
  }
}

/** `winnow fetch <job>`: wait for a job (the local stack resumes it), then download its outputs. */
export async function fetchJob(opts: Target & Pick<RunOptions, 'out'>, id: string): Promise<Report> {
  return withClient(opts, (client) => waitAndDownload(client, id, opts));
}

export function summary(report: Report, out: string): string {
  if (report.pairs) return pairsSummary(report, out);
  const c = report.counts;
  const pct = (n: number) => (c.valid > 0 ? ` (${((100 * n) / c.valid).toFixed(1)}% of valid)` : '');
  const reasons = Object.entries(report.rejectedByReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return [
    '',
    `input     ${c.input} records`,
    `valid     ${c.valid}    invalid ${c.invalid}`,
    `selected  ${c.selected}${pct(c.selected)}${report.budget.reachable ? '' : '  (budget not reachable: all candidates selected)'}`,
    `rejected  ${c.rejected}${reasons ? `  (${reasons})` : ''}`,
    `scoring   ${report.scoring.computed} cells computed, ${report.scoring.cached} from cache`,
    ...exportLines(report),
    `time      ${report.seconds.toFixed(1)}s`,
    '',
    `outputs in ${resolve(out)}/`,
    ...report.outputs.map((f) => `  ${f}`),
  ].join('\n');
}

/** A pairs job: members, groups used and skipped, pairs written. */
function pairsSummary(report: Report, out: string): string {
  const p = report.pairs!;
  const c = report.counts;
  const skipped = Object.entries(p.groups.skipped)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return [
    '',
    `members   ${c.valid} valid    invalid ${c.invalid}`,
    `groups    ${p.groups.total}: ${p.groups.used} used${skipped ? `, skipped: ${skipped}` : ''}`,
    `pairs     ${p.pairs} of ${p.candidates} candidates (${p.strategy.id}, by ${p.score})`,
    ...exportLines(report),
    `time      ${report.seconds.toFixed(1)}s`,
    '',
    `outputs in ${resolve(out)}/`,
    ...report.outputs.map((f) => `  ${f}`),
  ].join('\n');
}

/** The trainer files' rows, and the records (pairs) left out of them with why. */
function exportLines(report: Report): string[] {
  const e = report.export;
  if (!e) return [];
  const files = e.files.filter((f) => f.rows !== undefined).map((f) => f.name);
  const reasons = Object.entries(e.notExportedByReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const left = e.notExported > 0 ? `; ${e.notExported} not exported (${reasons}), see report.json` : '';
  return [`exported  ${e.exported} rows to ${files.join(', ') || 'no row file'}${left}`];
}
