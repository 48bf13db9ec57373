import { app } from './http/app.ts';
import { queue } from './queues/consumer.ts';

export { JobCoordinator } from './coordinator.ts';
export { ScoreCache } from './score-cache.ts';

export default {
  fetch: app.fetch,
  queue,
} satisfies ExportedHandler<Env>;
