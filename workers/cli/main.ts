import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STRATEGY_IDS, type StrategyId } from '../../schemas/recipe.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { runPipeline, summary } from './run.ts';

const HELP = `winnow: select a budgeted, high-quality subset of instruction data

usage:
  winnow run <input> [--budget <N|P%>] [--recipe <file>] [--out <dir>] [--state <dir>]
                     [--strategy topk|balanced|diverse|kcenter]
                     [--cluster kmeans|gmm --k <n>] [--export-embeddings]
                     [--url <api> --token <t>] [--quiet]
  winnow demo        generate a small demo dataset and run it locally

  <input>      JSON array or JSONL (Alpaca, ShareGPT or OpenAI messages; gzip accepted)
  --budget     records to select: a count (5000) or a share of valid records (30%)
  --recipe     a JSON recipe (see README); --budget overrides its select.budget
  --strategy   how the budget is spent (default topk; balanced needs --cluster); overrides the
               recipe's select.strategy.id, keeping its other settings when the id is the same
  --shard-bytes  input bytes per shard (default 4 MiB; the demo uses 64 KiB)
  --cluster    kmeans or gmm: cluster the embeddings (needs --k or the recipe's cluster.k)
  --k          clusters (mixture components)
  --export-embeddings  also write embeddings.npy (float32, one row per valid record)
  --out        output directory (default ./winnow-out)
  --state      local state directory (default .winnow/)
  --url/--token  drive a deployed Winnow instead of the local stack
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
      out: { type: 'string', default: 'winnow-out' },
      state: { type: 'string', default: '.winnow' },
      url: { type: 'string' },
      token: { type: 'string', default: process.env.WINNOW_TOKEN },
      quiet: { type: 'boolean', default: false },
      cluster: { type: 'string' },
      k: { type: 'string' },
      'export-embeddings': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, input] = positionals;
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
  const common = {
    ...values,
    out: values.out!,
    state: values.state!,
    shardBytes,
    k,
    exportEmbeddings: values['export-embeddings'],
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
    const report = await runPipeline({ ...common, input });
    process.stdout.write(`${summary(report, common.out)}\n`);
    return 0;
  }
  throw new Error(`unknown command "${command}"\n\n${HELP}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`winnow: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
