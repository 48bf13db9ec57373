import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from '../../schemas/output.ts';
import { STRATEGY_IDS, type StrategyId } from '../../schemas/recipe.ts';
import { ApiError } from '../../src/client/index.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { dryRunCommand } from './dry-run.ts';
import { deleteCommand, gcCommand } from './gc.ts';
import { pairsGet, pairsRound, pairsSet } from './pairs.ts';
import { pythonClient } from './python-client.ts';
import { fetchJob, parseExportFormats, runPipeline, summary } from './run.ts';
import { safetyBench, safetyGenerate } from './safety.ts';
import {
  append,
  diff,
  jobs,
  runs,
  scheduleGet,
  scheduleRm,
  scheduleSet,
  scheduleTick,
  serve,
  upload,
} from './schedule.ts';
import { open, status } from './status.ts';
import { parsePartSize } from './upload-file.ts';

const HELP = `winnow: select a budgeted, high-quality subset of instruction data

usage:
  winnow run <input> [--budget <N|P%>] [--recipe <file>] [--out <dir>] [--state <dir>]
                     [--strategy topk|balanced|diverse|kcenter]
                     [--cluster kmeans|gmm --k <n>] [--export-embeddings]
                     [--export trl,alpaca,sharegpt,llamafactory,axolotl]
                     [--url <api> --token <t>] [--quiet]
                     run again after an interruption, it reattaches to the job it started
  winnow run <input> --dry-run [--sample <n>] [--json] [--recipe <file>] [--budget …] …
                     project the job without starting anything: exact valid/invalid counts, the
                     selection from a sample, model requests, tokens and cost; exit 1 over a
                     provider's requestBudget
  winnow fetch <job> [--out <dir>]   wait for a job, then download its outputs
  winnow jobs [<dataset>]            the newest jobs: state, stage, progress
  winnow status <job>                a job's state, stage and per-stage progress, once (exit 1: failed
                                     or cancelled)
  winnow open <job> [--out <dir>]    the URLs of the job's report and of the console (they need the
                                     token), and report.html in --out if run or fetch downloaded it
  winnow demo        generate a small demo dataset and run it locally

  winnow upload <dataset> <file>                 store a file as the dataset (replaces it)
  winnow append <dataset> <file> [--part <name>] add a file to the dataset as one more part
  winnow schedule set <dataset> (--cron "<5 fields>" | --every <15m|6h|1d>)
                      [--recipe <file> | --recipe-ref <job>] [--budget …] [--strategy …]
                      [--disabled] [--retries <n>]
  winnow schedule get|rm <dataset>
  winnow schedule tick <dataset> [--force] [--wait]
  winnow runs <dataset>                          the scheduled runs, newest first
  winnow diff <dataset> <run> [--out <file>]     what entered and left the selection
  winnow serve [--state <dir>] [--port <n>] [--token <t>]
                                                 keep the local stack up (restarted if its runtime
                                                 dies), firing the cron every minute

  winnow gc [--jobs-older-than <30m|12h|7d>] [--dry-run]
                                                 free storage: ended jobs' intermediates, replaced dataset
                                                 versions, orphaned files; with the flag, old jobs whole
  winnow delete job <id> | delete dataset <name> delete an ended job, or a dataset (not its jobs)

  winnow pairs set <set> --recipe <file>         create or change a pair set (a recipe with \`pairs\`)
  winnow pairs round <set> <file> [--scope round|all] [--out <file>]
                                                 append a round of rollouts, wait, write its pairs.jsonl
  winnow pairs get <set>                         the set's rounds

  winnow safety generate <request.json> [--count <n>] [--seed <n>] [--into <dataset>] [--out <dir>]
                                                 generate identity-attack defence data (docs/safety.md);
                                                 --into appends it to a dataset as one more part
  winnow safety bench <request.json> [--dataset <name>] [--count <n>] [--seed <n>] [--out <dir>]
                                                 benchmark a model's defence of the identity
                                                 (\`winnow identity …\` is the same command)

  winnow python-client [<dir>]                   write the Python client, winnow_client.py, into dir

  <input>      JSON array, JSONL or Parquet (Alpaca, ShareGPT or OpenAI messages; gzip accepted); with a
               recipe that has \`pairs\`: responses rows or rollouts (see docs/pairs.md)
  --budget     records to select: a count (5000) or a share of valid records (30%)
  --recipe     a JSON recipe (see docs/recipe.md); --budget overrides its select.budget
  --strategy   how the budget is spent (default topk; balanced needs --cluster); overrides the
               recipe's select.strategy.id, keeping its other settings when the id is the same
  --shard-bytes  input bytes per shard (default 4 MiB; the demo uses 64 KiB)
  --cluster    kmeans or gmm: cluster the embeddings (needs --k or the recipe's cluster.k)
  --k          clusters (mixture components)
  --dry-run    run: read and validate the input, run the recipe's offline part on a hash-uniform
               sample, project the selection and the model requests (docs/cli.md#dry-run)
  --sample     dry run: valid records in the sample (default 2000); --json: print a JSON object
  --export-embeddings  also write embeddings.npy (float32, one row per valid record)
  --export     trainer-ready files, a comma-separated list (docs/exports.md): trl (train.jsonl),
               alpaca, sharegpt, llamafactory (dataset_info.json), axolotl (axolotl.yaml)
  --out        output directory (default ./winnow-out); for diff, a file for diff.json
  --part       the part's name (default: the file's name and a hash of its contents)
  --part-size  upload in parts of this size (bytes, or 8MiB; default the server's, 16 MiB); --parallel:
               parts sent at once (default 4). An interrupted upload of the same file resumes
  --cron       a 5-field cron in UTC; --every an interval, first due at once
  --recipe-ref re-use the recipe of an earlier job, as it ran
  --disabled   store the schedule without running it; --retries: failed runs retried (default 3)
  --force      tick: start a run even when none is due; --wait: wait for it, exit 1 if it fails
  --state      local state directory (default .winnow/)
  --url/--token  drive a deployed Winnow instead of the local stack; for serve, --token (default
               $WINNOW_TOKEN, else the one kept in <state>/token) is the token it answers to
  --provider   <name>=<url>[,key=<ENV VAR>]: a model endpoint the local stack may call (repeatable),
               with the variable holding its API key; run declares its recipe's own providers too
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      budget: { type: 'string' },
      strategy: { type: 'string' },
      recipe: { type: 'string' },
      'shard-bytes': { type: 'string' },
      out: { type: 'string' },
      state: { type: 'string', default: '.winnow' },
      url: { type: 'string' },
      token: { type: 'string', default: process.env.WINNOW_TOKEN },
      quiet: { type: 'boolean', default: false },
      cluster: { type: 'string' },
      k: { type: 'string' },
      'export-embeddings': { type: 'boolean', default: false },
      export: { type: 'string' },
      part: { type: 'string' },
      cron: { type: 'string' },
      every: { type: 'string' },
      'recipe-ref': { type: 'string' },
      disabled: { type: 'boolean', default: false },
      retries: { type: 'string' },
      force: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      port: { type: 'string' },
      scope: { type: 'string' },
      'jobs-older-than': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      sample: { type: 'string' },
      json: { type: 'boolean', default: false },
      provider: { type: 'string', multiple: true },
      count: { type: 'string' },
      seed: { type: 'string' },
      dataset: { type: 'string' },
      into: { type: 'string' },
      'part-size': { type: 'string' },
      parallel: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, input, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  if (values.url && !values.token) throw new Error('--url needs --token (or WINNOW_TOKEN)');
  const shardBytes = values['shard-bytes'] === undefined ? undefined : Number(values['shard-bytes']);
  if (shardBytes !== undefined && !Number.isInteger(shardBytes))
    throw new Error('--shard-bytes takes a whole number');
  if (values.cluster !== undefined && !['kmeans', 'gmm'].includes(values.cluster))
    throw new Error(`--cluster takes kmeans or gmm, got "${values.cluster}"`);
  if (values.strategy !== undefined && !STRATEGY_IDS.includes(values.strategy as StrategyId))
    throw new Error(`--strategy takes ${STRATEGY_IDS.join(', ')}, got "${values.strategy}"`);
  const k = values.k === undefined ? undefined : Number(values.k);
  if (k !== undefined && !(Number.isInteger(k) && k >= 1)) throw new Error('--k takes a whole number ≥ 1');
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1 && parallel <= 16))
    throw new Error('--parallel takes a whole number from 1 to 16');
  const uploading = {
    partBytes: values['part-size'] === undefined ? undefined : parsePartSize(values['part-size']),
    parallel,
  };
  const common = {
    ...values,
    ...uploading,
    out: values.out ?? 'winnow-out',
    state: values.state!,
    shardBytes,
    k,
    exportEmbeddings: values['export-embeddings'],
    exportFormats: values.export === undefined ? undefined : parseExportFormats(values.export),
  };
  if (command === 'demo') {
    const dir = join(common.state, 'demo');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'demo.jsonl');
    writeFileSync(file, generateDemo({ records: 2000, seed: 7 }));
    process.stderr.write(`demo dataset: ${file} (2000 generated records)\n`);
    // Small shards, so that the demo shows the stages working shard by shard.
    // The generated records come from templates, so most are near duplicates of each other: the
    // demo's budget (10%) fits what is left after dedup.
    const report = await runPipeline({
      ...common,
      budget: common.budget ?? '10%',
      shardBytes: common.shardBytes ?? 64 * 1024,
      input: file,
    });
    process.stdout.write(`${summary(report, common.out)}\n`);
    return 0;
  }
  if (command === 'run') {
    if (!input) throw new Error('winnow run needs an input file');
    if (values['dry-run']) return dryRunCommand({ ...common, input });
    const report = await runPipeline({ ...common, input });
    process.stdout.write(`${summary(report, common.out)}\n`);
    return noRecords(report, input);
  }
  if (command === 'python-client') {
    const args = [input, ...rest].filter((a) => a !== undefined);
    if (args.length > 1) throw new Error('usage: winnow python-client [<dir>]');
    return pythonClient(args[0]);
  }
  const target = {
    state: common.state,
    url: values.url,
    token: values.token,
    quiet: values.quiet,
    provider: values.provider,
    ...uploading,
  };
  const need = (n: number, usage: string) => {
    const args = [input, ...rest].filter((a) => a !== undefined);
    if (args.length !== n) throw new Error(`usage: winnow ${usage}`);
    return args;
  };
  switch (command) {
    case 'fetch': {
      const [job] = need(1, 'fetch <job> [--out <dir>]');
      const report = await fetchJob({ ...target, out: common.out }, job);
      process.stdout.write(`${summary(report, common.out)}\n`);
      return noRecords(report, `job ${job}'s dataset`);
    }
    case 'status':
      return status(target, need(1, 'status <job>')[0]);
    case 'open':
      return open({ ...target, out: common.out }, need(1, 'open <job> [--out <dir>]')[0]);
    case 'upload': {
      const [dataset, file] = need(2, 'upload <dataset> <file>');
      return upload(target, dataset, file);
    }
    case 'append': {
      const [dataset, file] = need(2, 'append <dataset> <file> [--part <name>]');
      return append(target, dataset, file, values.part);
    }
    case 'runs':
      return runs(target, need(1, 'runs <dataset>')[0]);
    case 'jobs': {
      const args = [input, ...rest].filter((a) => a !== undefined);
      if (args.length > 1) throw new Error('usage: winnow jobs [<dataset>]');
      return jobs(target, args[0]);
    }
    case 'diff': {
      const [dataset, run] = need(2, 'diff <dataset> <run> [--out <file>]');
      return diff(target, dataset, run, values.out);
    }
    case 'schedule': {
      const [sub, dataset] = need(2, 'schedule set|get|rm|tick <dataset> …');
      if (sub === 'set') return scheduleSet(target, dataset, { ...common, recipeRef: values['recipe-ref'] });
      if (sub === 'get') return scheduleGet(target, dataset);
      if (sub === 'rm') return scheduleRm(target, dataset);
      if (sub === 'tick') return scheduleTick(target, dataset, values);
      throw new Error(`winnow schedule takes set, get, rm or tick, got "${sub}"`);
    }
    case 'pairs': {
      const [sub, set, file] = [input, ...rest];
      if (sub === 'set' && set) return pairsSet(target, set, values.recipe);
      if (sub === 'get' && set) return pairsGet(target, set);
      if (sub === 'round' && set && file) return pairsRound(target, set, file, values);
      throw new Error('usage: winnow pairs set <set> --recipe <file> | round <set> <file> | get <set>');
    }
    case 'safety':
    case 'identity': {
      const [sub, file] = need(2, `${command} generate|bench <request.json> …`);
      const o = {
        out: values.out,
        count: values.count,
        seed: values.seed,
        dataset: values.dataset,
        into: values.into,
      };
      if (sub === 'generate') return safetyGenerate(target, file, o);
      if (sub === 'bench') return safetyBench(target, file, o);
      throw new Error(`winnow ${command} takes generate or bench, got "${sub}"`);
    }
    case 'gc':
      need(0, 'gc [--jobs-older-than <30m|12h|7d>] [--dry-run]');
      return gcCommand(target, { jobsOlderThan: values['jobs-older-than'], dryRun: values['dry-run'] });
    case 'delete': {
      const [what, name] = need(2, 'delete job <id> | delete dataset <name>');
      return deleteCommand(target, what, name);
    }
    case 'serve': {
      need(0, 'serve [--state <dir>] [--port <n>] [--token <t>]');
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
        throw new Error(`--port takes a port number, got "${values.port}"`);
      return serve({
        state: common.state,
        port,
        quiet: values.quiet,
        provider: values.provider,
        token: values.token,
      });
    }
  }
  throw new Error(`unknown command "${command}"\n\n${HELP}`);
}

/** An API error with several issues (validation_failed) lists every one of them. */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (!(e instanceof ApiError) || !Array.isArray(e.details) || e.details.length < 2) return e.message;
  const issues = (e.details as { path?: string; message?: string }[]).map(
    (d) => `  ${d.path || '(body)'}: ${d.message}`,
  );
  return `${e.message}\n${issues.join('\n')}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`winnow: ${errorText(e)}\n`);
    process.exit(1);
  },
);

/** A job that read no records finished, but selected nothing from nothing: say so, and exit 1. */
function noRecords(report: Report, what: string): number {
  if (report.counts.input > 0) return 0;
  process.stderr.write(
    `winnow: ${what} has no records (it is empty or holds only whitespace): nothing to select\n`,
  );
  return 1;
}
