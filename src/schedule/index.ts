export { type Cron, cronMatches, nextCron, parseCron, parseEvery } from './cron.ts';
export { decideTick, firstDue, nextDue, type TickDecision, type TickInput, type Timing } from './tick.ts';
