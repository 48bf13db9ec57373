import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTrajectories } from '../../../bench/pairs-gen.ts';
import { referencePairs } from '../../../bench/pairs-reference.ts';
import { sharedStackArgs, unique } from '../stack.ts';
import { jsonl, ROOT, run } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-pairs-'));
const CLI = join(ROOT, 'workers/cli/winnow.js');
// Every command drives the e2e tier's shared stack (each would otherwise start its own).
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const rollouts = (tasks: number, seed: number) =>
  `${[...generateTrajectories({ tasks, rollouts: 6, steps: 8, states: 2, seed })].join('\n')}\n`;
const winnow = (args: string[]) =>
  run(process.execPath, [CLI, ...args, ...sharedStackArgs()], { cwd: ROOT, timeout: 240_000 });

describe('preference pairs through the CLI on the local stack', () => {
  it('winnow run with a pairs recipe writes the pairs the reference finds', async () => {
    const input = join(tmp, `${unique('traj')}.jsonl`);
    const text = rollouts(40, 11);
    writeFileSync(input, text);
    writeFileSync(join(tmp, 'pairs.json'), JSON.stringify({ shardBytes: 8192, pairs: { payload: 'key' } }));
    const out = join(tmp, 'out');
    const { stdout } = await winnow(['run', input, '--recipe', join(tmp, 'pairs.json'), '--out', out]);
    expect(stdout).toMatch(/pairs {5}\d+ of \d+ candidates \(best-worst, by auto\)/);
    const pairs = jsonl(join(out, 'pairs.jsonl'));
    const ref = referencePairs(text);
    const key = (c: number, r: number) => `${c}>${r}`;
    expect(new Set(pairs.map((p) => key(p.chosen.source.index, p.rejected.source.index)))).toEqual(
      new Set(ref.pairs.map((p) => key(p.chosenIndex, p.rejectedIndex))),
    );
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.pairs.groups.total).toBe(jsonl(join(out, 'groups.jsonl')).length);
  }, 240_000);

  it('winnow pairs set / round / get: a round appended, waited for, and its pairs written', async () => {
    const set = unique('grape');
    writeFileSync(
      join(tmp, 'set.json'),
      JSON.stringify({ pairs: { strategy: { id: 'all-margin' }, minMargin: 1 } }),
    );
    await winnow(['pairs', 'set', set, '--recipe', join(tmp, 'set.json')]);
    // One round here (the workers test covers several): appended, waited for, its pairs written.
    const file = join(tmp, 'round1.jsonl');
    writeFileSync(file, rollouts(10, 1));
    const out = join(tmp, 'pairs-1.jsonl');
    const round = await winnow(['pairs', 'round', set, file, '--out', out]);
    expect(round.stdout).toContain('round 1  done  scope round');
    const pairs = jsonl(out);
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((p) => p.round === 1 && p.margin >= 1)).toBe(true);
    const { stdout } = await winnow(['pairs', 'get', set]);
    expect(stdout.split('\n').filter((l) => l.startsWith('round '))).toHaveLength(1);
  }, 300_000);
});
