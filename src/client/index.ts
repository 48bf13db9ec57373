export {
  ApiError,
  type ClientOptions,
  type FeedbackBodyInput,
  type FeedbackResult,
  type NextBodyInput,
  type SamplerCreateInput,
  type ScheduleBodyInput,
  type UploadFileOptions,
  type UploadFileResult,
  type UploadProgress,
  type UploadSource,
  WinnowClient,
} from './client.ts';
