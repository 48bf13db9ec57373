import { DurableObject } from 'cloudflare:workers';
import type { Recipe } from '../schemas/recipe.ts';
import type { ObjectInfo } from '../src/pipeline/store.ts';
import { META_TABLE, metaGet, metaSet } from './sql-meta.ts';

/** The set's stub. Typed by hand: RPC type inference gives up on the recipe's open records. */
export function pairSet(env: Env, name: string): PairSetRpc {
  return env.PAIR_SET.get(env.PAIR_SET.idFromName(name)) as unknown as PairSetRpc;
}

type Async<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never;
};
type PairSetRpc = Async<
  Pick<PairSet, 'configure' | 'meta' | 'rounds' | 'round' | 'begin' | 'stored' | 'started' | 'failed'>
>;

/** A stored round: its rollouts' object, once stored, and its job, once started. */
export interface RoundRow {
  round: number;
  scope: 'round' | 'all';
  object: ObjectInfo | null;
  job: string | null;
  createdAt: string;
  /** Why the round never got a job (its rollouts could not be stored, or its job not started). */
  error: string | null;
}

export interface SetMeta {
  recipe: Recipe;
  createdAt: string;
  updatedAt: string;
}

/**
 * One per pair set: its recipe and its rounds, numbered in the order they arrive. Rounds are never
 * rewritten, so every earlier round's pairs and scores stay with its job.
 */
export class PairSet extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(META_TABLE);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS rounds (
      round INTEGER PRIMARY KEY, scope TEXT NOT NULL, object TEXT, job TEXT, created_at TEXT NOT NULL,
      error TEXT)`);
  }

  configure(recipe: Recipe, now: string): SetMeta {
    const old = metaGet<SetMeta>(this.sql, 'set');
    const meta = { recipe, createdAt: old?.createdAt ?? now, updatedAt: now };
    metaSet(this.sql, 'set', meta);
    return meta;
  }

  meta(): SetMeta | null {
    return metaGet<SetMeta>(this.sql, 'set') ?? null;
  }

  rounds(): RoundRow[] {
    return this.select('SELECT * FROM rounds ORDER BY round');
  }

  round(round: number): RoundRow | null {
    return this.select('SELECT * FROM rounds WHERE round = ?', round)[0] ?? null;
  }

  private select(query: string, ...args: number[]): RoundRow[] {
    return this.sql
      .exec<{
        round: number;
        scope: string;
        object: string | null;
        job: string | null;
        created_at: string;
        error: string | null;
      }>(query, ...args)
      .toArray()
      .map((r) => ({
        round: r.round,
        scope: r.scope as RoundRow['scope'],
        object: r.object ? (JSON.parse(r.object) as ObjectInfo) : null,
        job: r.job,
        createdAt: r.created_at,
        error: r.error,
      }));
  }

  /** The next round's number, taken in one synchronous turn so concurrent posts never share one. */
  begin(scope: RoundRow['scope'], now: string): { round: number; recipe: Recipe } | null {
    const meta = this.meta();
    if (!meta) return null;
    const last = this.sql.exec<{ n: number | null }>('SELECT MAX(round) AS n FROM rounds').one().n ?? 0;
    this.sql.exec('INSERT INTO rounds (round, scope, created_at) VALUES (?, ?, ?)', last + 1, scope, now);
    return { round: last + 1, recipe: meta.recipe };
  }

  /** The round's rollouts are stored: the objects its job reads (this round's, or every stored round's). */
  stored(round: number, object: ObjectInfo): ObjectInfo[] {
    this.sql.exec('UPDATE rounds SET object = ? WHERE round = ?', JSON.stringify(object), round);
    const rows = this.rounds();
    const mine = rows.find((r) => r.round === round)!;
    if (mine.scope === 'round') return [object];
    return rows.filter((r) => r.round <= round && r.object).map((r) => r.object!);
  }

  started(round: number, job: string): void {
    this.sql.exec('UPDATE rounds SET job = ? WHERE round = ?', job, round);
  }

  /** The round failed before its job started; it stays in the list with the reason. */
  failed(round: number, error: string): void {
    this.sql.exec('UPDATE rounds SET error = ? WHERE round = ?', error, round);
  }
}
