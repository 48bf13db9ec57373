export {
  ApiError,
  type ClientOptions,
  type FeedbackBodyInput,
  type FeedbackResult,
  type NextBodyInput,
  type SamplerCreateInput,
  type ScheduleBodyInput,
  WinnowClient,
} from './client.ts';
