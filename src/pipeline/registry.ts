import { createRegistry } from '../util/registry.ts';
import type { AnyStage } from './types.ts';

const stages = createRegistry<AnyStage>('stage');
/** Stage ids in the order data flows through them. */
const order: string[] = [];

/**
 * Adds a stage to the pipeline: last, or right after / before a registered one. A second stage with
 * the same id throws at load.
 */
export function registerStage(stage: AnyStage, where: { after?: string; before?: string } = {}): void {
  const anchor = where.after ?? where.before;
  if (anchor !== undefined) stages.get(anchor);
  stages.add(stage);
  if (anchor === undefined) order.push(stage.id);
  else order.splice(order.indexOf(anchor) + (where.after !== undefined ? 1 : 0), 0, stage.id);
}

/** The stage, or an `unknown_stage` error listing the registered ones. */
export function getStage(id: string): AnyStage {
  return stages.get(id);
}

/** Every registered stage, in pipeline order. */
export function listStages(): AnyStage[] {
  return order.map((id) => stages.get(id));
}
