export { ApiError, type ClientOptions, type ScheduleBodyInput, WinnowClient } from './client.ts';
