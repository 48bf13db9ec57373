import { readFileSync } from 'node:fs';
import type { Turn } from '../../../schemas/record.ts';
import { contentHash } from '../../../src/formats/content-hash.ts';
import type { ScoreInput } from '../../../src/score/types.ts';
import { DATA_DIR, dataFile } from '../data.ts';

export const DATA = DATA_DIR;

export interface AlpacaRow {
  instruction: string;
  input?: string;
  output: string;
}

/** An Alpaca row as scorers see it (the same turns src/formats builds). */
export function scoreInput(row: AlpacaRow, id: string): ScoreInput {
  const user = row.input?.trim() ? `${row.instruction}\n\n${row.input}` : row.instruction;
  const turns: Turn[] = [
    { role: 'user', content: user },
    { role: 'assistant', content: row.output },
  ];
  return { id, hash: contentHash(turns), turns };
}

export function readAlpaca(file: string): AlpacaRow[] {
  return JSON.parse(readFileSync(dataFile(file), 'utf8')) as AlpacaRow[];
}
