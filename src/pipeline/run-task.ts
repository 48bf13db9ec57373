import { getStage } from './registry.ts';
import './stages/index.ts';
import type { BlobStore } from './store.ts';
import type { Task, TaskDeps, TaskEnv } from './types.ts';

export type { TaskDeps } from './types.ts';

/** What a task runs with in this host: the store, and model endpoints with the job's budget shared out. */
export function taskEnv(store: BlobStore, task: Task, deps: TaskDeps = {}): TaskEnv {
  return {
    store,
    deps,
    providers(parts) {
      const configs = task.spec.recipe.providers;
      if (!deps.providers || Object.keys(configs).length === 0) return undefined;
      return deps.providers(configs, Math.max(1, parts));
    },
  };
}

/** Run one task: read its inputs from the store, write its outputs to it, return its small result. */
export async function runTask(store: BlobStore, task: Task, deps: TaskDeps = {}): Promise<unknown> {
  const step = getStage(task.stage).steps[task.step];
  if (!step) throw new Error(`stage "${task.stage}" has no step "${task.step}"`);
  return step.run(task, taskEnv(store, task, deps));
}
