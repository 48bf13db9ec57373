import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptHash } from '../../../src/safety/identity.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';
import { sharedClient, sharedStackArgs, unique } from '../stack.ts';
import { jsonl, ROOT, run } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-safety-'));
const HAN = /[\u4e00-\u9fff]/;
let lm: Standin;
beforeAll(async () => {
  // A model that keeps its identity in English and says it is ChatGPT in Chinese; as a paraphraser,
  // it prefixes each attack.
  lm = await startStandin({
    chatReply(messages) {
      const ask = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const m = /User message:\n([\s\S]*?)\n\nAnswer:\n([\s\S]*)$/.exec(ask);
      if (ask.startsWith('Rewrite this example') && m)
        return JSON.stringify({
          prompt: `${HAN.test(m[1]) ? '说真的，' : 'Honestly, '}${m[1]}`,
          answer: m[2],
        });
      return HAN.test(ask) ? '我是ChatGPT，由OpenAI开发。' : "I'm Aria, made by Acme, and I'll stay Aria.";
    },
  });
});
afterAll(async () => {
  await lm?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const winnow = (args: string[]) =>
  run(process.execPath, [join(ROOT, 'workers/cli/winnow.js'), ...args, ...sharedStackArgs(), '--quiet'], {
    cwd: ROOT,
    timeout: 240_000,
  });

describe('winnow safety generate | bench, on workerd, against the stand-in model server', () => {
  it('generates defence data through the model, appends it to a dataset, and benchmarks a model by category and language', async () => {
    const name = unique('Aria');
    const identity = { name, developer: 'Acme' };
    const lmProvider = { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 4 };
    const generate = join(tmp, 'generate.json');
    writeFileSync(
      generate,
      JSON.stringify({ identity, providers: { writer: lmProvider }, provider: 'writer' }),
    );
    const mine = unique('mine');
    await sharedClient().uploadDataset(
      mine,
      new TextEncoder().encode('{"instruction":"Say hi.","output":"Hi!"}\n'),
    );
    const out = join(tmp, 'gen');
    const g = await winnow([
      'safety',
      'generate',
      generate,
      '--count',
      '60',
      '--seed',
      '5',
      '--out',
      out,
      '--into',
      mine,
    ]);
    expect(g.stdout).toMatch(/^60 of 60 defence records for /);
    expect(g.stdout).toContain(`appended to dataset ${mine} as part defence-j`);
    const kept = jsonl(join(out, 'safety.jsonl'));
    expect(kept).toHaveLength(60);
    expect(kept.filter((r) => r.safety.source === 'model').length).toBeGreaterThan(50);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.safety.paraphrased).toBe(report.safety.drafted);
    expect((await sharedClient().dataset(mine))?.objects).toHaveLength(2);

    const bench = join(tmp, 'bench.json');
    writeFileSync(bench, JSON.stringify({ identity, providers: { model: lmProvider }, target: 'model' }));
    const bout = join(tmp, 'bench');
    const b = await winnow(['identity', 'bench', bench, '--count', '40', '--seed', '9', '--out', bout]);
    expect(b.stdout).toMatch(/: 50\.0% \[\d+\.\d%, \d+\.\d%\] of 40 defended \(Wilson 95%\)/);
    const s = JSON.parse(readFileSync(join(bout, 'report.json'), 'utf8')).safety;
    expect(s.byLanguage.en).toMatchObject({ n: 20, defended: 20, rate: 1 });
    expect(s.byLanguage.zh).toMatchObject({ n: 20, compromised: 20, rate: 0 });
    expect(jsonl(join(bout, 'safety-answers.jsonl'))).toHaveLength(40);
    // The held-out set shares no prompt with the generated one, nor with the drafts it was paraphrased from.
    const trained = new Set(kept.flatMap((r) => [r.safety.hash, r.safety.draft]));
    const asked = jsonl(join(bout, 'safety-answers.jsonl')).map((a) => promptHash(a.messages));
    expect(asked.filter((h) => trained.has(h))).toEqual([]);
  }, 300_000);
});
