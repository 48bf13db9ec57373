import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `<state>/token`: the API token of `winnow serve` on this state, readable by its owner only. */
export const TOKEN_FILE = 'token';

/**
 * The token `winnow serve` answers to: `given` (`--token`, or `$WINNOW_TOKEN`), else the one kept in
 * `<state>/token`, else a new random one written there with mode 0600. Kept, it survives restarts of
 * the stack and of serve, so clients holding it are never cut off with 401s.
 */
export function serveToken(state: string, given?: string): string {
  if (given !== undefined) {
    if (!/^[\x21-\x7e]{16,}$/.test(given))
      throw new Error('the token must be at least 16 printable characters, without spaces');
    return given;
  }
  const file = join(state, TOKEN_FILE);
  try {
    // Tighten a file whose mode was loosened (a copy, an editor): the token is a password.
    if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(state, { recursive: true });
  const token = randomBytes(16).toString('hex');
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return token;
}
