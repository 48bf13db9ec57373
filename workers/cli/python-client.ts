import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODULE = 'src/client/python/winnow_client.py';

/**
 * The Python client's source: beside this file in a clone (workers/cli/), or beside the bundle in an
 * installed package (dist/winnow.mjs); the package ships src/.
 */
export function pythonClientSource(): string {
  const candidates = ['../..', '..'].map((up) => fileURLToPath(new URL(`${up}/${MODULE}`, import.meta.url)));
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`the Python client is missing: looked for ${candidates.join(' and ')}`);
  return found;
}

/** `winnow python-client [dir]`: write winnow_client.py into `dir` (default: here), replacing it. */
export function pythonClient(dir = '.'): number {
  mkdirSync(dir, { recursive: true });
  const target = resolve(join(dir, 'winnow_client.py'));
  copyFileSync(pythonClientSource(), target);
  process.stdout.write(`${target}\n`);
  return 0;
}
