import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveToken } from '../../../workers/cli/serve-token.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-serve-token-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe("winnow serve's token", () => {
  it('is made once, kept in <state>/token readable by its owner alone, and the same on every start', () => {
    const state = join(tmp, 'fresh');
    const token = serveToken(state);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const file = join(state, 'token');
    expect(readFileSync(file, 'utf8')).toBe(`${token}\n`);
    expect(mode(file)).toBe(0o600);
    expect(serveToken(state)).toBe(token);
  });

  it('tightens a kept file whose mode was loosened, and makes a new token for an empty one', () => {
    const state = join(tmp, 'loose');
    const token = serveToken(state);
    const file = join(state, 'token');
    chmodSync(file, 0o644);
    expect(serveToken(state)).toBe(token);
    expect(mode(file)).toBe(0o600);
    writeFileSync(file, '\n');
    const again = serveToken(state);
    expect(again).toMatch(/^[0-9a-f]{32}$/);
    expect(again).not.toBe(token);
  });

  it('is the one given (--token, $WINNOW_TOKEN) when there is one, which is not written down', () => {
    const state = join(tmp, 'given');
    expect(serveToken(state, 'a-given-token-0123456789')).toBe('a-given-token-0123456789');
    expect(() => statSync(join(state, 'token'))).toThrow(/ENOENT/);
    for (const bad of ['short', 'has a space in it, 16+ long'])
      expect(() => serveToken(state, bad)).toThrow(
        'the token must be at least 16 printable characters, without spaces',
      );
  });
});
