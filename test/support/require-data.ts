import { existsSync } from 'node:fs';
import { DATA_DIR, missingDataMessage } from './data.ts';

/**
 * A globalSetup for every tier: stop at once, with one clear message, when ../shared/data is missing
 * (rather than with a failed read or an unresolved JSON import in each file that uses it).
 */
export default function requireData(): void {
  if (!existsSync(DATA_DIR)) throw new Error(missingDataMessage());
}
