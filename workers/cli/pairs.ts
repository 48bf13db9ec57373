import { createWriteStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RoundInfo } from '../../schemas/pairs.ts';
import { loadRecipe } from './run.ts';
import { fileStream } from './stream-fetch.ts';
import { type Target, withClient } from './target.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function roundLine(r: RoundInfo): string {
  const groups = r.groups
    ? `  groups ${r.groups.total} (${r.groups.used} used${Object.entries(r.groups.skipped)
        .map(([k, n]) => `, ${k} ${n}`)
        .join('')})`
    : '';
  const pairs = r.pairs === undefined ? '' : `  pairs ${r.pairs}`;
  return `round ${r.round}  ${r.state}  scope ${r.scope}  ${r.bytes} bytes${pairs}${groups}${r.error ? `  error: ${r.error}` : ''}`;
}

/** `winnow pairs set <set> --recipe <file>`: create or change the set's recipe (it needs `pairs`). */
export async function pairsSet(t: Target, set: string, recipeFile: string | undefined): Promise<number> {
  if (!recipeFile)
    throw new Error('winnow pairs set needs --recipe <file> (a recipe with a `pairs` section)');
  const recipe = loadRecipe({ recipe: recipeFile });
  const info = await withClient(t, (c) => c.putPairSet(set, recipe));
  process.stdout.write(`pair set ${info.name}: ${info.rounds.length} round(s)\n`);
  return 0;
}

/** `winnow pairs get <set>`: the set's rounds. */
export async function pairsGet(t: Target, set: string): Promise<number> {
  const info = await withClient(t, (c) => c.pairSet(set));
  process.stdout.write(`pair set ${info.name}\n${info.rounds.map(roundLine).join('\n')}\n`);
  return 0;
}

/**
 * `winnow pairs round <set> <file> [--scope all] [--out <file>]`: append a round, wait for its job,
 * and write the round's pairs.jsonl (default ./pairs-round-<n>.jsonl). Exits 1 if the round fails.
 */
export async function pairsRound(
  t: Target,
  set: string,
  file: string,
  opts: { scope?: string; out?: string },
): Promise<number> {
  if (!existsSync(file)) throw new Error(`no input file ${resolve(file)}`);
  if (opts.scope !== undefined && opts.scope !== 'round' && opts.scope !== 'all')
    throw new Error(`--scope takes round or all, got "${opts.scope}"`);
  const scope = (opts.scope ?? 'round') as 'round' | 'all';
  return withClient(t, async (c) => {
    const body = fileStream(file);
    let r = await c.addRound(set, body, { bytes: statSync(file).size, scope });
    process.stderr.write(`round ${r.round}: job ${r.job}\n`);
    while (r.state === 'running' || r.state === 'uploading') {
      await sleep(300);
      r = await c.round(set, r.round);
    }
    process.stdout.write(`${roundLine(r)}\n`);
    if (r.state !== 'done') return 1;
    const out = opts.out ?? `pairs-round-${r.round}.jsonl`;
    const stream = await c.roundPairs(set, r.round);
    await pipeline(
      Readable.fromWeb(stream as import('node:stream/web').ReadableStream),
      createWriteStream(out),
    );
    process.stdout.write(`pairs in ${resolve(out)}\n`);
    return 0;
  });
}
