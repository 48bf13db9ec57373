import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_MAX_UPLOAD_BYTES } from '../../support/limits.ts';
import { sharedClient, sharedStackArgs, unique } from '../stack.ts';
import { ROOT } from './helpers.ts';

const MiB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'winnow-upload-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 21 MiB of JSONL (seeded hex text): five parts of 5 MiB, under the test stack's 24 MiB. */
function file(): string {
  const lines: string[] = [];
  let x = 12345;
  let bytes = 0;
  for (let i = 0; bytes < 21 * MiB; i++) {
    let hex = '';
    for (let j = 0; j < 60; j++) {
      x = (x * 1103515245 + 12345) >>> 0;
      hex += (x >>> 8).toString(16).padStart(6, '0');
    }
    const line = JSON.stringify({ instruction: `task ${i}`, output: hex });
    lines.push(line);
    bytes += line.length + 1;
  }
  const path = join(tmp, 'big.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** `winnow upload <name> <file>` against the shared stack, in parts of 5 MiB, one at a time. */
function upload(name: string, path: string) {
  const cli = join(ROOT, 'workers/cli/winnow.js');
  const args = [cli, 'upload', name, path, ...sharedStackArgs(), '--part-size', '5MiB', '--parallel', '1'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  const seen: (() => void)[] = [];
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const f of seen) f();
  });
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  const exited = new Promise<number>((ok) =>
    child.on('exit', (code, signal) => ok(code ?? (signal ? -1 : 0))),
  );
  return {
    child,
    exited,
    out: () => ({ stderr, stdout }),
    waitFor: (re: RegExp) =>
      new Promise<void>((ok, fail) => {
        const check = () => re.test(stderr) && ok();
        seen.push(check);
        check();
        void exited.then((c) => fail(new Error(`upload exited ${c} before ${re}:\n${stderr}`)));
      }),
  };
}

describe('winnow upload: an interrupted upload resumes from the parts already stored', () => {
  it('is killed after its first part; run again, it sends only the missing parts', async () => {
    expect(TEST_MAX_UPLOAD_BYTES).toBeGreaterThan(21 * MiB);
    const path = file();
    const name = unique('resume');
    const first = upload(name, path);
    await first.waitFor(/upload: 1\/5 parts stored/);
    first.child.kill('SIGKILL');
    await first.exited;
    const client = sharedClient();
    const [open] = await client.uploads(name, { state: 'open' });
    const stored = open.received.length;
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(await client.dataset(name)).toBeNull();

    const second = upload(name, path);
    expect(await second.exited).toBe(0);
    const { stderr, stdout } = second.out();
    expect(stderr).toContain(`resuming upload ${open.id}: ${stored} of 5 parts already stored`);
    expect(stderr).toContain(`in 5 parts: ${5 - stored} sent, ${stored} already stored (session ${open.id})`);
    // Only the missing parts went over the wire: one line per part sent, from where the first stopped.
    const lines = stderr.match(/^upload: \d\/5 parts stored/gm) ?? [];
    expect(lines).toEqual(
      Array.from({ length: 5 - stored }, (_, i) => `upload: ${stored + i + 1}/5 parts stored`),
    );
    expect(stdout).toMatch(new RegExp(`^dataset ${name}: 1 object, \\d+ bytes\\n$`));
    const sessions = await client.uploads(name);
    expect(sessions.map((s) => [s.id, s.state])).toEqual([[open.id, 'completed']]);
    expect((await client.dataset(name))!.bytes).toBe(sessions[0].size);
  }, 120_000);
});
