import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { jsonl, ROOT } from './helpers.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'winnow-pkg-'));
// A shared machine can take longer than the default 10 s to delete an installed package's tree.
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 120_000);

describe('the npm package (winnow-data, bin winnow)', () => {
  it('packs, installs by name into a prefix, and its winnow runs a job on the local stack', async () => {
    const npm = (args: string[], cwd = ROOT) =>
      run('npm', args, {
        cwd,
        timeout: 240_000,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
    await npm(['pack', '--silent', '--pack-destination', tmp]);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'))!;
    expect(tgz).toBe(
      `winnow-data-${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}.tgz`,
    );
    const { stdout: files } = await run('tar', ['tzf', join(tmp, tgz)]);
    // The bundled CLI is in (Node does not strip types inside node_modules); the tests are not.
    expect(files).toContain('package/dist/winnow.mjs');
    expect(files).toContain('package/wrangler.toml');
    expect(files).not.toContain('package/test/');
    // From the npm cache the clean install filled: no network beyond the registry.
    const prefix = join(tmp, 'prefix');
    await npm(
      ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, tgz)],
      tmp,
    );
    const winnow = join(prefix, 'bin', 'winnow');
    const input = join(tmp, 'demo.jsonl');
    writeFileSync(input, generateDemo({ records: 300, seed: 7 }));
    const { stdout } = await run(
      winnow,
      ['run', input, '--budget', '10%', '--out', join(tmp, 'out'), '--state', join(tmp, 'state'), '--quiet'],
      { cwd: tmp, timeout: 180_000 },
    );
    const report = JSON.parse(readFileSync(join(tmp, 'out', 'report.json'), 'utf8'));
    expect(report.counts.input).toBe(300);
    expect(stdout).toContain(`selected  ${report.counts.selected}`);
    const lines = ['selected', 'rejected', 'invalid'].map(
      (f) => jsonl(join(tmp, 'out', `${f}.jsonl`)).length,
    );
    expect(lines.reduce((a, b) => a + b, 0)).toBe(300);
  }, 480_000);
});
