import { describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { type ReportData, ReportDataSchema } from '../../../schemas/report-data.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import type { JobSpec } from '../../../src/pipeline/types.ts';
import { renderReport } from '../../../src/report/index.ts';

/** Record text no page may let through as markup: it must show as text. */
const HOSTILE = [
  '</script><script>window.pwned = 1</script>',
  '<img src=x onerror="window.pwned=2">',
  '</pre></div></section><h1>forged</h1>',
  '" onmouseover="window.pwned=3" x="',
  "<!-- --> & &amp; ' <svg onload=alert(1)>",
];

function hostileRows(): string[] {
  const rows: string[] = [];
  HOSTILE.forEach((h, i) => {
    const row = {
      instruction: `Explain this markup safely, example ${i}: ${h}`,
      output: `It is text: ${h}. ${'Plain words make the answer long enough to keep. '.repeat(3)}`,
    };
    // Each twice, the copy with a trailing space: a near duplicate pointing to the first.
    rows.push(JSON.stringify(row), JSON.stringify({ ...row, output: `${row.output} ` }));
  });
  return rows;
}

async function job(store: MemoryStore, id: string, text: string, recipe: unknown, previous?: string) {
  if (!(await store.head(`in-${id}`))) await store.put(`in-${id}`, text);
  const spec: JobSpec = {
    id,
    dataset: 'd',
    objects: [(await store.head(`in-${id}`))!],
    recipe: RecipeSchema.parse(recipe),
    createdAt: '',
    ...(previous ? { previous } : {}),
  };
  const report: Report = await runLocal(store, spec);
  const data = ReportDataSchema.parse(
    JSON.parse(await memoryOutput(store, id, 'report-data.json')),
  ) as ReportData;
  return { report, data, html: await memoryOutput(store, id, 'report.html') };
}

const sectionIds = (html: string) => [...html.matchAll(/<section id="([a-z-]+)">/g)].map((m) => m[1]);

describe('report.html', () => {
  it('shows hostile record text as text: no markup of a record reaches the page', async () => {
    const text = [...generateDemo({ records: 300, seed: 3 }).split('\n'), ...hostileRows()].join('\n');
    const store = new MemoryStore();
    const { report, data, html } = await job(store, 'j1', text, {
      shardBytes: 8192,
      select: { budget: '20%' },
    });
    expect(html).toBe(renderReport({ report, data }));
    // One script, the page's own; no element a record could have opened.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<h1>forged');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('onmouseover="');
    expect(html).not.toContain('window.pwned = 1</script>');
    // ... and each shows, escaped, in the examples that hold it (a near duplicate and its original).
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.pwned = 1&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;');
    expect(html).toContain('&lt;!-- --&gt; &amp; &amp;amp; &#39; &lt;svg onload=alert(1)&gt;');
    const dups = Object.values(data.rejected)
      .flat()
      .filter((e) => e.duplicateOf);
    expect(dups.some((e) => e.turns[0].content.includes('</script>'))).toBe(true);
    for (const e of dups) expect(html).toContain(`data-id="${e.duplicateOf}"`);
  });

  it('has every section of a job that has it: clusters, diff, invalid lines, the run', async () => {
    const text = generateDemo({ records: 600, seed: 5 });
    const store = new MemoryStore();
    const recipe = { shardBytes: 16384, select: { budget: '20%' }, cluster: { k: 3 } };
    const first = await job(store, 'j1', text, recipe);
    expect(sectionIds(first.html)).toEqual([
      'counts',
      'scores',
      'rejections',
      'selected',
      'clusters',
      'invalid',
      'run',
    ]);
    // A chart per score, and the rank's with the budget cut.
    for (const name of Object.keys(first.report.scores))
      expect(first.html).toContain(`<figure class="score-chart" data-score="${name}"><svg`);
    expect(first.html).toMatch(/<figure class="rank-chart"><svg[\s\S]*?class="m-cut"/);
    expect(first.html).toContain('<svg class="chart map"');
    // Every reason's count, as report.json gives it.
    for (const [reason, n] of Object.entries(first.report.rejectedByReason))
      expect(first.html).toContain(`data-reason="${reason}">${n.toLocaleString('en-US')}</span>`);
    // A second run compared with the first (as a schedule's run is): who entered and left.
    const second = await job(store, 'j2', text, { ...recipe, select: { budget: '25%' } }, 'j1');
    expect(second.report.diff).toBeDefined();
    expect(sectionIds(second.html)).toContain('diff');
    expect(second.data.diff!.entered.length).toBeGreaterThan(0);
    expect(second.html).toContain(`<span class="id">${second.data.diff!.entered[0].id}</span>`);
  });

  it('a pairs job: the margin distribution, pairs per task, skipped groups', async () => {
    const rows: unknown[] = [];
    for (let i = 0; i < 30; i++)
      rows.push({
        prompt: `Question ${i}?`,
        responses: [
          { text: `good answer ${i}`, score: 0.5 + (i % 5) / 10 },
          { text: `bad answer ${i}`, score: 0.1 },
          ...(i % 3 === 0 ? [{ text: `middling ${i}`, score: 0.3 }] : []),
        ],
      });
    rows.push({ prompt: 'Alone?', responses: [{ text: 'only one', score: 1 }] });
    const store = new MemoryStore();
    const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    const { report, data, html } = await job(store, 'p1', text, {
      shardBytes: 1024,
      pairs: { partitions: 3 },
    });
    expect(sectionIds(html)).toEqual(['counts', 'scores', 'rejections', 'pairs', 'invalid', 'run']);
    const p = data.pairs!;
    expect(p.margins.counts.reduce((a, b) => a + b, 0)).toBe(report.pairs!.pairs);
    expect(p.perTask.reduce((a, t) => a + t.pairs * t.tasks, 0)).toBe(report.pairs!.pairs);
    expect(html).toContain('<figure class="margin-chart"><svg');
    expect(html).toContain('single_response');
  });

  it('a failed job: why, and which task', () => {
    const html = renderReport({
      status: {
        id: 'jabc12345',
        dataset: 'd<script>',
        state: 'failed',
        stage: 'score',
        error: 'score shard 3 (failed 4 times): <b>boom</b>',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:01:00.000Z',
        stages: [
          {
            name: 'ingest',
            state: 'done',
            shardsDone: 4,
            shardsTotal: 4,
            step: 1,
            recordsIn: 10,
            recordsOut: 10,
            errors: 0,
            seconds: 1,
          },
          {
            name: 'score',
            state: 'running',
            shardsDone: 3,
            shardsTotal: 4,
            step: 1,
            recordsIn: 7,
            recordsOut: 7,
            errors: 4,
            seconds: 2,
          },
        ],
      },
    });
    expect(sectionIds(html)).toEqual(['failure', 'run']);
    expect(html).toContain('score shard 3 (failed 4 times): &lt;b&gt;boom&lt;/b&gt;');
    expect(html).toContain('Failed task: stage <b>score</b>, score shard 3');
    expect(html).toContain('d&lt;script&gt;');
    expect(html.match(/<script/g)).toHaveLength(1);
  });
});
