export {
  type Advance,
  advance,
  arrayTable,
  begin,
  jobView,
  type PipelineState,
  type Position,
  stepCounts,
  taskFor,
} from './advance.ts';
export * from './keys.ts';
export { MemoryStore, memoryJob, memoryOutput } from './memory-store.ts';
export {
  checkOutput,
  JSONL,
  jsonlFile,
  type OutputFile,
  type OutputManifest,
  outputChunks,
  outputNamed,
  outputText,
  singleFile,
} from './outputs.ts';
export { getStage, listStages, registerStage } from './registry.ts';
export { type RunLocalHooks, runLocal } from './run-local.ts';
export { runTask, type TaskDeps } from './run-task.ts';
export type { BlobStore, ObjectInfo } from './store.ts';
export type { JobSpec, JobView, ShardInfo, ShardTable, StageDef, StepDef, Task, TaskEnv } from './types.ts';
