import { useClusterKernel } from '../src/cluster/index.ts';
import clusterKernel from '../src/cluster/kernel-relaxed.wasm';
import { app } from './http/app.ts';
import { queue } from './queues/consumer.ts';
import { incomingQueue, isIncomingQueue } from './queues/incoming.ts';
import { scheduled } from './scheduled.ts';

// The WebAssembly SIMD clustering kernel, bundled as a module: workerd cannot compile it from bytes.
useClusterKernel(clusterKernel);

export { JobCoordinator } from './coordinator.ts';
export { DatasetKeeper } from './dataset-keeper.ts';
export { PairSet } from './pair-set.ts';
export { SamplerRun } from './sampler-run.ts';
export { ScoreCache } from './score-cache.ts';
export { UploadSessions } from './upload-sessions.ts';

export default {
  fetch: app.fetch,
  // Files dropped into the bucket (R2 event notifications) have their own queue; the stages share `queue`.
  queue: (batch, env, ctx) =>
    isIncomingQueue(batch.queue) ? incomingQueue(batch, env) : queue(batch, env, ctx),
  scheduled,
} satisfies ExportedHandler<Env>;
