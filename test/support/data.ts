import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: two folders above this file (test/support/data.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared data folder the tests read: `<repo root>/../shared/data` (public datasets, not in the repo). */
export const DATA_DIR = resolve(REPO_ROOT, '..', 'shared', 'data');

/** The message a test run fails with when the shared data folder is missing. */
export function missingDataMessage(dir = DATA_DIR): string {
  return (
    `the shared test data folder ${dir} does not exist: ` +
    `the tests read public datasets from ../shared/data, so ../shared must sit beside the clone ` +
    `(${REPO_ROOT}); see ../shared/data/README.md`
  );
}

/**
 * The path of a file in the shared data folder, e.g. `dataFile('alpaca-random-9k.json')`.
 * Throws with a clear message when the folder (or the file) is absent.
 */
export function dataFile(name: string): string {
  if (!existsSync(DATA_DIR)) throw new Error(missingDataMessage());
  const file = join(DATA_DIR, name);
  if (!existsSync(file)) throw new Error(`the shared test data file ${file} does not exist (in ${DATA_DIR})`);
  return file;
}
