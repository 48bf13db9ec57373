/**
 * What the rating's distribution adds to self-critique, against the stand-in model server (a real HTTP
 * server): on 500 Alpaca records, the distinct ratings and the multipliers with the written rating
 * (`topLogprobs: 0`) and with the expected rating and its spread (the default), and how far the
 * uncertainty shrink moves the multipliers toward 1.
 *
 *   npx node bench/self-critique-spread.ts
 */
import { createProviders } from '../src/providers/index.ts';
import { SelfCritiqueConfigSchema, selfCritiqueScorer } from '../src/score/self-critique/index.ts';
import { readAlpaca, scoreInput, startStandin } from '../test/support/standin-lm/index.ts';

const lm = await startStandin();
try {
  const rows = readAlpaca('alpaca-random-9k.json')
    .slice(0, 500)
    .map((r, i) => scoreInput(r, `r${i}`));
  const providers = createProviders(
    { policy: { kind: 'openai', baseUrl: lm.url, model: lm.modelName } },
    { fetch, secrets: {} },
  );
  const run = (config: Record<string, unknown>) =>
    selfCritiqueScorer.score(rows, SelfCritiqueConfigSchema.parse({ provider: 'policy', ...config }), {
      seed: 0,
      providers,
    });
  const written = await run({ topLogprobs: 0 });
  const expected = await run({ uncertainty: 'ignore' });
  const shrunk = await run({});
  const col = (out: typeof written, name: string) => out.map((r) => r.scores[name]).filter(Number.isFinite);
  const distinct = (xs: number[]) => new Set(xs.map((x) => x.toFixed(6))).size;
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const spread = (xs: number[]) => mean(xs.map((x) => Math.abs(x - 1)));
  const sds = col(shrunk, 'self_critique_sd');
  console.log(`records ${rows.length}`);
  console.log(
    `distinct ratings: written ${distinct(col(written, 'self_critique'))}, expected ${distinct(col(expected, 'self_critique'))}`,
  );
  console.log(
    `rating spread (sd): median ${[...sds].sort((a, b) => a - b)[sds.length >> 1].toFixed(3)}, max ${Math.max(...sds).toFixed(3)}`,
  );
  console.log(
    `mean |multiplier − 1|: written ${spread(col(written, 'lr_multiplier')).toFixed(4)}, expected ${spread(col(expected, 'lr_multiplier')).toFixed(4)}, expected + shrink ${spread(col(shrunk, 'lr_multiplier')).toFixed(4)}`,
  );
} finally {
  await lm.close();
}
