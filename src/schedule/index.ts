export { type Cron, cronMatches, nextCron, parseCron, parseEvery } from './cron.ts';
