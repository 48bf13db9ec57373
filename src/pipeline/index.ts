export { type Advance, advance, type OutputManifest, type PipelineState } from './advance.ts';
export * from './keys.ts';
export { MemoryStore, memoryJob, memoryOutput } from './memory-store.ts';
export { runLocal, type ShardTable, taskContext } from './run-local.ts';
export { runTask, type TaskDeps } from './run-task.ts';
export type { JobSpec, ShardInfo, TaskContext } from './spec.ts';
export type { BlobStore, ObjectInfo } from './store.ts';
